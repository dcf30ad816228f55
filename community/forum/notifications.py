"""Notifications: who is told about a post, the member's list and the header's unread count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from community.db import db, utcnow
from community.forum import ignoring
from community.models import User
from community.models.forum import (
    CategoryWatch,
    Notification,
    NotificationKind,
    Post,
    Topic,
    TopicWatch,
)
from community.permissions import Guardian


def notify(post: Post, topic: Topic, author: User, mentioned: list[int], quoted_authors: list[int],
            new_topic_category: int | None = None) -> None:
    """One notification per member per post: mention beats quote beats reply."""
    kinds: dict[int, str] = {}
    if new_topic_category is not None:
        for user_id in db.session.scalars(select(CategoryWatch.user_id).where(
                CategoryWatch.category_id == new_topic_category)):
            kinds[user_id] = NotificationKind.NEW_TOPIC.value
    else:
        for user_id in db.session.scalars(select(TopicWatch.user_id).where(
                TopicWatch.topic_id == topic.id)):
            kinds[user_id] = NotificationKind.REPLY.value
    for user_id in quoted_authors:
        kinds[user_id] = NotificationKind.QUOTE.value
    for user_id in mentioned:
        kinds[user_id] = NotificationKind.MENTION.value
    kinds.pop(author.id, None)
    for user_id in ignoring.ignorers_of(author.id, kinds):
        kinds.pop(user_id)  # they asked not to hear from this member
    if not kinds:
        return
    now = utcnow()
    db.session.execute(Notification.__table__.insert(), [
        {"user_id": user_id, "kind": kind, "topic_id": topic.id, "post_id": post.id,
         "actor_id": author.id, "created_at": now}
        for user_id, kind in sorted(kinds.items())])


@dataclass
class NotificationRow:
    notification: Notification
    topic_title: str
    actor_name: str | None


_ACTOR = aliased(User, name="actor")


def _openable(statement, user: User):
    """Narrow a statement over notifications to the member's that lead to a post they may see."""
    return (statement.join(Topic, Notification.topic_id == Topic.id)
            .join(Post, Notification.post_id == Post.id)
            .where(Notification.user_id == user.id, Guardian(user).findable_posts_sql()))


def notification_rows(user: User):
    return _openable(select(Notification, Topic.title, _ACTOR.display_name), user).outerjoin(
        _ACTOR, Notification.actor_id == _ACTOR.id)


def list_notifications(user: User, page: int = 1, per_page: int = 30
                       ) -> tuple[list[NotificationRow], bool]:
    """The member's notifications, newest first, with whether there are more."""
    rows = db.session.execute(notification_rows(user).order_by(Notification.id.desc())
                              .offset((page - 1) * per_page).limit(per_page + 1)).all()
    items = [NotificationRow(*row) for row in rows]
    return items[:per_page], len(items) > per_page


def unread_notification_query(user: Any) -> Select | None:
    """Unread notifications the member could open (same filters as the list): one plain count,
    no names joined in, for the header of every member page (community/header.py)."""
    if not Guardian(user).is_member:
        return None
    return (_openable(select(func.count(Notification.id)).select_from(Notification), user)
            .where(Notification.read_at.is_(None)))


def unread_notification_count(user: Any) -> int:
    query = unread_notification_query(user)
    return (db.session.scalar(query) or 0) if query is not None else 0


def mark_all_read(user: User) -> int:
    """Mark every notification read; returns how many were unread."""
    count = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(
        read_at=utcnow())).rowcount
    db.session.commit()
    return count
