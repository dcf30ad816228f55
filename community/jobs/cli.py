"""`flask jobs ...`: run a worker, or queue a job by hand."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from community import jobs
from community.jobs.tasks import TASKS

jobs_cli = AppGroup("jobs", help="Background jobs (a Redis queue when JOBS_REDIS_URL is set).")


@jobs_cli.command("worker")
@click.option("--name", default=None, help="Worker name (unique per running worker; default: random).")
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
def worker(name: str | None, burst: bool) -> None:
    """Run jobs from the queue until stopped (SIGTERM lets the current job finish)."""
    if not jobs.redis_url():
        raise click.ClickException("JOBS_REDIS_URL is not set: jobs run in-process and need no worker.")
    from community.jobs.worker import run_worker

    run_worker(current_app._get_current_object(), name=name, burst=burst)


@jobs_cli.command("enqueue")
@click.argument("task", type=click.Choice(sorted(TASKS)))
@click.argument("args", nargs=-1)
def enqueue(task: str, args: tuple[str, ...]) -> None:
    """Queue TASK (from cron); without JOBS_REDIS_URL it runs here and now."""
    values = tuple(int(a) if a.isdigit() else a for a in args)
    outcome = jobs.enqueue(task, *values)
    if jobs.redis_url():
        click.echo(f"Queued {task} as job {outcome.id}.")
    else:
        click.echo(f"Ran {task}: {outcome}.")
