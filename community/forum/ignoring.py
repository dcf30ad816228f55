"""Ignoring a member: their posts fold away for the member who ignores them ("you ignore this
member — show"), and their replies and mentions don't notify. Like a block, never announced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union

from community.db import db, utcnow
from community.errors import NotFound
from community.models import User
from community.models.forum import MemberIgnore
from community.models.messages import MemberBlock
from community.permissions import Guardian


def ignore_target(viewer: Any, user_id: int) -> User:
    """A member the viewer may ignore (404 otherwise)."""
    guardian = Guardian(viewer)
    target = db.session.get(User, user_id)
    if target is None:
        raise NotFound()
    guardian.ensure(guardian.can_ignore(target), hide=True)
    return target


def set_ignore(user: User, user_id: int, ignored: bool) -> User:
    """Ignore (or stop ignoring) a member."""
    target = ignore_target(user, user_id)
    existing = db.session.scalar(select(MemberIgnore).where(MemberIgnore.user_id == user.id,
                                                            MemberIgnore.ignored_id == target.id))
    if ignored and existing is None:
        db.session.add(MemberIgnore(user_id=user.id, ignored_id=target.id, created_at=utcnow()))
    elif not ignored and existing is not None:
        db.session.delete(existing)
    db.session.commit()
    return target


def is_ignoring(viewer: Any, user_id: int) -> bool:
    """Whether the viewer ignores this member (for the profile's button)."""
    return bool(getattr(viewer, "is_authenticated", False)) and db.session.scalar(
        select(MemberIgnore.id).where(MemberIgnore.user_id == viewer.id,
                                      MemberIgnore.ignored_id == user_id)) is not None


def folded_author_ids(viewer: Any) -> set[int]:
    """Members whose posts fold away for this viewer: those they ignore or blocked. One query."""
    if not Guardian(viewer).is_member:
        return set()
    return set(db.session.scalars(union(
        select(MemberIgnore.ignored_id).where(MemberIgnore.user_id == viewer.id),
        select(MemberBlock.blocked_id).where(MemberBlock.blocker_id == viewer.id))))


def ignorers_of(author_id: int, user_ids) -> set[int]:
    """Which of these members ignore the author (or blocked them): they get no notification."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    return set(db.session.scalars(union(
        select(MemberIgnore.user_id).where(MemberIgnore.ignored_id == author_id,
                                           MemberIgnore.user_id.in_(user_ids)),
        select(MemberBlock.blocker_id).where(MemberBlock.blocked_id == author_id,
                                             MemberBlock.blocker_id.in_(user_ids)))))
