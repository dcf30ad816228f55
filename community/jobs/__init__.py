"""Background jobs: a Redis queue (RQ) in production, in-process in the embedded default.

``enqueue("mail.deliver")`` names a job from ``community.jobs.tasks.TASKS``, which the app
factory hands to ``init_app`` (this module never imports the jobs it queues: they queue jobs too). With
``JOBS_REDIS_URL`` set, the job goes to Redis and any ``flask jobs worker`` runs it, with
retries and back-off (``JOBS_RETRY_INTERVALS``). Without it (SQLite, ``make run``, tests)
the job runs in this process: after the request that queued it, or at once from a command.
Every job is safe to run twice.
"""

from __future__ import annotations

import logging
from functools import cache

from flask import Flask, current_app, g, has_request_context

log = logging.getLogger(__name__)

URGENT, BATCH = "urgent", "batch"  # workers take urgent jobs (mail) before batch ones


def redis_url(app: Flask | None = None) -> str:
    return (app or current_app).config["JOBS_REDIS_URL"]


def queue_name(kind: str, app: Flask | None = None) -> str:
    return f"{(app or current_app).config['JOBS_QUEUE_PREFIX']}-{kind}"


@cache
def _connection(url: str):
    import redis

    return redis.Redis.from_url(url)


def connection(app: Flask | None = None):
    return _connection(redis_url(app))


def queues(app: Flask | None = None) -> list:
    """The app's queues in the order workers take from them."""
    from rq import Queue

    return [Queue(queue_name(kind, app), connection=connection(app)) for kind in (URGENT, BATCH)]


def retry_policy(app: Flask | None = None):
    from rq import Retry

    intervals = [int(s) for s in str((app or current_app).config["JOBS_RETRY_INTERVALS"]).split(",") if s.strip()]
    return Retry(max=len(intervals), interval=intervals)


def _table():
    """The app's jobs (``tasks.TABLE``, given to ``init_app`` by the factory)."""
    return current_app.extensions["jobs"]


def enqueue(task: str, *args, job_id: str | None = None):
    """Queue the job ``task`` (a name in ``tasks.TASKS``) with ``args``; return the RQ job or the result."""
    tasks = _table()
    spec = tasks.specs[task]
    if not redis_url():
        if has_request_context():
            g.setdefault("pending_jobs", []).append((task, args))
            return None
        return tasks.run_in_process(task, *args)
    from rq import Queue

    queue = Queue(queue_name(spec.kind), connection=connection())
    return queue.enqueue(tasks.execute, task, *args, job_id=job_id, retry=retry_policy(),
                         job_timeout=spec.timeout, result_ttl=current_app.config["JOBS_RESULT_SECONDS"],
                         failure_ttl=7 * 24 * 3600, description=f"{task}{args!r}")


def enqueue_many(task: str, arg_list: list[tuple]) -> int:
    """Queue one job per argument tuple (one round trip to Redis); returns how many."""
    tasks = _table()
    if not redis_url():
        for args in arg_list:
            enqueue(task, *args)
        return len(arg_list)
    from rq import Queue

    spec = tasks.specs[task]
    queue = Queue(queue_name(spec.kind), connection=connection())
    retry = retry_policy()
    queue.enqueue_many([Queue.prepare_data(tasks.execute, (task, *args), retry=retry, timeout=spec.timeout,
                                           result_ttl=current_app.config["JOBS_RESULT_SECONDS"],
                                           failure_ttl=7 * 24 * 3600, description=f"{task}{args!r}")
                        for args in arg_list])
    return len(arg_list)


def init_app(app: Flask, table) -> None:
    """Keep the app's jobs; in the embedded default, run what a request queued once it has finished."""
    app.extensions["jobs"] = table
    if app.config["JOBS_REDIS_URL"]:
        return

    @app.teardown_request
    def _run_pending(exc):
        pending = g.pop("pending_jobs", [])
        if exc is not None:
            return
        tasks = _table()
        for task, args in pending:
            try:
                tasks.run_in_process(task, *args)
            except Exception:  # a background job must never break the page
                log.exception("job %s after request failed", task)
