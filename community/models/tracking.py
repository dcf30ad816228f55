"""Private health records: check-ins, symptoms, flares, treatments, labs, profile, settings.

Every row here is owner-only. Local calendar days (a check-in's day, a flare's
start) are plain dates computed from the member's time zone when entered;
moments (created/updated) are UTC timestamps.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, UTCDateTime, utcnow

# The users table must register for export/erasure before these rows do:
# erasure runs in reverse registration order, so the account row goes last.
from community.models import user as _user  # noqa: E402,F401,I001

# The labelled 0–4 scale used for every symptom rating; everything else derives from these words.
SEVERITY_WORDS = ("none", "mild", "moderate", "severe", "very severe")
SEVERITY_SCALE = range(len(SEVERITY_WORDS))
SEVERITY_MAX = SEVERITY_SCALE[-1]
WELLBEING_WORDS = {1: "very bad", 2: "bad", 3: "okay", 4: "good", 5: "very good"}
FLARE_SEVERITIES = ("mild", "moderate", "severe")


class Symptom(Base):
    """A symptom to rate: the shared catalogue (no owner) or a member's own (owner_id set)."""

    __tablename__ = "tracking_symptoms"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str | None] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(60))
    explanation: Mapped[str] = mapped_column(String(200), default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=1000)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Medication(Base):
    """The catalogue of lupus medicines offered when adding a treatment."""

    __tablename__ = "tracking_medications"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(80))
    explanation: Mapped[str] = mapped_column(String(200), default="")
    default_unit: Mapped[str] = mapped_column(String(20), default="mg")
    default_frequency: Mapped[str] = mapped_column(String(30), default="once_daily")
    sort_order: Mapped[int] = mapped_column(Integer, default=1000)


class LabTest(Base):
    """The catalogue of lab tests people with lupus usually follow."""

    __tablename__ = "tracking_lab_tests"
    __table_args__ = (UniqueConstraint("slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(80))
    explanation: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    is_titre: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=1000)


class HealthProfile(Base):
    """The member's own health background; every answer is optional."""

    __tablename__ = "tracking_health_profiles"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    diagnoses: Mapped[list] = mapped_column(JSON, default=list)
    nephritis_class: Mapped[str] = mapped_column(String(10), default="")
    other_diagnosis: Mapped[str] = mapped_column(String(120), default="")
    diagnosed_year: Mapped[int | None] = mapped_column(Integer)
    diagnosed_month: Mapped[int | None] = mapped_column(Integer)
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(60), default="")
    region: Mapped[str] = mapped_column(String(60), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    organs: Mapped[list] = mapped_column(JSON, default=list)
    pregnancy: Mapped[str] = mapped_column(String(20), default="")
    # Conditions studies ask about, by key (see tracking.catalogue.HISTORY_CONDITIONS):
    # {"hiv": {"answer": "no"}, "cancer": {"answer": "yes", "year": 2019}}; a missing key is unanswered.
    medical_history: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TrackingSettings(Base):
    """Reminder preferences and the member's questions for their next appointment."""

    __tablename__ = "tracking_settings"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reminder_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_time: Mapped[time | None] = mapped_column(Time())
    # The member's local date of the last reminder, so a scheduler running
    # every few minutes sends at most one a day.
    reminder_last_sent_on: Mapped[date | None] = mapped_column(Date)
    doctor_questions: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Treatment(Base):
    """A medicine taken from a start date to an optional stop date, at one dose."""

    __tablename__ = "tracking_treatments"
    __table_args__ = (
        CheckConstraint("dose > 0", name="dose_positive"),
        CheckConstraint("stop_date IS NULL OR stop_date >= start_date", name="stop_after_start"),
        Index("ix_tracking_treatments_user_start", "user_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    medication_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_medications.id"))
    name: Mapped[str] = mapped_column(String(80))
    dose: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    frequency: Mapped[str] = mapped_column(String(30))
    start_date: Mapped[date] = mapped_column(Date)
    stop_date: Mapped[date | None] = mapped_column(Date)
    stop_reason: Mapped[str] = mapped_column(String(20), default="")
    # "How well is it working for you?" (catalogue.TREATMENT_RATINGS), "" when not answered.
    rating: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # A dose change ends one row and starts the next; this links them.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_treatments.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    side_effects: Mapped[list[TreatmentSideEffect]] = relationship(
        back_populates="treatment", lazy="raise", order_by="TreatmentSideEffect.noted_on",
        cascade="all, delete-orphan")

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.stop_date is None or self.stop_date >= day)


