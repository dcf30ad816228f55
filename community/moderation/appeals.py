"""A member's own moderation history and appeals, and admins deciding them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from community import audit, mail
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Post, PostRevision, Topic
from community.models.moderation import (
    ActionKind,
    Appeal,
    AppealStatus,
    MemberAction,
)
from community.models.user import Role
from community.moderation.common import (
    _history,
    _reason,
    _user,
)
from community.moderation.post_actions import _edit
from community.permissions import Guardian


def my_history(user: User) -> list[tuple[MemberAction, Appeal | None]]:
    """What moderators did to this member's account and posts, with any appeal (never who reported)."""
    Guardian(user).ensure(Guardian(user).is_member, hide=True)
    return _history(user.id)


def appeal_target(user: User, action_id: int) -> MemberAction:
    """One of the member's own actions that they haven't appealed yet (404 otherwise)."""
    guardian = Guardian(user)
    action = db.session.get(MemberAction, action_id)
    if action is None:
        raise NotFound()
    guardian.ensure(guardian.can_view_own_action(action), hide=True)  # owner only
    already = db.session.scalar(select(Appeal.id).where(Appeal.action_id == action.id)) is not None
    if not guardian.can_appeal(action, already_appealed=already):
        # Their own action, appealed before: say so rather than pretend it isn't there.
        raise ValidationFailed("You have already appealed this decision. An admin will reply.")
    return action


def appeal(user: User, action_id: int, message: str) -> Appeal:
    """Ask the admins to look again at an action (once per action)."""
    action = appeal_target(user, action_id)
    message = (message or "").strip()
    if len(message) < 10:
        raise ValidationFailed("Please tell the admins in a sentence or two why this should change.",
                               field="message")
    record = Appeal(action_id=action.id, user_id=user.id, message=message,
                    status=AppealStatus.OPEN.value, created_at=utcnow())
    db.session.add(record)
    audit.record(user, "appeal.open", target=user, reason=message,
                 after={"action_id": action.id, "kind": action.kind})
    db.session.flush()
    # Admins hear of it by email; the message itself stays on the site.
    for admin_email in db.session.scalars(select(User.email).where(User.role == Role.ADMIN.value)):
        mail.queue(admin_email, "appeal_opened", member_name=user.display_name,
                   appeal_url=mail.external_url("moderation.decide_appeal", appeal_id=record.id))
    db.session.commit()
    return record


@dataclass
class AppealRow:
    appeal: Appeal
    action: MemberAction
    member_name: str | None


def list_appeals(viewer: Any) -> list[AppealRow]:
    """Open appeals first, oldest first, then the latest decided ones (admins)."""
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_decide_appeals(), hide=True)
    rows = db.session.execute(
        select(Appeal, MemberAction, User.display_name)
        .join(MemberAction, Appeal.action_id == MemberAction.id)
        .outerjoin(User, Appeal.user_id == User.id)
        .order_by((Appeal.status == AppealStatus.OPEN.value).desc(), Appeal.created_at)
        .limit(200)).all()
    return [AppealRow(*r) for r in rows]


def get_appeal(viewer: Any, appeal_id: int) -> AppealRow:
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_decide_appeals(), hide=True)
    row = db.session.execute(
        select(Appeal, MemberAction, User.display_name)
        .join(MemberAction, Appeal.action_id == MemberAction.id)
        .outerjoin(User, Appeal.user_id == User.id).where(Appeal.id == appeal_id)).first()
    if row is None:
        raise NotFound()
    return AppealRow(*row)


def _undo(actor: User, action: MemberAction, reason: str) -> None:
    target = _user(action.user_id)
    now = utcnow()
    if action.kind == ActionKind.SILENCE and target is not None and target.silenced_until:
        target.silenced_until = None
    elif action.kind == ActionKind.SUSPEND and target is not None and target.suspended_until:
        target.suspended_until, target.suspension_reason = None, None
    elif action.kind in (ActionKind.HIDE_POST, ActionKind.DELETE_POST) and action.post_id:
        post = db.session.get(Post, action.post_id)
        if action.kind == ActionKind.HIDE_POST:
            post.hidden_at = None
        else:
            post.deleted_at = None
    elif action.kind == ActionKind.EDIT_POST and action.post_id:
        revision = db.session.scalar(select(PostRevision).where(
            PostRevision.post_id == action.post_id, PostRevision.editor_id == action.moderator_id)
            .order_by(PostRevision.id.desc()).limit(1))
        if revision is not None:
            _edit(actor, db.session.get(Post, action.post_id),
                  db.session.get(Topic, db.session.get(Post, action.post_id).topic_id),
                  revision.body_raw, reason)
            # _edit recorded an "edit_post" action on the member; this restore isn't one.
            db.session.flush()
            db.session.execute(update(MemberAction).where(
                MemberAction.post_id == action.post_id, MemberAction.id != action.id,
                MemberAction.kind == ActionKind.EDIT_POST.value,
                MemberAction.created_at >= now).values(undone_at=now))
    action.undone_at = now


def decide_appeal(actor: User, appeal_id: int, decision: str, reason: str) -> Appeal:
    """Uphold an action or overturn it (which undoes it); the member is told either way."""
    row = get_appeal(actor, appeal_id)
    reason = _reason(reason)
    record = row.appeal
    if record.status != AppealStatus.OPEN:
        raise ValidationFailed("This appeal has already been decided.")
    if decision not in (AppealStatus.UPHELD, AppealStatus.OVERTURNED):
        raise ValidationFailed("Please choose to keep or overturn the decision.", field="decision")
    if decision == AppealStatus.OVERTURNED:
        _undo(actor, row.action, reason)
    record.status, record.decided_by_id, record.decided_at = decision, actor.id, utcnow()
    record.decision_reason = reason
    member = _user(record.user_id)
    audit.record(actor, f"appeal.{decision}", target=member, reason=reason,
                 before={"appeal_id": record.id, "action": row.action.kind, "status": "open"},
                 after={"appeal_id": record.id, "status": decision})
    if member is not None:
        mail.queue(member.email, "appeal_decided", user=member, decision=decision, reason=reason,
                   history_url=mail.external_url("moderation.history"))
    db.session.commit()
    return record
