"""Small helpers the moderation modules share: staff checks, loading, reasons and days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Post, Topic
from community.models.moderation import (
    ActionKind,
    Appeal,
    MemberAction,
    QueueItem,
)
from community.permissions import Guardian

MAX_DAYS = 3650


def _ensure_staff(actor: Any) -> Guardian:
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_moderate(), hide=True)
    return guardian


def _post_and_topic(post_id: int) -> tuple[Post, Topic]:
    row = db.session.execute(select(Post, Topic).join(Topic, Post.topic_id == Topic.id)
                             .where(Post.id == post_id)).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def _days(days: int | None) -> int:
    if days is None or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"Please choose between 1 and {MAX_DAYS} days.", field="days")
    return days


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Please give a reason; it goes in the staff log.", field="reason")
    return reason


def _member_action(actor: User, user_id: int | None, kind: ActionKind, reason: str, *,
                   post: Post | None = None, ends_at: datetime | None = None,
                   item: QueueItem | None = None) -> MemberAction | None:
    if user_id is None:
        return None  # a former member's post: nobody to tell
    action = MemberAction(user_id=user_id, kind=kind.value, reason=reason,
                          post_id=post.id if post else None, ends_at=ends_at, moderator_id=actor.id,
                          item_id=item.id if item else None, created_at=utcnow())
    db.session.add(action)
    return action


def _history(user_id: int) -> list[tuple[MemberAction, Appeal | None]]:
    rows = db.session.execute(select(MemberAction, Appeal).outerjoin(Appeal, Appeal.action_id == MemberAction.id)
                              .where(MemberAction.user_id == user_id)
                              .order_by(MemberAction.id.desc())).all()
    return [tuple(r) for r in rows]
