"""Background jobs: in-process without a queue, retries with back-off on Redis, safe to run twice."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from sqlalchemy import delete, func, select

from community import jobs
from community.db import db
from community.jobs import tasks
from community.jobs.worker import Keeper, alive_key, run_worker
from community.models import OutboxMessage, TrialMatch, TrialMatchState
from community.trials import matching_runs, suggestions
from community.trials.matching_runs import consenting_member_ids
from tests.support.factories import make_user
from tests.support.observe import forget_jobs
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues

ALL = ["profile", "treatments", "flares", "symptoms", "labs"]
REDIS_URL = "redis://127.0.0.1:6379/13"


def consenting_member():
    user = make_user()
    give_history(user.id, birth_year=1990)
    suggestions.give_consent(user, categories=ALL, email_updates=False)
    return user


def stale(user_id: int) -> None:
    """As on a new day: the member's matching state is gone, so the next recompute runs."""
    db.session.execute(delete(TrialMatchState).where(TrialMatchState.user_id == user_id))
    db.session.commit()


def stored(user_id: int) -> list[tuple]:
    return [(m.trial_id, m.grouping, m.rank, m.results) for m in matching_runs.with_results(
        user_id, db.session.scalars(select(TrialMatch).where(TrialMatch.user_id == user_id)
                                    .order_by(TrialMatch.rank)).all())]


@pytest.fixture
def on_redis(app):
    """The app queueing on Redis under a prefix of this test's own; every key removed afterwards."""
    prefix = f"lc-test-jobs-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE_PREFIX=prefix, JOBS_RETRY_INTERVALS="1,2,4")
    connection = redis.Redis.from_url(REDIS_URL)
    yield connection
    forget_jobs(connection, prefix)
    tasks.worker_app = None
    connection.close()


def test_without_a_queue_the_cron_command_runs_the_job_at_once(app, runner):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = consenting_member()
        stale(user.id)
    result = runner.invoke(args=["jobs", "enqueue", "trials.recompute"])
    assert result.exit_code == 0, result.output
    assert "Ran trials.recompute: {'members': 1}" in result.output
    with app.app_context():
        assert db.session.get(TrialMatchState, user.id) is not None
        assert stored(user.id)


