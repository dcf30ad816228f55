"""Who may see a topic or a post is written once, twice over: the Guardian's predicate for
loaded objects and its SQL twin for listings, search and notifications. This builds every
combination of topic state, post state and viewer on the suite's database and checks that
the two say the same about each one (and that search's compiled form of the rule agrees too).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select, text
from sqlalchemy.orm import aliased

from community.db import db, utcnow
from community.models import User
from community.models.forum import Category, Post, Topic
from community.permissions import Guardian
from community.search import forum as search
from tests.support.factories import make_user

SET = "set"  # a timestamp column given the time of writing

# Each state is the columns it sets; "held" is how screening holds (held and hidden together),
# "held, shown" a held mark left on something visible, kept so the rules agree even there.
TOPIC_STATES = {
    "visible": {},
    "hidden": {"hidden_at": SET},
    "held": {"held_at": SET, "hidden_at": SET},
    "held, shown": {"held_at": SET},
    "locked": {"locked_at": SET},
    "pinned and hidden": {"pinned_at": SET, "hidden_at": SET},
}
POST_STATES = {
    "visible": {},
    "hidden": {"hidden_at": SET},
    "held": {"held_at": SET, "hidden_at": SET},
    "held, shown": {"held_at": SET},
    "deleted": {"deleted_at": SET},
    "deleted by its author": {"deleted_at": SET, "deleted_by_author": True},
    "deleted while held": {"deleted_at": SET, "held_at": SET, "hidden_at": SET},
    "deleted and hidden": {"deleted_at": SET, "hidden_at": SET},
}
WRITERS = ["author", "other", "former member"]
VIEWERS = ["anonymous", "author", "member", "silenced author", "suspended author", "moderator", "admin",
           "moderator who wrote it"]


def _values(state: dict, now) -> dict:
    return {column: (now if value == SET else value) for column, value in state.items()}


@pytest.fixture
def world(app):
    """Every topic state x members-only x topic author, each with a reply in every post state by every writer."""
    with app.app_context():
        now = utcnow()
        people = {
            "author": make_user(display_name="Author"),
            "other": make_user(display_name="Other"),
            "member": make_user(display_name="Reader"),
            "silenced author": make_user(display_name="Silenced", silenced_until=now + timedelta(days=3)),
            "suspended author": make_user(display_name="Suspended", suspended_until=now + timedelta(days=3)),
            "moderator": make_user(display_name="Moderator", role="moderator"),
            "admin": make_user(display_name="Admin", role="admin"),
            "moderator who wrote it": make_user(display_name="Writing moderator", role="moderator"),
        }
        category = Category(slug="everything", name="Everything", description="", position=1,
                            members_only_default=False, topic_count=0, post_count=0)
        db.session.add(category)
        db.session.flush()
        # Topics and posts "by the author" are written by each author-like viewer in turn, so
        # every viewer meets their own held and hidden words as well as other people's.
        authors = ["author", "silenced author", "suspended author", "moderator who wrote it"]
        for (topic_state, members_only, topic_writer, own) in itertools.product(
                TOPIC_STATES, (False, True), ("author", "other", "former member"), authors):
            topic_author = people[own] if topic_writer == "author" else (
                people["other"] if topic_writer == "other" else None)
            topic = Topic(category_id=category.id, author_id=topic_author.id if topic_author else None,
                          title=f"{topic_state} {members_only} {topic_writer} {own}", members_only=members_only,
                          created_at=now, last_post_at=now, last_number=len(POST_STATES) * len(WRITERS) + 1,
                          reply_count=0, **_values(TOPIC_STATES[topic_state], now))
            db.session.add(topic)
            db.session.flush()
            posts = [Post(topic_id=topic.id, number=1, author_id=topic.author_id, body_raw="Opening words",
                          body_html="<p>Opening words</p>", body_text="Opening words", created_at=now)]
            for number, (post_state, writer) in enumerate(itertools.product(POST_STATES, WRITERS), start=2):
                writer_id = people[own].id if writer == "author" else (
                    people["other"].id if writer == "other" else None)
                posts.append(Post(topic_id=topic.id, number=number, author_id=writer_id,
                                  body_raw="Reply words", body_html="<p>Reply words</p>", body_text="Reply words",
                                  created_at=now, **_values(POST_STATES[post_state], now)))
            db.session.add_all(posts)
        db.session.commit()
        yield {name: user.id for name, user in people.items()}


def _viewer(name: str, ids: dict):
    return AnonymousUserMixin() if name == "anonymous" else db.session.get(User, ids[name])


@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_the_guardian_and_its_sql_agree_on_every_topic_and_post(app, world, viewer_name):
    with app.app_context():
        guardian = Guardian(_viewer(viewer_name, world))
        topics = db.session.scalars(select(Topic)).all()
        rows = db.session.execute(select(Post, Topic).join(Topic, Post.topic_id == Topic.id)).all()
        assert len(topics) == len(TOPIC_STATES) * 2 * 3 * 4
        assert len(rows) == len(topics) * (len(POST_STATES) * len(WRITERS) + 1)

        in_python = {t.id for t in topics if guardian.can_view_topic(t)}
        in_sql = set(db.session.scalars(select(Topic.id).where(guardian.visible_topics_sql())))
        assert in_sql == in_python, _disagreements(in_sql, in_python, {t.id: t.title for t in topics})

        described = {p.id: f"{t.title} / post {p.number}" for p, t in rows}
        posts_in_python = {p.id for p, t in rows if guardian.can_view_post(p, t)}
        posts_in_sql = set(db.session.scalars(select(Post.id).join(Topic, Post.topic_id == Topic.id)
                                              .where(guardian.visible_posts_sql())))
        assert posts_in_sql == posts_in_python, _disagreements(posts_in_sql, posts_in_python, described)

        found_in_python = {p.id for p, t in rows if guardian.can_find_post(p, t)}
        post, topic = aliased(Post, name="pp"), aliased(Topic, name="tt")
        found_in_sql = set(db.session.scalars(select(post.id).join(topic, post.topic_id == topic.id)
                                              .where(guardian.findable_posts_sql(post, topic))))
        assert found_in_sql == found_in_python, _disagreements(found_in_sql, found_in_python, described)

        # Search inlines the same rule into its own SQL: run that text on this database too.
        clause = search._findable(guardian, db.session.get_bind().dialect)
        searched = set(db.session.scalars(text(
            f"SELECT p.id FROM forum_posts p JOIN forum_topics t ON t.id = p.topic_id WHERE {clause}")))
        assert searched == found_in_python, _disagreements(searched, found_in_python, described)


def _disagreements(sql: set, python: set, described: dict) -> str:
    only_sql = sorted(described[i] for i in sql - python)[:10]
    only_python = sorted(described[i] for i in python - sql)[:10]
    return f"SQL only: {only_sql}; Guardian only: {only_python}"


def test_the_held_post_rule_is_the_one_decided(app, world):
    """An author sees their own held post and topic; no other member or visitor does; staff all."""
    with app.app_context():
        held_topic = db.session.scalar(select(Topic).where(
            Topic.title == "held False author author"))
        held_reply = db.session.scalar(select(Post).join(Topic, Post.topic_id == Topic.id).where(
            Topic.title == "visible False other author", Post.held_at.is_not(None), Post.deleted_at.is_(None),
            Post.hidden_at.is_not(None), Post.author_id == world["author"]))
        topic = db.session.get(Topic, held_reply.topic_id)
        for name, sees in [("author", True), ("member", False), ("anonymous", False),
                           ("moderator", True), ("admin", True)]:
            guardian = Guardian(_viewer(name, world))
            assert guardian.can_view_topic(held_topic) is sees, name
            assert guardian.can_view_post(held_reply, topic) is sees, name
            assert (db.session.scalar(select(Topic.id).where(
                Topic.id == held_topic.id, guardian.visible_topics_sql())) is not None) is sees, name
