"""Members writing at once through both instances lose nothing: every acknowledged
check-in, reply, reaction and report is stored, and every counter agrees with the rows."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.db import utcnow
from community.models import CheckIn, Post, QueueItem, Reaction, Report, Topic
from community.models.forum import Category
from tests.cluster.conftest import Browser, acknowledged

pytestmark = pytest.mark.cluster

CHECK_IN_DAYS = 3
REPLIES_EACH = 2
REACTION_KINDS = ("hugs", "helpful")
WRITERS = 24
AUTO_HIDE_REPORTS = 3  # config.py's default, which the instances keep


def member_writes(cluster, email: str, index: int, start: threading.Barrier, done: Counter,
                  lock: threading.Lock, errors: list) -> None:
    """One member's session: sign in, then alternate instances for every write."""
    bases = [cluster.a.url, cluster.b.url] if index % 2 else [cluster.b.url, cluster.a.url]
    browser = Browser()
    try:
        assert acknowledged(browser.sign_in(bases[0], email))
        start.wait(timeout=60)
        today = utcnow().date()  # the members keep UTC, the default time zone
        writes = [("check_in", f"/tracking/check-in?day={day}", {"day": day, "wellbeing": "3"})
                  for day in (today - timedelta(days=n + 1) for n in range(CHECK_IN_DAYS))]
        writes += [("reply", f"/forum/t/{cluster.topics['replies']}/reply",
                    {"body": f"Thinking of you all ({index}, {n})."}) for n in range(REPLIES_EACH)]
        writes += [("reaction", f"/forum/posts/{cluster.first_posts['replies']}/react/{kind}", {})
                   for kind in REACTION_KINDS]
        writes.append(("report", f"/moderation/report/post/{cluster.first_posts['reports']}",
                       {"reason": "spam", "note": ""}))
        for n, (kind, path, data) in enumerate(writes):
            response = browser.post(bases[n % 2] + path, data)
            with lock:
                done[kind, "acknowledged" if acknowledged(response) else str(response.status_code)] += 1
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        errors.append(error)
    finally:
        browser.close()


def test_concurrent_writers_on_both_instances_lose_nothing(cluster, database):
    writers = cluster.take_members(WRITERS)
    start = threading.Barrier(len(writers))
    done: Counter = Counter()
    lock = threading.Lock()
    errors: list = []
    threads = [threading.Thread(target=member_writes, args=(cluster, email, i, start, done, lock, errors))
               for i, email in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    # Every request was answered, and every refusal is the app's rule, not a failure:
    # a post hidden by enough reports can no longer be reported (404).
    refused = {key: n for key, n in done.items() if key[1] != "acknowledged"}
    assert set(refused) <= {("report", "404")}, refused
    count = {kind: done[kind, "acknowledged"] for kind in ("check_in", "reply", "reaction", "report")}
    assert count["check_in"] == len(writers) * CHECK_IN_DAYS
    assert count["reply"] == len(writers) * REPLIES_EACH
    assert count["reaction"] == len(writers) * len(REACTION_KINDS)
    assert AUTO_HIDE_REPORTS <= count["report"] <= len(writers)

    replies, reports = cluster.topics["replies"], cluster.first_posts["reports"]
    with database.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(CheckIn)) == count["check_in"]
        numbers = sorted(conn.scalars(select(Post.number).where(Post.topic_id == replies)))
        assert numbers == list(range(1, count["reply"] + 2))  # distinct, gapless
        topic = conn.execute(select(Topic.reply_count, Topic.last_number, Topic.category_id)
                             .where(Topic.id == replies)).one()
        assert (topic.reply_count, topic.last_number) == (count["reply"], count["reply"] + 1)
        posts_in_category = conn.scalar(select(func.count()).select_from(Post).join(Topic)
                                        .where(Topic.category_id == topic.category_id))
        assert conn.scalar(select(Category.post_count).where(Category.id == topic.category_id)) \
            == posts_in_category
        assert conn.scalar(select(func.count()).select_from(Reaction)) == count["reaction"]
        assert conn.scalar(select(func.count()).select_from(Report).where(Report.post_id == reports)) \
            == count["report"]
        # Concurrent first reports join one review item instead of opening several.
        assert conn.scalar(select(func.count()).select_from(QueueItem).where(
            QueueItem.post_id == reports, QueueItem.resolved_at.is_(None))) == 1
        assert conn.scalar(select(Post.hidden_at).where(Post.id == reports)) is not None
