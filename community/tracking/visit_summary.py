"""The doctor-visit summary: a period's symptoms and how they went lately, flares, treatments and labs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    CheckIn,
    Flare,
    HealthProfile,
    LabResult,
    Symptom,
    TrackingSettings,
    Treatment,
)
from community.tracking import catalogue
from community.tracking.common import (
    guard,
    local_today,
    symptoms_for,
)
from community.tracking.health_profile import get_profile
from community.tracking.history import (
    checkins_between,
    flares_between,
    labs_between,
    treatment_events_between,
)
from community.tracking.preferences import get_settings


@dataclass
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class SymptomSummary:
    """One symptom over a period: its average, worst and days rated, and (with trend windows) which way it went."""

    symptom: Symptom
    average: float
    days: int
    worst: int
    trend: str = ""  # "better", "worse", "about the same"; empty when there is too little to tell
    recent: float | None = None
    earlier: float | None = None


def top_symptoms(checkins: list[CheckIn], symptoms: dict[int, Symptom], limit: int = 5,
                 trend: TrendWindows | None = None) -> list[SymptomSummary]:
    """Symptoms ranked by average rating, with days rated and (``trend``) recent against earlier ratings."""
    values: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for c in checkins:
        for r in c.ratings:
            values[r.symptom_id].append((c.day, r.severity))
    rows = []
    for symptom_id, pairs in values.items():
        if symptom_id not in symptoms:
            continue
        severities = [s for _d, s in sorted(pairs)]
        row = SymptomSummary(symptom=symptoms[symptom_id], average=sum(severities) / len(severities),
                             days=len(pairs), worst=max(severities))
        if trend is not None and (lately := trend.compare(pairs)) is not None:
            row.trend, row.recent, row.earlier = lately
        rows.append(row)
    rows.sort(key=lambda r: (-r.average, -r.days, r.symptom.name))
    return rows[:limit]


@dataclass
class TrendWindows:
    """"Lately": the last ``days`` days of a period against the same number of days just before.

    Like is compared with like: two equal spans of the calendar, not the later and earlier
    halves of whichever days were rated (a symptom rated only during a flare and then on
    the way down would otherwise read as worse while it recovers).
    """

    end: date
    days: int
    MIN_RATINGS = 3  # fewer ratings than this in either span say too little to call a direction

    @classmethod
    def for_period(cls, period: Period) -> TrendWindows | None:
        days = min(14, period.days // 2)
        return cls(period.end, days) if days >= cls.MIN_RATINGS else None  # too short to hold 3 a side

    @property
    def recent_start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    @property
    def earlier_start(self) -> date:
        return self.recent_start - timedelta(days=self.days)

    @property
    def earlier_end(self) -> date:
        return self.recent_start - timedelta(days=1)

    def compare(self, pairs: list[tuple[date, int]]) -> tuple[str, float, float] | None:
        """(direction, recent average, earlier average), or None with too few ratings in either span."""
        recent = [s for d, s in pairs if self.recent_start <= d <= self.end]
        earlier = [s for d, s in pairs if self.earlier_start <= d <= self.earlier_end]
        if len(recent) < self.MIN_RATINGS or len(earlier) < self.MIN_RATINGS:
            return None
        now, before = sum(recent) / len(recent), sum(earlier) / len(earlier)
        word = "better" if now - before <= -0.5 else "worse" if now - before >= 0.5 else "about the same"
        return word, now, before


@dataclass
class PastTreatment:
    """A course of a medicine stopped before the period: its last dose step, first start and stop."""

    treatment: Treatment
    started: date
    stopped: date
    reason: str


def _tried_before(user: Any, start: date) -> list[PastTreatment]:
    """Medicines stopped before ``start``: one row per course (dose changes joined), latest stop first."""
    earlier = {t.id: t for t in db.session.scalars(select(Treatment).where(
        Treatment.user_id == user.id, Treatment.stop_date < start))}
    rows = []
    for t in earlier.values():
        if t.stop_reason == catalogue.DOSE_CHANGED[0]:
            continue  # an earlier dose of a course; the course's last step stands for it
        first = t
        while first.previous_id in earlier:  # dose steps point back to the one they replaced
            first = earlier[first.previous_id]
        rows.append(PastTreatment(treatment=t, started=first.start_date, stopped=t.stop_date,
                                  reason=t.stop_reason))
    return sorted(rows, key=lambda r: (r.stopped, r.treatment.id), reverse=True)


@dataclass
class DoctorSummary:
    period: Period
    today: date
    checkins: int  # how many days were checked in
    top: list[SymptomSummary]
    trend: TrendWindows | None
    wellbeing: float | None
    sleep: float | None
    flares: list[Flare]
    events: list[tuple[date, str, Treatment]]
    treatments: list[Treatment]  # still running at the end of the period
    tried_before: list[PastTreatment]
    adherence: dict[int, tuple[int, int]]  # treatment id -> (days taken, days due)
    labs: list[LabResult]
    labs_out_of_range: list[LabResult]
    triggers: list[tuple[str, int]]
    profile: HealthProfile | None
    history: list[str]
    settings: TrackingSettings


def doctor_summary(user: Any, period: Period, *, today: date | None = None) -> DoctorSummary:
    """What a doctor wants from a period: symptoms and trends, flares, treatment changes, labs."""
    guard(user)
    today = today or local_today(user)
    if period.end > today:
        raise ValidationFailed("The period can't end in the future.", field="end")
    if period.start > period.end:
        raise ValidationFailed("The start is after the end.", field="start")
    if period.days > 3 * 366:
        raise ValidationFailed("Please choose at most three years.", field="start")
    checkins = checkins_between(user, period.start, period.end)
    symptoms = {s.id: s for s in symptoms_for(user)}
    labs = labs_between(user, period.start, period.end)
    wellbeing = [c.wellbeing for c in checkins if c.wellbeing is not None]
    sleep = [c.sleep_hours for c in checkins if c.sleep_hours is not None]
    treatments = db.session.scalars(select(Treatment).where(
        Treatment.user_id == user.id, Treatment.start_date <= period.end,
        or_(Treatment.stop_date.is_(None), Treatment.stop_date >= period.start))
        .order_by(Treatment.name, Treatment.start_date)).all()
    adherence = {}
    for t in treatments:
        if t.frequency not in {"once_daily", "twice_daily", "three_daily"}:
            continue
        taking = [c for c in checkins if t.is_active_on(c.day)]
        if taking:
            adherence[t.id] = (sum(1 for c in taking if t.id in (c.medications_taken or [])), len(taking))
    trigger_counts: dict[str, int] = defaultdict(int)
    for c in checkins:
        for key in c.triggers or []:
            trigger_counts[catalogue.label(key)] += 1
    profile = get_profile(user)
    trend = TrendWindows.for_period(period)
    return DoctorSummary(
        period=period, today=today, checkins=len(checkins),
        top=top_symptoms(checkins, symptoms, limit=8, trend=trend),
        trend=trend,
        wellbeing=sum(wellbeing) / len(wellbeing) if wellbeing else None,
        sleep=sum(sleep) / len(sleep) if sleep else None,
        flares=flares_between(user, period.start, period.end),
        events=treatment_events_between(user, period.start, period.end),
        treatments=[t for t in treatments if t.stop_date is None or t.stop_date >= period.end],
        tried_before=_tried_before(user, period.start),
        adherence=adherence,
        labs=labs,
        labs_out_of_range=[lab for lab in labs if lab.flag],
        triggers=sorted(trigger_counts.items(), key=lambda kv: -kv[1])[:5],
        profile=profile,
        history=catalogue.history_lines(profile.medical_history if profile else None),
        settings=get_settings(user),
    )


