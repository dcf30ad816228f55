"""The job functions. Each runs in an app context of its own and is safe to run twice.

A worker calls ``execute(name, *args)``; RQ stores only the name and the arguments (ids and
words, never health data), so a job queued by one release runs on the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from community import jobs

# Set by ``flask jobs worker``: the app whose context every job runs in.
worker_app: Flask | None = None


@dataclass(frozen=True)
class Task:
    run: Callable
    kind: str = jobs.BATCH
    timeout: int = 600  # seconds before the worker stops the job (it is then retried)


def deliver_mail() -> dict:
    """Send due outbox messages; the outbox claims each row, so two runs never send one twice."""
    from community.mail import deliver_pending

    sent, failed = deliver_pending(limit=current_app.config["JOBS_MAIL_BATCH"])
    return {"sent": sent, "failed": failed}


def checkin_reminders() -> dict:
    """Queue due check-in reminders (at most one per member per local day), then deliver."""
    from community.tracking.reminder_job import send_reminders

    queued = send_reminders()
    if queued:
        jobs.enqueue("mail.deliver")
    return {"queued": queued}


def forum_digests(frequency: str) -> dict:
    """Queue digests of unread notifications (each notification is emailed once), then deliver."""
    from community.forum.services import send_digests

    queued = send_digests(frequency)
    if queued:
        jobs.enqueue("mail.deliver")
    return {"queued": queued}


def bookmark_reminders() -> dict:
    """Queue the bookmark reminders whose day has come (each goes once), then deliver."""
    from community.forum.bookmarks import send_reminders

    queued = send_reminders()
    if queued:
        jobs.enqueue("mail.deliver")
    return {"queued": queued}


def insights_refresh() -> dict:
    """Recount the published community insights (a full recount: running it twice gives the same pages)."""
    from community.insights.refresh import refresh

    report = refresh()
    return {"pages": report.pages, "contributors": report.contributors}


def trials_recompute() -> dict:
    """Fan out: one recompute job per batch of members, so any number of workers share the run."""
    from community.trials.matching_runs import consenting_member_ids, member_batches, prepare_run

    prepare_run()
    members = consenting_member_ids()
    jobs.enqueue_many("trials.recompute_members", [tuple(batch) for batch in member_batches(members)])
    return {"members": len(members)}


def trials_recompute_members(*user_ids: int) -> dict:
    """These members' matches, each only if stale (a second run finds them fresh and does nothing)."""
    from community.trials.matching_runs import recompute_members

    return {"user_ids": list(user_ids), "ran": recompute_members(list(user_ids))}


def trials_fetch(condition: str = "lupus", max_pages: int | None = None) -> dict:
    """Import the registry's studies (an upsert by NCT id), then fan out the recompute."""
    from community.trials import client, importer

    added = updated = problems = 0
    failed = None
    try:
        for number, page in enumerate(client.fetch_pages(
                current_app.config["TRIALS_API_BASE_URL"], condition=condition, page_size=100,
                max_pages=max_pages, delay=current_app.config["TRIALS_API_PAGE_DELAY"]), start=1):
            report = importer.import_records(importer.records_in(page, f"page {number}"))
            added, updated, problems = added + report.added, updated + report.updated, \
                problems + len(report.problems)
    except client.FetchFailed as error:
        failed = str(error)
    jobs.enqueue("trials.recompute")
    if failed:  # pages before the failure are stored; raising lets the queue retry with back-off
        raise RuntimeError(f"registry fetch stopped early: {failed}")
    return {"added": added, "updated": updated, "skipped": problems}


TASKS: dict[str, Task] = {
    "mail.deliver": Task(deliver_mail, kind=jobs.URGENT, timeout=300),
    "tracking.reminders": Task(checkin_reminders),
    "forum.digests": Task(forum_digests),
    "forum.bookmark_reminders": Task(bookmark_reminders),
    "insights.refresh": Task(insights_refresh, timeout=1800),
    "trials.fetch": Task(trials_fetch, timeout=3600),
    "trials.recompute": Task(trials_recompute),
    "trials.recompute_members": Task(trials_recompute_members, timeout=300),
}


# Jobs queued by a job running in-process wait until it has finished (and released its
# transaction: on SQLite a second writer would wait on the first's lock).
_follow_ups: list[list[tuple[str, tuple]]] = []


def run_in_process(name: str, *args):
    """Run a job here and now in a fresh app context of the current app (its own session);
    the jobs it queues run right after it."""
    if _follow_ups:
        _follow_ups[-1].append((name, args))
        return None
    app = current_app._get_current_object()
    _follow_ups.append([])
    try:
        with app.app_context():
            result = TASKS[name].run(*args)
        while _follow_ups[-1]:
            follow_name, follow_args = _follow_ups[-1].pop(0)
            with app.app_context():
                TASKS[follow_name].run(*follow_args)
    finally:
        _follow_ups.pop()
    return result


def execute(name: str, *args):
    """What a worker runs: the named job inside the worker's app."""
    if worker_app is None:
        raise RuntimeError("jobs run under `flask --app wsgi jobs worker`")
    with worker_app.app_context():
        return TASKS[name].run(*args)


@dataclass(frozen=True)
class Table:
    """What ``community.jobs`` needs from here, handed over by the app factory."""

    specs: dict[str, Task]
    run_in_process: Callable
    execute: Callable


TABLE = Table(TASKS, run_in_process, execute)
