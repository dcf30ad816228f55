"""Clinical-trial suggestions: the trial catalogue, its criteria, and each member's consent and matches.

Trials and criteria are public reference data. Consent records, matches,
interest marks and trial notifications are the member's own and owner-only;
matches are derived data that withdrawal of consent deletes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, UTCDateTime, append_only, utcnow

# The users table registers for export/erasure first, so erasure (which walks
# the registry backwards) removes these rows before the account row.
from community.models import user as _user  # noqa: F401,I001

GROUPS = ("may_fit", "worth_asking", "probably_not")
CRITERION_SOURCES = ("registry", "curated")


class Trial(Base):
    """One study, stored from a ClinicalTrials.gov API v2 record."""

    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nct_id: Mapped[str] = mapped_column(String(11), unique=True)
    brief_title: Mapped[str] = mapped_column(Text)
    official_title: Mapped[str] = mapped_column(Text, default="")
    acronym: Mapped[str] = mapped_column(String(120), default="")
    overall_status: Mapped[str] = mapped_column(String(40), default="", index=True)
    phases: Mapped[list] = mapped_column(JSON, default=list)
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    interventions: Mapped[list] = mapped_column(JSON, default=list)
    lead_sponsor: Mapped[str] = mapped_column(String(300), default="")
    collaborators: Mapped[list] = mapped_column(JSON, default=list)
    brief_summary: Mapped[str] = mapped_column(Text, default="")
    minimum_age: Mapped[str] = mapped_column(String(30), default="")
    maximum_age: Mapped[str] = mapped_column(String(30), default="")
    minimum_age_years: Mapped[float | None] = mapped_column(Float)
    maximum_age_years: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str] = mapped_column(String(10), default="")
    healthy_volunteers: Mapped[bool | None] = mapped_column(Boolean)
    eligibility_text: Mapped[str] = mapped_column(Text, default="")
    # True when the text is someone's summary of the registry record, not its own words.
    eligibility_is_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    locations: Mapped[list] = mapped_column(JSON, default=list)
    central_contacts: Mapped[list] = mapped_column(JSON, default=list)
    last_update_date: Mapped[str] = mapped_column(String(10), default="")
    source_urls: Mapped[list] = mapped_column(JSON, default=list)
    checked_on: Mapped[str] = mapped_column(String(10), default="")
    # Registry fields we could not confirm and deliberately left empty: "not stated" ≠ "no limit".
    left_out: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped by imports and criteria edits so stored matches know they are stale.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    criteria: Mapped[list[TrialCriterion]] = relationship(
        back_populates="trial", lazy="raise", order_by="TrialCriterion.position",
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def registry_url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    @property
    def display_title(self) -> str:
        if self.acronym and self.acronym.lower() not in self.brief_title.lower():
            return f"{self.acronym}: {self.brief_title}"
        return self.brief_title


class TrialCriterion(Base):
    """One structured criterion the matcher evaluates: derived from the registry or curated by an admin."""

    __tablename__ = "trial_criteria"
    __table_args__ = (
        CheckConstraint("source IN ('registry', 'curated')", name="source_known"),
        Index("ix_trial_criteria_trial_position", "trial_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    trial: Mapped[Trial] = relationship(back_populates="criteria", lazy="raise")


class TrialConsent(Base):
    """One consent decision, append-only: the latest row for a member is their current answer."""

    __tablename__ = "trial_consents"
    __table_args__ = (
        CheckConstraint("action IN ('given', 'withdrawn')", name="action_known"),
        Index("ix_trial_consents_user_created", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    # The data categories the member allowed (profile, treatments, flares, symptoms, labs).
    categories: Mapped[list] = mapped_column(JSON, default=list)
    email_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Only account erasure removes them (a bulk delete, which skips ORM events).
append_only(TrialConsent, "consent records")


class TrialMatch(Base):
    """Derived: how one trial's criteria came out against one member's own data."""

    __tablename__ = "trial_matches"
    __table_args__ = (
        UniqueConstraint("user_id", "trial_id"),
        CheckConstraint("grouping IN ('may_fit', 'worth_asking', 'probably_not')", name="grouping_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    grouping: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[list] = mapped_column(JSON, default=list)
    proximity: Mapped[str] = mapped_column(String(200), default="")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trial: Mapped[Trial] = relationship(lazy="raise")


class TrialMatchState(Base):
    """Derived: what the member's matches were computed from, so changes trigger a recompute."""

    __tablename__ = "trial_match_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    facts_digest: Mapped[str] = mapped_column(String(64))
    consent_id: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrialInterest(Base):
    """The member marked a trial "I'm interested": nothing is sent anywhere."""

    __tablename__ = "trial_interests"
    __table_args__ = (UniqueConstraint("user_id", "trial_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trial: Mapped[Trial] = relationship(lazy="raise")


class TrialNotification(Base):
    """In-app note that a trial newly may fit the member."""

    __tablename__ = "trial_notifications"
    __table_args__ = (Index("ix_trial_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    trial: Mapped[Trial] = relationship(lazy="raise")


from community import userdata  # noqa: E402 - registration follows the models it describes

userdata.register(TrialConsent, owner_column="user_id", section="trial_consent")
userdata.register(TrialMatchState, owner_column="user_id", section="trial_match_state")
userdata.register(TrialMatch, owner_column="user_id", section="trial_matches")
userdata.register(TrialInterest, owner_column="user_id", section="trial_interests")
userdata.register(TrialNotification, owner_column="user_id", section="trial_notifications")
