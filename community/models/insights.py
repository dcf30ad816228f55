"""Community insights: each member's contribution consent, and the published aggregates.

Consent rows are the member's own (append-only, like trial consent). Published
pages hold only numbers that passed disclosure control at refresh time: no
member ids, no row that points back at a person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, UTCDateTime, append_only, utcnow

# The users table must register for export/erasure before these rows do.
from community.models import user as _user  # noqa: E402,F401,I001


class InsightsConsent(Base):
    """One decision about counting the member's records in community statistics; the latest row counts."""

    __tablename__ = "insights_consents"
    __table_args__ = (
        CheckConstraint("action IN ('given', 'withdrawn')", name="action_known"),
        Index("ix_insights_consents_user_latest", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Only account erasure removes them (a bulk delete, which skips ORM events).
append_only(InsightsConsent, "insights consent records")


class InsightsPage(Base):
    """One published page of aggregates for one cohort ("all", "sle", "sle:40-59"), replaced each refresh."""

    __tablename__ = "insights_pages"
    __table_args__ = (UniqueConstraint("kind", "slug", "cohort"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    slug: Mapped[str] = mapped_column(String(60))
    cohort: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[dict] = mapped_column(JSON, default=dict)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


from community import userdata  # noqa: E402 - registration follows the models it describes

userdata.register(InsightsConsent, owner_column="user_id", section="insights_consent")
