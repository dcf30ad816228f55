"""The staff log: every staff action a viewer may see, filtered (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, true

from community.db import db
from community.models import AuditEvent
from community.moderation.common import (
    _ensure_staff,
)

LOG_PAGE_SIZE = 50


@dataclass
class LogPage:
    events: list[AuditEvent]
    has_more: bool
    moderators: list[tuple[int, str]]
    actions: list[str]


def staff_log(viewer: Any, *, moderator: int | None = None, member: str = "", action: str = "",
              page: int = 1) -> LogPage:
    """Every staff action this viewer may see, newest first, filtered by who did it, to whom
    and what (read-only)."""
    guardian = _ensure_staff(viewer)
    visible = and_(true(), *(AuditEvent.action.not_like(f"{prefix}%")
                     for prefix in guardian.staff_log_hidden_prefixes()))
    statement = select(AuditEvent).where(visible)
    if moderator:
        statement = statement.where(AuditEvent.actor_id == moderator)
    if member.strip():
        statement = statement.where(func.lower(AuditEvent.target_name) == member.strip().lower())
    if action:
        statement = statement.where(AuditEvent.action == action)
    rows = db.session.scalars(statement.order_by(AuditEvent.id.desc())
                              .offset((page - 1) * LOG_PAGE_SIZE).limit(LOG_PAGE_SIZE + 1)).all()
    moderators = db.session.execute(
        select(AuditEvent.actor_id, func.max(AuditEvent.actor_name))
        .where(AuditEvent.actor_id.is_not(None), visible).group_by(AuditEvent.actor_id)
        .order_by(func.max(AuditEvent.actor_name))).all()
    actions = db.session.scalars(select(AuditEvent.action).where(visible).distinct()
                                 .order_by(AuditEvent.action)).all()
    return LogPage(list(rows[:LOG_PAGE_SIZE]), len(rows) > LOG_PAGE_SIZE,
                   [(i, n) for i, n in moderators], list(actions))
