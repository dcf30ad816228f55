"""`flask trials ...` commands: import v2 JSON files, fetch from the registry, recompute matches."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from community.db import db
from community.models.trials import Trial
from community.trials import client, curation_admin, importer, matching_runs
from community.trials.reading.report import measure

trials_cli = AppGroup("trials", help="The trial catalogue: import, fetch, re-read, recompute suggestions.")


def _report(report, label: str) -> None:
    click.echo(f"{label}: {report.added} added, {report.updated} updated, {len(report.problems)} skipped.")
    for position, reason in report.problems:
        click.echo(f"  skipped {position}: {reason}", err=True)


@trials_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def import_files(files: tuple[str, ...]) -> None:
    """Import ClinicalTrials.gov API v2 JSON FILES (a study, a list, or an API page); upsert by NCT id."""
    records, unreadable = [], []
    for name in files:
        try:
            records += importer.read_file(name)
        except importer.MalformedStudy as problem:
            unreadable.append((name, str(problem)))
    with click.progressbar(length=len(records), label="Importing studies") as bar:
        report = importer.import_records(records, progress=bar.update)
    report.problems[:0] = unreadable
    _report(report, "Studies")
    updated = matching_runs.recompute_for_consenting_members()
    click.echo(f"Suggestions refreshed for {updated} member{'s' if updated != 1 else ''}.")
    if report.problems:
        raise SystemExit(1)


@trials_cli.command("fetch")
@click.option("--condition", default="lupus", show_default=True, help="What to search the registry for.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Stop after this many pages.")
@click.option("--page-size", type=click.IntRange(1, 1000), default=100, show_default=True)
def fetch(condition: str, max_pages: int | None, page_size: int) -> None:
    """Page through the registry's /studies search and import every study found."""
    base = current_app.config["TRIALS_API_BASE_URL"]
    total = importer.ImportReport()
    failed = None
    try:
        for number, page in enumerate(client.fetch_pages(
                base, condition=condition, page_size=page_size, max_pages=max_pages,
                delay=current_app.config["TRIALS_API_PAGE_DELAY"]), start=1):
            records = importer.records_in(page, f"page {number}")
            with click.progressbar(length=len(records), label=f"Page {number}") as bar:
                report = importer.import_records(records, progress=bar.update)
            total.added += report.added
            total.updated += report.updated
            total.problems += report.problems
    except client.FetchFailed as error:
        failed = str(error)
    _report(total, "Studies")
    updated = matching_runs.recompute_for_consenting_members()
    click.echo(f"Suggestions refreshed for {updated} member{'s' if updated != 1 else ''}.")
    if failed:
        raise click.ClickException(f"Stopped early: {failed}. Pages before it were imported.")


@trials_cli.command("recompute")
def recompute() -> None:
    """Bring every consenting member's suggestions up to date (run from cron after tracking changes)."""
    updated = matching_runs.recompute_for_consenting_members()
    click.echo(f"Suggestions refreshed for {updated} member{'s' if updated != 1 else ''}.")


@trials_cli.command("reader-report")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--timing-studies", type=click.IntRange(min=0), default=1000, show_default=True,
              help="How many studies to time the reader on (the corpus repeated as needed).")
def reader_report(files: tuple[str, ...], timing_studies: int) -> None:
    """How much eligibility text the reader understands: over FILES (v2 records, an API page, or a list of
    {"eligibilityCriteria": ...} objects), or over the stored catalogue when no file is given."""
    texts: list[str] = []
    for name in files:
        try:
            document = json.loads(Path(name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise click.ClickException(f"{name}: not readable JSON ({type(error).__name__})") from None
        records = document.get("studies", [document]) if isinstance(document, dict) else document
        for record in records if isinstance(records, list) else []:
            if not isinstance(record, dict):
                continue
            text = record.get("eligibilityCriteria")
            if text is None:
                text = ((record.get("protocolSection") or {}).get("eligibilityModule") or {}).get(
                    "eligibilityCriteria")
            if isinstance(text, str):
                texts.append(text)
    if not files:
        texts = list(db.session.scalars(select(Trial.eligibility_text)))
    if not texts:
        raise click.ClickException("No eligibility text found.")
    for line in measure(texts, timing_studies=timing_studies).lines():
        click.echo(line)


@trials_cli.command("reread")
@click.option("--all", "everything", is_flag=True, help="Every study, not only those read by an older reader.")
def reread(everything: bool) -> None:
    """Read studies' eligibility text again with the current reader (admins' reviews are kept)."""
    count = curation_admin.reread_catalogue(everything=everything)
    click.echo(f"Read {count} stud{'y' if count == 1 else 'ies'} again.")
    updated = matching_runs.recompute_for_consenting_members()
    click.echo(f"Suggestions refreshed for {updated} member{'s' if updated != 1 else ''}.")