def test_without_a_queue_a_request_runs_its_jobs_after_it_has_finished(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = consenting_member()
        stale(user.id)
        with app.test_request_context("/"):
            assert jobs.enqueue("trials.recompute_members", user.id) is None
            assert db.session.get(TrialMatchState, user.id) is None  # not yet: after the request
            db.session.rollback()
        assert db.session.get(TrialMatchState, user.id) is not None


def test_recomputing_a_member_twice_changes_nothing_the_second_time(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = consenting_member()
        stale(user.id)
    with app.app_context():
        first = tasks.run_in_process("trials.recompute_members", user.id)
    with app.app_context():
        after_first = stored(user.id)
    with app.app_context():
        second = tasks.run_in_process("trials.recompute_members", user.id)
    with app.app_context():
        assert first == {"user_ids": [user.id], "ran": [user.id]}
        assert second == {"user_ids": [user.id], "ran": []}
        assert stored(user.id) == after_first and len(after_first) > 5


def test_a_member_who_withdrew_after_the_job_was_queued_is_not_matched(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = consenting_member()
        suggestions.withdraw_consent(user)
    with app.app_context():
        assert tasks.run_in_process("trials.recompute_members", user.id) == {"user_ids": [user.id], "ran": []}
        assert stored(user.id) == []
        assert consenting_member_ids() == []


def test_delivering_mail_twice_sends_each_message_once(app):
    app.config["MAIL_BACKEND"] = "console"
    with app.app_context():
        db.session.add(OutboxMessage(recipient="a@example.org", subject="Hello", body="Hi\n"))
        db.session.commit()
    with app.app_context():
        assert tasks.run_in_process("mail.deliver") == {"sent": 1, "failed": 0}
        assert tasks.run_in_process("mail.deliver") == {"sent": 0, "failed": 0}
        assert db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_not(None))) == 1


def test_queued_jobs_retry_with_back_off(app, on_redis):
    with app.app_context():
        job = jobs.enqueue("trials.recompute_members", 42)
        assert job.retries_left == 3 and job.retry_intervals == [1, 2, 4]
        assert job.origin == f"{app.config['JOBS_QUEUE_PREFIX']}-batch"
        assert jobs.enqueue("mail.deliver").origin == f"{app.config['JOBS_QUEUE_PREFIX']}-urgent"


def test_production_defaults_back_off_longer_each_time():
    from config import Config

    intervals = [int(s) for s in Config.JOBS_RETRY_INTERVALS.split(",")]
    assert len(intervals) >= 3 and intervals == sorted(intervals) and intervals[0] >= 10


def test_a_worker_runs_the_fanned_out_recompute_once_per_member(app, on_redis):
    app.config["TRIALS_RECOMPUTE_BATCH"] = 2  # three members: two jobs
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        members = [consenting_member() for _ in range(3)]
        other = make_user()
        for user in members:
            stale(user.id)
        fan_out = jobs.enqueue("trials.recompute")
    run_worker(app, name=f"{app.config['JOBS_QUEUE_PREFIX']}-w", burst=True)
    fan_out.refresh()
    assert fan_out.return_value() == {"members": 3}
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    queue = Queue(f"{app.config['JOBS_QUEUE_PREFIX']}-batch", connection=on_redis)
    results = [queue.fetch_job(job_id).return_value() for job_id in FinishedJobRegistry(queue=queue).get_job_ids()]
    batches = sorted(r["user_ids"] for r in results if r and "ran" in r)
    assert batches == [sorted(u.id for u in members)[:2], sorted(u.id for u in members)[2:]]
    assert sorted(user_id for r in results if r and "ran" in r for user_id in r["ran"]) == sorted(u.id for u in members)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrialMatchState)) == 3
        assert stored(other.id) == []


def test_a_failing_job_is_scheduled_for_a_retry_and_moved_back_when_due(app, on_redis):
    with app.app_context():
        job = jobs.enqueue("trials.recompute_members", 2**31)  # no such member: returns, does not fail
    queue = job.origin
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    rq_queue = Queue(queue, connection=on_redis)
    rq_queue.remove(job.id)
    ScheduledJobRegistry(queue=rq_queue).schedule(job, __import__("datetime").datetime.now(
        __import__("datetime").UTC))
    keeper = Keeper(on_redis, [rq_queue], app.config["JOBS_QUEUE_PREFIX"], "keeper-test", beat=1)
    assert keeper.enqueue_due(rq_queue) == 1
    assert job.id in rq_queue.job_ids


def test_a_started_job_whose_worker_is_gone_is_retried(app, on_redis):
    from rq import Queue
    from rq.executions import Execution

    with app.app_context():
        job = jobs.enqueue("trials.recompute_members", 7)
    rq_queue = Queue(job.origin, connection=on_redis)
    rq_queue.remove(job.id)
    with on_redis.pipeline() as pipeline:
        Execution.create(job, 600, pipeline=pipeline, worker_name=f"{app.config['JOBS_QUEUE_PREFIX']}-dead")
        pipeline.execute()
    keeper = Keeper(on_redis, [rq_queue], app.config["JOBS_QUEUE_PREFIX"], "alive-one", beat=1)
    keeper.mark_alive()
    assert on_redis.exists(alive_key(app.config["JOBS_QUEUE_PREFIX"], "alive-one"))
    assert keeper.reap_abandoned(rq_queue) == 1
    job.refresh()
    assert job.retries_left == 2  # retried after the first back-off interval
    assert job.id in rq_queue.scheduled_job_registry.get_job_ids()
