"""`flask insights refresh`: recompute the published community statistics (cron, e.g. nightly)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

insights_cli = AppGroup("insights", help="Community insights: the published statistics.")


@insights_cli.command("refresh")
def refresh_command() -> None:
    """Recount contributing members' records into the published pages, with disclosure control."""
    from community.insights.refresh import refresh

    report = refresh()
    click.echo(f"Community insights: {report.pages} pages from {report.contributors} contributing "
               f"member{'s' if report.contributors != 1 else ''} in {report.seconds:.1f} s.")
