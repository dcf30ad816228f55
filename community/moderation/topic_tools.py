"""Staff topic tools: pin, lock, hide, move, merge and split topics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from community import audit
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Category, Notification, Post, Topic
from community.moderation.common import (
    _ensure_staff,
    _reason,
    _user,
)

TOPIC_STATES = {"pin": ("pinned_at", True), "unpin": ("pinned_at", False),
                "lock": ("locked_at", True), "unlock": ("locked_at", False),
                "hide": ("hidden_at", True), "unhide": ("hidden_at", False)}


def get_topic(viewer: Any, topic_id: int) -> tuple[Topic, Category, list[Post], list[Category]]:
    """A topic, its posts (numbers and authors' ids only matter here) and every category."""
    _ensure_staff(viewer)
    row = db.session.execute(select(Topic, Category).join(Category, Topic.category_id == Category.id)
                             .where(Topic.id == topic_id)).first()
    if row is None:
        raise NotFound()
    posts = db.session.scalars(select(Post).where(Post.topic_id == topic_id).order_by(Post.number)
                               .limit(500)).all()
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.name)).all()
    return row[0], row[1], list(posts), list(categories)


def _topic_state(actor: User, topic: Topic, action: str, reason: str) -> None:
    column, on = TOPIC_STATES[action]
    current = getattr(topic, column)
    if (current is not None) == on:
        state = {"pinned_at": "pinned", "locked_at": "locked", "hidden_at": "hidden"}[column]
        raise ValidationFailed(f"The topic is already {state}." if on else f"The topic isn't {state}.")
    setattr(topic, column, utcnow() if on else None)
    if action == "unhide":
        topic.held_at = None
    audit.record(actor, f"topic.{action}", target=_user(topic.author_id), reason=reason,
                 before={"topic_id": topic.id, column: current.isoformat() if current else None},
                 after={"topic_id": topic.id, "title": topic.title, column: bool(on)})


def _load_topic(actor: User, topic_id: int) -> Topic:
    _ensure_staff(actor)
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise NotFound()
    return topic


def set_topic_state(actor: User, topic_id: int, action: str, reason: str) -> Topic:
    """Pin, unpin, lock, unlock, hide or unhide a topic, with a reason."""
    topic = _load_topic(actor, topic_id)
    if action not in TOPIC_STATES:
        raise ValidationFailed("Please choose an action.")
    _topic_state(actor, topic, action, _reason(reason))
    db.session.commit()
    return topic


def move_topic(actor: User, topic_id: int, category_id: int, reason: str) -> Topic:
    """Move a topic to another category; both categories' counts follow."""
    topic = _load_topic(actor, topic_id)
    reason = _reason(reason)
    category = db.session.get(Category, category_id)
    if category is None:
        raise ValidationFailed("Please choose a category.", field="category")
    if category.id == topic.category_id:
        raise ValidationFailed("The topic is already in that category.", field="category")
    posts = db.session.scalar(select(func.count(Post.id)).where(Post.topic_id == topic.id)) or 0
    old = topic.category_id
    db.session.execute(update(Category).where(Category.id == old).values(
        topic_count=Category.topic_count - 1, post_count=Category.post_count - posts))
    db.session.execute(update(Category).where(Category.id == category.id).values(
        topic_count=Category.topic_count + 1, post_count=Category.post_count + posts))
    topic.category_id = category.id
    audit.record(actor, "topic.move", target=_user(topic.author_id), reason=reason,
                 before={"topic_id": topic.id, "category_id": old},
                 after={"topic_id": topic.id, "category_id": category.id})
    db.session.commit()
    return topic


def _refresh_topic(topic: Topic) -> None:
    """Recount a topic's replies and last post after posts moved in or out."""
    live = (Post.topic_id == topic.id, Post.deleted_at.is_(None))
    last = db.session.execute(select(Post.created_at, Post.author_id).where(*live)
                              .order_by(Post.number.desc()).limit(1)).first()
    count = db.session.scalar(select(func.count(Post.id)).where(*live)) or 0
    topic.reply_count = max(0, count - 1)
    topic.last_number = db.session.scalar(select(func.max(Post.number)).where(Post.topic_id == topic.id)) or 0
    if last is not None:
        topic.last_post_at, topic.last_poster_id = last


def merge_topics(actor: User, source_id: int, target_id: int, reason: str) -> Topic:
    """Move every post of one topic to the end of another; the emptied topic is hidden and locked."""
    source = _load_topic(actor, source_id)
    reason = _reason(reason)
    target = db.session.get(Topic, target_id)
    if target is None or target.id == source.id:
        raise ValidationFailed("Please give the number of another topic.", field="target")
    posts = db.session.scalars(select(Post).where(Post.topic_id == source.id).order_by(Post.number)).all()
    # Two steps, so no (topic, number) pair is ever used twice mid-way.
    start = target.last_number
    for offset, post in enumerate(posts, start=1):
        post.number = -offset
    db.session.flush()
    for offset, post in enumerate(posts, start=1):
        post.topic_id, post.number = target.id, start + offset
    db.session.flush()
    db.session.execute(update(Notification).where(Notification.topic_id == source.id)
                       .values(topic_id=target.id))
    _refresh_topic(target)
    _refresh_topic(source)
    now = utcnow()
    source.hidden_at, source.locked_at = source.hidden_at or now, source.locked_at or now
    audit.record(actor, "topic.merge", target=_user(source.author_id), reason=reason,
                 before={"topic_id": source.id, "title": source.title, "posts": len(posts)},
                 after={"topic_id": target.id, "title": target.title})
    db.session.commit()
    return target


def split_topic(actor: User, topic_id: int, post_ids: list[int], title: str, category_id: int | None,
                reason: str) -> Topic:
    """Move chosen replies into a new topic (the first chosen reply opens it)."""
    source = _load_topic(actor, topic_id)
    reason = _reason(reason)
    title = " ".join((title or "").split())
    if not 5 <= len(title) <= 150:
        raise ValidationFailed("Please write a title of 5 to 150 characters.", field="title")
    posts = db.session.scalars(select(Post).where(
        Post.topic_id == source.id, Post.id.in_(list(post_ids or [])[:500]), Post.number > 1)
        .order_by(Post.number)).all()
    if not posts:
        raise ValidationFailed("Please choose at least one reply to move.", field="posts")
    category_id = category_id or source.category_id
    if db.session.get(Category, category_id) is None:
        raise ValidationFailed("Please choose a category.", field="category")
    numbers = [p.number for p in posts]
    first = posts[0]
    new = Topic(category_id=category_id, author_id=first.author_id, title=title,
                members_only=source.members_only, created_at=first.created_at,
                last_post_at=posts[-1].created_at, last_poster_id=posts[-1].author_id,
                last_number=len(posts), reply_count=0)
    db.session.add(new)
    db.session.flush()
    for number, post in enumerate(posts, start=1):
        post.topic_id, post.number = new.id, number
    db.session.flush()
    db.session.execute(update(Notification).where(Notification.post_id.in_([p.id for p in posts]))
                       .values(topic_id=new.id))
    db.session.execute(update(Category).where(Category.id == category_id).values(
        topic_count=Category.topic_count + 1))
    _refresh_topic(new)
    _refresh_topic(source)
    audit.record(actor, "topic.split", target=_user(source.author_id), reason=reason,
                 before={"topic_id": source.id, "numbers": numbers},
                 after={"topic_id": new.id, "title": title, "posts": len(posts)})
    db.session.commit()
    return new
