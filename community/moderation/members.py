"""Members as moderators see them (never an email address or health data), and sanctions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from community import audit, mail
from community.admin.services import apply_suspension
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Post
from community.models.moderation import (
    ActionKind,
    Appeal,
    MemberAction,
    QueueItem,
    Report,
    Resolution,
)
from community.moderation.common import (
    _days,
    _ensure_staff,
    _history,
    _member_action,
    _reason,
    _user,
)
from community.permissions import Guardian

MEMBER_PAGE_SIZE = 30


@dataclass(frozen=True)
class MemberCard:
    """What moderators may know about a member: never the email address, never health data."""

    id: int
    display_name: str
    role: str
    joined: datetime
    silenced_until: datetime | None
    suspended_until: datetime | None


def member_card(user: User) -> MemberCard:
    now = utcnow()
    return MemberCard(user.id, user.display_name, user.role, user.created_at,
                      user.silenced_until if user.is_silenced(now) else None,
                      user.suspended_until if user.is_suspended(now) else None)


@dataclass
class MemberRow:
    card: MemberCard
    post_count: int
    report_count: int
    action_count: int


def _counts(user_ids: list[int]) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    if not user_ids:
        return {}, {}, {}
    posts = dict(db.session.execute(select(Post.author_id, func.count(Post.id))
                                    .where(Post.author_id.in_(user_ids), Post.deleted_at.is_(None))
                                    .group_by(Post.author_id)).all())
    reports = dict(db.session.execute(select(Report.subject_id, func.count(Report.id))
                                      .where(Report.subject_id.in_(user_ids))
                                      .group_by(Report.subject_id)).all())
    actions = dict(db.session.execute(select(MemberAction.user_id, func.count(MemberAction.id))
                                      .where(MemberAction.user_id.in_(user_ids))
                                      .group_by(MemberAction.user_id)).all())
    return posts, reports, actions


def find_members(viewer: Any, query: str = "") -> list[MemberRow]:
    """Members by display name only (never by email), newest first, with their counts."""
    _ensure_staff(viewer)
    statement = select(User).order_by(User.id.desc()).limit(MEMBER_PAGE_SIZE)
    if query.strip():
        statement = statement.where(func.lower(User.display_name).like(
            "%" + query.strip().lower().replace("%", "").replace("_", "") + "%"))
    users = db.session.scalars(statement).all()
    posts, reports, actions = _counts([u.id for u in users])
    return [MemberRow(member_card(u), posts.get(u.id, 0), reports.get(u.id, 0), actions.get(u.id, 0))
            for u in users]


@dataclass
class MemberPage:
    row: MemberRow
    reports: list[tuple[Report, str | None]]
    history: list[tuple[MemberAction, Appeal | None]]
    can_sanction: bool


def member_overview(viewer: Any, user_id: int) -> MemberPage:
    """A member as moderators see them: name, joined, posts, reports about them, history."""
    guardian = _ensure_staff(viewer)
    user = _user(user_id)
    if user is None:
        raise NotFound()
    posts, reports, actions = _counts([user.id])
    row = MemberRow(member_card(user), posts.get(user.id, 0), reports.get(user.id, 0),
                    actions.get(user.id, 0))
    reporter = aliased(User)
    report_rows = db.session.execute(
        select(Report, reporter.display_name).outerjoin(reporter, Report.reporter_id == reporter.id)
        .where(Report.subject_id == user.id).order_by(Report.id.desc()).limit(50)).all()
    return MemberPage(row, [tuple(r) for r in report_rows], _history(user.id), guardian.can_sanction(user))


def _sanction(actor: User, target: User | None, action: str, reason: str, days: int | None,
              item: QueueItem | None = None) -> MemberAction:
    guardian = Guardian(actor)
    if target is None:
        raise ValidationFailed("There is no member to act on.", field="action")
    guardian.ensure(guardian.can_sanction(target), hide=True)
    now = utcnow()
    if action == Resolution.WARN:
        record = _member_action(actor, target.id, ActionKind.WARN, reason, item=item)
        audit.record(actor, "member.warn", target=target, reason=reason)
        mail.queue(target.email, "moderation_notice", user=target, kind="warning", reason=reason,
                   until=None, history_url=mail.external_url("moderation.history"))
    elif action == Resolution.SILENCE:
        until = now + timedelta(days=_days(days))
        before = {"silenced_until": target.silenced_until.isoformat() if target.silenced_until else None}
        target.silenced_until = until
        record = _member_action(actor, target.id, ActionKind.SILENCE, reason, ends_at=until, item=item)
        audit.record(actor, "member.silence", target=target, reason=reason, before=before,
                     after={"silenced_until": until.isoformat(), "days": days})
        mail.queue(target.email, "moderation_notice", user=target, kind="silence", reason=reason,
                   until=until, history_url=mail.external_url("moderation.history"))
    elif action == Resolution.SUSPEND:
        until = apply_suspension(actor, target, _days(days), reason)
        record = _member_action(actor, target.id, ActionKind.SUSPEND, reason, ends_at=until, item=item)
    else:
        raise ValidationFailed("Please choose warn, silence or suspend.", field="action")
    return record


def sanction_member(actor: User, user_id: int, action: str, reason: str, days: int | None = None) -> User:
    """Warn, silence (can't post) or suspend (can't sign in; signed out at once) a member."""
    _ensure_staff(actor)
    reason = _reason(reason)
    target = _user(user_id)
    if target is None:
        raise NotFound()
    _sanction(actor, target, action, reason, days)
    db.session.commit()
    return target


def lift_silence(actor: User, user_id: int, reason: str) -> User:
    """Let a silenced member post again before the silence ends."""
    guardian = _ensure_staff(actor)
    reason = _reason(reason)
    target = _user(user_id)
    if target is None:
        raise NotFound()
    guardian.ensure(guardian.can_sanction(target), hide=True)
    if not target.is_silenced():
        raise ValidationFailed(f"{target.display_name} is not silenced.", field="action")
    before = {"silenced_until": target.silenced_until.isoformat()}
    target.silenced_until = None
    audit.record(actor, "member.unsilence", target=target, reason=reason, before=before,
                 after={"silenced_until": None})
    db.session.commit()
    return target
