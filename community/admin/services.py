"""Admin work on members: roles and suspensions, each leaving a staff-log row."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, or_, select

from community import audit, mail
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import AuditEvent, Role, User
from community.permissions import Guardian

PAGE_SIZE = 50


def find_members(query: str = "", page: int = 1) -> tuple[list[User], bool]:
    """Members by display name (admins may also search by email), newest first; and whether more exist."""
    statement = select(User).order_by(User.id.desc())
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(or_(func.lower(User.display_name).like(pattern),
                                        User.email.like(pattern)))
    rows = db.session.scalars(statement.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def get_member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def set_role(actor: User, target_id: int, role: str, reason: str) -> User:
    """Give a member a new role; the change and its reason go to the staff log."""
    target = get_member(target_id)
    Guardian(actor).ensure(Guardian(actor).can_change_role(target))
    if role not in {r.value for r in Role}:
        raise ValidationFailed("Please choose member, moderator or admin.", field="role")
    if role == target.role:
        raise ValidationFailed(f"{target.display_name} is already a {role}.", field="role")
    before = {"role": target.role}
    target.role = role
    audit.record(actor, "user.set_role", target=target, reason=reason, before=before, after={"role": role})
    db.session.commit()
    return target


def suspend(actor: User, target_id: int, days: int, reason: str) -> User:
    """Stop a member signing in for some days; their sessions end at once and they are told why."""
    target = get_member(target_id)
    Guardian(actor).ensure(Guardian(actor).can_suspend(target))
    until = apply_suspension(actor, target, days, reason)
    from community.models.moderation import MemberAction  # so the member sees it and may appeal

    db.session.add(MemberAction(user_id=target.id, kind="suspend", reason=reason, ends_at=until,
                                moderator_id=actor.id))
    db.session.commit()
    return target


def apply_suspension(actor: User, target: User, days: int, reason: str):
    """Suspend, log and tell the member, without asking or committing (moderation shares this)."""
    until = utcnow() + timedelta(days=days)
    before = {"suspended_until": target.suspended_until.isoformat() if target.suspended_until else None}
    target.suspended_until = until
    target.suspension_reason = reason
    target.rotate_session_token()
    audit.record(actor, "user.suspend", target=target, reason=reason, before=before,
                 after={"suspended_until": until.isoformat(), "days": days})
    mail.queue(target.email, "suspended", user=target, until=until, reason=reason)
    return until


def lift_suspension(actor: User, target_id: int, reason: str) -> User:
    """End a suspension early."""
    target = get_member(target_id)
    Guardian(actor).ensure(Guardian(actor).can_suspend(target))
    if not target.is_suspended():
        raise ValidationFailed(f"{target.display_name} is not suspended.")
    before = {"suspended_until": target.suspended_until.isoformat()}
    target.suspended_until = None
    target.suspension_reason = None
    audit.record(actor, "user.unsuspend", target=target, reason=reason, before=before,
                 after={"suspended_until": None})
    db.session.commit()
    return target


def staff_log(page: int = 1) -> tuple[list[AuditEvent], bool]:
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def create_admin(email: str, display_name: str, password: str) -> User:
    """Create a verified admin from the command line (first admin of a new site)."""
    from community.auth.services import check_password_policy, display_name_taken, find_by_email
    from community.passwords import hash_password

    check_password_policy(password, email, display_name)
    if find_by_email(email) is not None:
        raise ValidationFailed("An account with that email address already exists; use set-role.")
    if display_name_taken(display_name):
        raise ValidationFailed("That display name is taken.")
    user = User(email=email.strip().lower(), display_name=display_name.strip(),
                password_hash=hash_password(password), role=Role.ADMIN.value,
                email_verified_at=utcnow())
    db.session.add(user)
    db.session.flush()
    audit.record(None, "user.create_admin", target=user, after={"role": Role.ADMIN.value},
                 reason="created from the command line")
    db.session.commit()
    return user


def set_role_from_cli(email: str, role: str, reason: str) -> User:
    """Change a role from the command line (the operator is the actor)."""
    from community.auth.services import find_by_email

    target = find_by_email(email)
    if target is None:
        raise NotFound()
    if role not in {r.value for r in Role}:
        raise ValidationFailed("role must be member, moderator or admin")
    before = {"role": target.role}
    target.role = role
    audit.record(None, "user.set_role", target=target, reason=reason, before=before, after={"role": role})
    db.session.commit()
    return target
