"""``flask jobs worker``: an RQ worker that runs jobs in its own process, plus a keeper thread.

RQ's SimpleWorker runs each job in the worker process (no fork per job), so the app, its
connection pool and the trial catalogue cache stay loaded between jobs. Two things RQ leaves
slow are done by the keeper thread every ``JOBS_HEARTBEAT_SECONDS``:

- **liveness**: the worker refreshes ``<prefix>:alive:<worker>`` (expiring after three beats).
  A job in a queue's StartedJobRegistry whose worker has no live key was abandoned (the worker
  was killed or its host died): its registry entry is expired at once and RQ's own
  ``StartedJobRegistry.cleanup`` retries it (with back-off) or, with no retries left, fails it.
  RQ alone notices this only once the job's timeout + 60 s has passed.
- **scheduling**: jobs waiting for a retry's back-off are moved to their queue when due, under
  a lock that expires in seconds (RQ's scheduler process holds its lock for a minute after a crash).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from rq import SimpleWorker
from rq.executions import Execution
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.utils import current_timestamp

log = logging.getLogger(__name__)


def alive_key(prefix: str, worker_name: str) -> str:
    return f"{prefix}:alive:{worker_name}"


class Keeper:
    """Liveness, abandoned-job reaping and due retries for one worker (see the module docstring)."""

    def __init__(self, connection, queues, prefix: str, worker_name: str, beat: float):
        self.connection, self.queues, self.prefix = connection, queues, prefix
        self.worker_name, self.beat = worker_name, beat
        self.stopping = threading.Event()

    def start(self) -> threading.Thread:
        self.mark_alive()
        thread = threading.Thread(target=self.run, name="jobs-keeper", daemon=True)
        thread.start()
        return thread

    def run(self) -> None:
        while not self.stopping.wait(self.beat):
            try:
                self.tick()
            except Exception:  # Redis away for a moment: try again next beat
                log.exception("jobs keeper")

    def tick(self) -> None:
        self.mark_alive()
        for queue in self.queues:
            self.reap_abandoned(queue)
            self.enqueue_due(queue)

    def mark_alive(self) -> None:
        self.connection.set(alive_key(self.prefix, self.worker_name), "1", px=int(self.beat * 3000))

    def stop(self) -> None:
        self.stopping.set()
        self.connection.delete(alive_key(self.prefix, self.worker_name))

    def reap_abandoned(self, queue) -> int:
        """Expire started jobs whose worker is gone; RQ's cleanup then retries (or fails) them."""
        registry = StartedJobRegistry(queue=queue)
        expired = 0
        for entry in self.connection.zrange(registry.key, 0, -1):
            entry = entry.decode()
            job_id, _, execution_id = entry.rpartition(":")
            try:
                execution = Execution.fetch(execution_id, job_id, connection=self.connection)
            except Exception:  # noqa: BLE001 - execution record gone: RQ's own cleanup handles it
                log.debug("no execution record for %s", entry)
                continue
            worker = execution.worker_name if execution else None
            # Only a worker's own keeper refreshes its key, so a live worker's job is never
            # expired; XX: the entry may have just finished and gone.
            if worker and not self.connection.exists(alive_key(self.prefix, worker)) and \
                    self.connection.zadd(registry.key, {entry: 1}, xx=True, ch=True):
                expired += 1
                log.warning("job %s abandoned by worker %s: retrying", job_id, worker)
        if expired:
            registry.cleanup(timestamp=2)
        return expired

    def enqueue_due(self, queue) -> int:
        """Move jobs whose retry back-off has passed back onto their queue (one keeper at a time)."""
        registry = ScheduledJobRegistry(queue=queue)
        lock, token = f"{self.prefix}:scheduling:{queue.name}", uuid.uuid4().hex
        if not registry.get_jobs_to_schedule(current_timestamp()) or \
                not self.connection.set(lock, token, nx=True, px=int(self.beat * 3000)):
            return 0
        try:
            job_ids = registry.get_jobs_to_schedule(current_timestamp())
            with self.connection.pipeline() as pipeline:
                for job in Job.fetch_many(job_ids, connection=self.connection):
                    if job is not None:
                        queue._enqueue_job(job, pipeline=pipeline, at_front=job.should_enqueue_at_front())
                for job_id in job_ids:
                    registry.remove(job_id, pipeline=pipeline)
                pipeline.execute()
            return len(job_ids)
        finally:
            if self.connection.get(lock) == token.encode():
                self.connection.delete(lock)


class Worker(SimpleWorker):
    """An RQ SimpleWorker with a Keeper beside it."""

    def __init__(self, *args, prefix: str, beat: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.keeper = Keeper(self.connection, self.queues, prefix, self.name, beat)

    def work(self, *args, **kwargs):
        self.keeper.start()
        try:
            return super().work(*args, **kwargs)
        finally:
            self.keeper.stop()


def run_worker(app, *, name: str | None = None, burst: bool = False) -> bool:
    """Work the app's queues until stopped (SIGTERM finishes the current job first)."""
    from community import jobs
    from community.jobs import tasks

    tasks.worker_app = app
    c = app.config
    worker = Worker(jobs.queues(app), connection=jobs.connection(app), name=name or None,
                    prefix=c["JOBS_QUEUE_PREFIX"], beat=float(c["JOBS_HEARTBEAT_SECONDS"]),
                    maintenance_interval=60)
    started = time.monotonic()
    result = worker.work(burst=burst, logging_level=c["LOG_LEVEL"], with_scheduler=False)
    log.info("worker %s stopped after %.0f s", worker.name, time.monotonic() - started)
    return result