class TreatmentSideEffect(Base):
    """A side effect the member noticed on a treatment, dated."""

    __tablename__ = "tracking_side_effects"
    __table_args__ = (
        CheckConstraint(f"severity IS NULL OR (severity >= 0 AND severity <= {SEVERITY_MAX})", name="severity_scale"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("tracking_treatments.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    noted_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(300))
    severity: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    treatment: Mapped[Treatment] = relationship(back_populates="side_effects", lazy="raise")


class CheckIn(Base):
    """How the member was on one local calendar day (at most one per day)."""

    __tablename__ = "tracking_checkins"
    __table_args__ = (
        UniqueConstraint("user_id", "day"),
        CheckConstraint("wellbeing IS NULL OR (wellbeing >= 1 AND wellbeing <= 5)", name="wellbeing_scale"),
        CheckConstraint("sleep_hours IS NULL OR (sleep_hours >= 0 AND sleep_hours <= 24)",
                        name="sleep_hours_possible"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    wellbeing: Mapped[int | None] = mapped_column(Integer)
    sleep_hours: Mapped[float | None] = mapped_column(Float)
    triggers: Mapped[list] = mapped_column(JSON, default=list)
    custom_trigger: Mapped[str] = mapped_column(String(80), default="")
    # Ids of the member's treatments taken that day (adherence).
    medications_taken: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    ratings: Mapped[list[SymptomRating]] = relationship(
        back_populates="checkin", lazy="raise", cascade="all, delete-orphan")


class SymptomRating(Base):
    """One symptom rated 0–4 in one check-in."""

    __tablename__ = "tracking_symptom_ratings"
    __table_args__ = (
        UniqueConstraint("checkin_id", "symptom_id"),
        CheckConstraint(f"severity >= 0 AND severity <= {SEVERITY_MAX}", name="severity_scale"),
        Index("ix_tracking_symptom_ratings_user_symptom", "user_id", "symptom_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("tracking_checkins.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    symptom_id: Mapped[int] = mapped_column(ForeignKey("tracking_symptoms.id"))
    severity: Mapped[int] = mapped_column(Integer)

    checkin: Mapped[CheckIn] = relationship(back_populates="ratings", lazy="raise")


class Flare(Base):
    """A flare episode: a start, an end (open while ongoing), and what it was like."""

    __tablename__ = "tracking_flares"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint("severity IN ('mild', 'moderate', 'severe')", name="severity_known"),
        Index("ix_tracking_flares_user_start", "user_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(10))
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    organs: Mapped[list] = mapped_column(JSON, default=list)
    triggers: Mapped[list] = mapped_column(JSON, default=list)
    actions: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class LabResult(Base):
    """One lab value on one date, with the lab's own reference range when given."""

    __tablename__ = "tracking_lab_results"
    __table_args__ = (
        CheckConstraint("ref_low IS NULL OR ref_high IS NULL OR ref_low <= ref_high", name="range_ordered"),
        Index("ix_tracking_lab_results_user_taken", "user_id", "taken_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    lab_test_id: Mapped[int | None] = mapped_column(ForeignKey("tracking_lab_tests.id"))
    name: Mapped[str] = mapped_column(String(80))
    value: Mapped[float] = mapped_column(Float)
    value_text: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(20), default="")
    taken_on: Mapped[date] = mapped_column(Date)
    ref_low: Mapped[float | None] = mapped_column(Float)
    ref_high: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def flag(self) -> str:
        """"high", "low" or "" against the lab's own reference range."""
        if self.ref_high is not None and self.value > self.ref_high:
            return "high"
        if self.ref_low is not None and self.value < self.ref_low:
            return "low"
        return ""


from community import userdata  # noqa: E402 - registration follows the models it describes

# Parents first: deletion walks the registry backwards, children before parents.
userdata.register(HealthProfile, owner_column="user_id", section="health_profile")
userdata.register(TrackingSettings, owner_column="user_id", section="tracking_settings")
userdata.register(Symptom, owner_column="owner_id", section="custom_symptoms")
userdata.register(Treatment, owner_column="user_id", section="treatments")
userdata.register(TreatmentSideEffect, owner_column="user_id", section="treatment_side_effects")
userdata.register(CheckIn, owner_column="user_id", section="check_ins")
userdata.register(SymptomRating, owner_column="user_id", section="symptom_ratings")
userdata.register(Flare, owner_column="user_id", section="flares")
userdata.register(LabResult, owner_column="user_id", section="lab_results")
