"""Append-only records of staff actions and consent changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, UTCDateTime, append_only, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Plain ids, not foreign keys: the record of who did what outlives both accounts.
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    target_name: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


append_only(AuditEvent, "audit events")


from community import userdata  # noqa: E402

userdata.register(AuditEvent, owner_column="target_user_id", section="moderation_history",
                  on_delete=userdata.OnDelete.KEEP,
                  why_kept="the staff log is append-only so moderation stays accountable; "
                           "it holds no health data")
