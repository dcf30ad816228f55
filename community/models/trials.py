"""Clinical-trial suggestions: the trial catalogue, its criteria, and each member's consent and matches.

Trials and criteria are public reference data. Consent records, matches,
interest marks and trial notifications are the member's own and owner-only;
matches are derived data that withdrawal of consent deletes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
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

NCT_ID = re.compile(r"^NCT\d{8}$")  # a ClinicalTrials.gov id: NCT and eight digits
GROUPS = ("may_fit", "worth_asking", "probably_not")
CRITERION_SOURCES = ("registry", "curated", "text")
BULLET_SIDES = ("inclusion", "exclusion", "unstated")
# auto: as the reader read it; confirmed / corrected / discarded: an admin's decision, kept across
# re-reads and re-imports while the bullet's words are unchanged.
BULLET_REVIEWS = ("auto", "confirmed", "corrected", "discarded")


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
    # Which version of the text reader last read the eligibility text (0: never read).
    reader_version: Mapped[int] = mapped_column(Integer, default=0)
    # Why the text was not read ("", "too long", "markup", "binary", "empty"), shown to admins.
    reading_skipped: Mapped[str] = mapped_column(String(40), default="")
    # The registry's text changed under an admin's reviewed readings: they need a look.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped by imports and criteria edits so stored matches know they are stale.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # What matching reads of this study (status, criteria, sites), hashed, and the catalogue version at which
    # that last changed: a re-match after an import re-evaluates only studies newer than the member's match.
    match_fingerprint: Mapped[str] = mapped_column(String(64), server_default="")
    match_version: Mapped[int] = mapped_column(Integer, server_default="0", index=True)

    criteria: Mapped[list[TrialCriterion]] = relationship(
        back_populates="trial", lazy="raise", order_by="TrialCriterion.position",
        cascade="all, delete-orphan", passive_deletes=True)
    bullets: Mapped[list[TrialBullet]] = relationship(
        back_populates="trial", lazy="raise", order_by="TrialBullet.position",
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def registry_url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    @property
    def display_title(self) -> str:
        if self.acronym and self.acronym.lower() not in self.brief_title.lower():
            return f"{self.acronym}: {self.brief_title}"
        return self.brief_title


class TrialBullet(Base):
    """One bullet of the registry's eligibility text, verbatim, with its side and an admin's review."""

    __tablename__ = "trial_bullets"
    __table_args__ = (
        CheckConstraint("side IN ('inclusion', 'exclusion', 'unstated')", name="side_known"),
        CheckConstraint("review IN ('auto', 'confirmed', 'corrected', 'discarded')", name="review_known"),
        Index("ix_trial_bullets_trial_position", "trial_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    # A lead-in line ("Any of the following will exclude:"), shown but not a criterion itself.
    note: Mapped[bool] = mapped_column(Boolean, default=False)
    # The sub-population a heading named ("For patients"), when the text has several.
    group_name: Mapped[str] = mapped_column(String(200), default="")
    review: Mapped[str] = mapped_column(String(10), default="auto")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The reviewed bullet's words changed in a re-import: an admin should look again.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)

    trial: Mapped[Trial] = relationship(back_populates="bullets", lazy="raise")


class TrialCriterion(Base):
    """One structured criterion the matcher evaluates: from the registry's fields, read from a bullet of
    its eligibility text, or curated by an admin."""

    __tablename__ = "trial_criteria"
    __table_args__ = (
        CheckConstraint("source IN ('registry', 'curated', 'text')", name="source_known"),
        Index("ix_trial_criteria_trial_position", "trial_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # The bullet this criterion was read from (source "text", or "curated" when an admin corrected it).
    bullet_id: Mapped[int | None] = mapped_column(ForeignKey("trial_bullets.id", ondelete="CASCADE"), index=True)
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
    # An order-preserving number for the outcome's place in the member's list (matching.rank_key), not a
    # position: one study's re-match never moves the others' rows. (SQLite's INTEGER is 64-bit already.)
    rank: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    # Each criterion's result as [key, bullet]: the key names the member's TrialMatchResult holding its
    # words (a member's thousands of matches share a few hundred distinct results, so each is stored
    # once), the bullet is the position of the eligibility bullet it was read from (or null). Pages read
    # ``results``, the words themselves, which trials.matching_runs.with_results attaches.
    result_keys: Mapped[list] = mapped_column(JSON, default=list)
    proximity: Mapped[str] = mapped_column(String(200), default="")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trial: Mapped[Trial] = relationship(lazy="raise")


class TrialMatchResult(Base):
    """Derived: one distinct criterion result among a member's matches (its label, outcome, evidence…),
    named by a digest of its content (matching.CriterionResult.key)."""

    __tablename__ = "trial_match_results"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    result: Mapped[dict] = mapped_column(JSON)


class TrialMatchState(Base):
    """Derived: what the member's matches were computed from, so changes trigger a recompute."""

    __tablename__ = "trial_match_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    facts_digest: Mapped[str] = mapped_column(String(64))
    consent_id: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The member's records_version, the day their facts were read as of, and the catalogue version the
    # stored matches reflect: equal stamps mean nothing to re-match; only the catalogue newer means
    # re-evaluating only the studies that changed since.
    records_version: Mapped[int] = mapped_column(Integer, default=-1, server_default="-1")
    matched_on: Mapped[date | None] = mapped_column(Date)
    catalogue_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The facts the matches came from (evidence.snapshot): a re-match of changed studies while the
    # records stamp is unchanged reads these instead of the records. Derived health data: owner-only,
    # exported with the state, deleted with the matches.
    facts: Mapped[str | None] = mapped_column(Text)


class TrialCatalogue(Base):
    """One row: the catalogue's version, raised whenever a study's matching inputs change.

    A counter row rather than MAX(match_version): raising it takes the row's lock, so two imports
    committing at once get different versions and a member matched in between never misses one.
    """

    __tablename__ = "trial_catalogue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


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
userdata.register(TrialMatchResult, owner_column="user_id", section="trial_match_results")
userdata.register(TrialInterest, owner_column="user_id", section="trial_interests")
userdata.register(TrialNotification, owner_column="user_id", section="trial_notifications")
