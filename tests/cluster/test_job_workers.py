"""Two `flask jobs worker` processes share a trial recompute: every consenting member is matched
exactly once, and the jobs of a worker killed with SIGKILL mid-job are finished by the other."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis
from rq import Queue
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry
from sqlalchemy import delete, func, select

from tests.cluster.conftest import ROOT, _private_database
from tests.support.observe import forget_jobs

pytestmark = pytest.mark.cluster

JOBS_REDIS_URL = "redis://127.0.0.1:6379/13"
CONSENTING, OTHERS = 16, 4
BATCH = 2  # members per recompute job: eight jobs for two workers
DEADLINE_SECONDS = 45


def _seed(database_url: str) -> tuple[list[int], list[int]]:
    """Consenting members whose matches are stale (as after an import), and members who never consented."""
    from alembic import command

    from community import create_app
    from community.db import db
    from community.models import TrialMatchState
    from community.reference import load_all
    from community.schema import alembic_config
    from community.trials import suggestions
    from config import DevelopmentConfig
    from tests.support.factories import make_user
    from tests.support.trials import load_shipped

    app = create_app({"_base": DevelopmentConfig, "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox",
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1})
    try:
        with app.app_context():
            command.upgrade(alembic_config(database_url), "heads")
            load_all()
            load_shipped()
            consenting = []
            for _ in range(CONSENTING):
                user = make_user()
                suggestions.give_consent(user, categories=["profile", "treatments"], email_updates=False)
                consenting.append(user.id)
            others = [make_user().id for _ in range(OTHERS)]
            db.session.execute(delete(TrialMatchState))
            db.session.commit()
            return consenting, others
    finally:
        app.extensions["db"].kw["bind"].dispose()


@pytest.fixture
def job_setup(tmp_path):
    database_url, drop_database = _private_database(tmp_path, prefix="lc_jobs")
    prefix = f"lc-cluster-jobs-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST_"))},
        "APP_ENV": "development", "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": database_url,
        "MAIL_BACKEND": "outbox", "JOBS_REDIS_URL": JOBS_REDIS_URL, "JOBS_QUEUE_PREFIX": prefix,
        "JOBS_RETRY_INTERVALS": "1,1,1", "JOBS_HEARTBEAT_SECONDS": "0.5", "LOG_LEVEL": "WARNING",
        "TRIALS_RECOMPUTE_BATCH": str(BATCH),
    }
    connection = redis.Redis.from_url(JOBS_REDIS_URL)
    workers: list[subprocess.Popen] = []
    try:
        consenting, others = _seed(database_url)
        yield env, prefix, connection, workers, database_url, consenting, others
    finally:
        for process in workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        forget_jobs(connection, prefix)
        connection.close()
        drop_database()


def start_worker(env: dict, name: str, log_path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "tests.cluster.jobs_worker_app", "jobs", "worker", "--name", name],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def test_two_workers_share_a_recompute_and_finish_a_killed_workers_job(job_setup, tmp_path):
    env, prefix, connection, workers, database_url, consenting, others = job_setup
    names = [f"{prefix}-a", f"{prefix}-b"]
    workers += [start_worker(env, name, tmp_path / f"{name}.log") for name in names]
    batch = Queue(f"{prefix}-batch", connection=connection)
    started_registry = StartedJobRegistry(queue=batch)

    from community import create_app, jobs
    from config import DevelopmentConfig

    app = create_app({"_base": DevelopmentConfig, "DATABASE_URL": database_url,
                      **{k: env[k] for k in ("JOBS_REDIS_URL", "JOBS_QUEUE_PREFIX", "JOBS_RETRY_INTERVALS")}})
    with app.app_context():
        jobs.enqueue("trials.recompute")

    def logs() -> str:
        return "\n".join((tmp_path / f"{n}.log").read_text(errors="replace")[-2000:] for n in names)

    # Kill worker A while it is in the middle of a batch's recompute.
    started = time.monotonic()
    victim_job = None
    while victim_job is None:
        assert time.monotonic() - started < DEADLINE_SECONDS, f"worker A never started a job:\n{logs()}"
        for execution in started_registry.get_job_and_execution_ids():
            job = batch.fetch_job(execution[0])
            if job and job.worker_name == names[0] and job.args[0] == "trials.recompute_members":
                victim_job = job.id
        time.sleep(0.02)
    os.killpg(workers[0].pid, signal.SIGKILL)
    workers[0].wait()
    killed_at = time.monotonic()

    finished, failed = FinishedJobRegistry(queue=batch), FailedJobRegistry(queue=batch)
    # The fan-out job and one job per batch of consenting members. (An empty queue and registries
    # are not enough: a job a worker has just taken is in neither until its execution starts.)
    while finished.count < 1 + CONSENTING // BATCH and not failed.count:
        assert time.monotonic() - started < DEADLINE_SECONDS, f"jobs left unfinished:\n{logs()}"
        time.sleep(0.1)
    finished_in = time.monotonic() - killed_at

    time.sleep(0.5)  # nothing else may arrive: a job run twice would finish again
    assert failed.count == 0, logs()
    assert batch.count == started_registry.count == batch.scheduled_job_registry.count == 0
    results = [batch.fetch_job(job_id).return_value() for job_id in finished.get_job_ids()]
    member_runs = [r for r in results if r and "ran" in r]
    assert sorted(u for r in member_runs for u in r["user_ids"]) == sorted(consenting)  # each in one job
    assert sorted(u for r in member_runs for u in r["ran"]) == sorted(consenting)  # matched once each
    victim = batch.fetch_job(victim_job)
    assert victim.get_status() == "finished" and victim.worker_name == names[1]

    from community.db import build_engine
    from community.models import TrialMatch, TrialMatchState

    engine = build_engine(database_url)
    try:
        with engine.connect() as conn:
            assert sorted(conn.scalars(select(TrialMatchState.user_id))) == sorted(consenting)
            assert conn.scalar(select(func.count()).select_from(TrialMatch)
                               .where(TrialMatch.user_id.in_(others))) == 0
    finally:
        engine.dispose()
    print(f"\njobs: {len(consenting)} members over two workers, A killed mid-job, "
          f"all finished {finished_in:.1f}s after the kill")
