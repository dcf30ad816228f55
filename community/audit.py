"""Writing append-only audit rows for staff actions and consent changes."""

from __future__ import annotations

from typing import Any

from community.db import db
from community.models.audit import AuditEvent


def record(actor: Any, action: str, *, target: Any = None, reason: str = "",
           before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Add an audit row to the current transaction; the caller's commit makes it durable."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "display_name", "system"),
        action=action,
        target_user_id=getattr(target, "id", None),
        target_name=getattr(target, "display_name", None),
        reason=reason,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
