"""Read models for the tracking pages: dashboard, calendar, charts, doctor summary, export.

Each loads what its page shows in a fixed number of queries, whatever the size of the
member's history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    CheckIn,
    Flare,
    HealthProfile,
    LabResult,
    Symptom,
    SymptomRating,
    TrackingSettings,
    Treatment,
    TreatmentSideEffect,
)
from community.tracking import catalogue
from community.tracking.common import (
    guard,
    load_ratings,
    local_today,
    symptoms_for,
)
from community.tracking.health_profile import get_profile
from community.tracking.preferences import get_settings
from community.tracking.treatment_log import treatments_active_on


@dataclass
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _checkins_between(user: Any, start: date, end: date) -> list[CheckIn]:
    checkins = list(db.session.scalars(select(CheckIn).where(
        CheckIn.user_id == user.id, CheckIn.day >= start, CheckIn.day <= end).order_by(CheckIn.day)))
    load_ratings(checkins)
    return checkins


def _flares_between(user: Any, start: date, end: date) -> list[Flare]:
    return list(db.session.scalars(select(Flare).where(
        Flare.user_id == user.id, Flare.start_date <= end,
        or_(Flare.end_date.is_(None), Flare.end_date >= start)).order_by(Flare.start_date)))


def _treatment_events_between(user: Any, start: date, end: date) -> list[tuple[date, str, Treatment]]:
    """Treatment starts, stops and dose changes inside a period, in date order."""
    treatments = db.session.scalars(select(Treatment).where(
        Treatment.user_id == user.id,
        or_(and_(Treatment.start_date >= start, Treatment.start_date <= end),
            and_(Treatment.stop_date >= start, Treatment.stop_date <= end)))).all()
    events = []
    for t in treatments:
        if start <= t.start_date <= end:
            events.append((t.start_date, "changed" if t.previous_id else "started", t))
        if t.stop_date and start <= t.stop_date <= end and t.stop_reason != catalogue.DOSE_CHANGED[0]:
            events.append((t.stop_date, "stopped", t))
    return sorted(events, key=lambda e: (e[0], e[2].id))


def _labs_between(user: Any, start: date, end: date) -> list[LabResult]:
    return list(db.session.scalars(select(LabResult).where(
        LabResult.user_id == user.id, LabResult.taken_on >= start, LabResult.taken_on <= end)
        .order_by(LabResult.taken_on, LabResult.name)))


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


@dataclass
class GlanceDay:
    day: date
    checkin: CheckIn | None
    worst: int | None
    wellbeing: int | None
    flare: bool


@dataclass
class Glance:
    days: list[GlanceDay]
    checked_in: int
    top: list[SymptomSummary]


@dataclass
class Dashboard:
    today: date
    todays_checkin: CheckIn | None
    current_flare: Flare | None
    treatments: list[Treatment]
    checkins: list[CheckIn]
    glance: Glance
    settings: TrackingSettings


def dashboard(user: Any, *, today: date | None = None) -> Dashboard:
    """Today's check-in, the current flare, running treatments and the last 30 days."""
    guard(user)
    today = today or local_today(user)
    start = today - timedelta(days=29)
    checkins = _checkins_between(user, start, today)
    symptoms = {s.id: s for s in symptoms_for(user)}
    flares = _flares_between(user, start, today)
    return Dashboard(
        today=today,
        todays_checkin=next((c for c in checkins if c.day == today), None),
        current_flare=next((f for f in flares if f.end_date is None), None),
        treatments=treatments_active_on(user, today),
        checkins=checkins,
        glance=glance(checkins, symptoms, start, today, flares),
        settings=get_settings(user),
    )


def _worst(checkin: CheckIn | None) -> int | None:
    return max((r.severity for r in checkin.ratings), default=None) if checkin else None


def glance(checkins: list[CheckIn], symptoms: dict[int, Symptom], start: date, end: date,
           flares: list[Flare]) -> Glance:
    """A 30-day strip: each day's wellbeing and worst symptom, plus the most troublesome symptoms."""
    by_day = {c.day: c for c in checkins}
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        c = by_day.get(day)
        days.append(GlanceDay(day=day, checkin=c, worst=_worst(c), wellbeing=c.wellbeing if c else None,
                              flare=any(f.covers(day) for f in flares)))
    return Glance(days=days, checked_in=len(checkins), top=top_symptoms(checkins, symptoms, limit=5))


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
class CalendarDay:
    day: date
    checkin: CheckIn | None
    worst: int | None
    flare: Flare | None
    events: list[tuple[date, str, Treatment]]
    labs: list[LabResult]
    future: bool
    is_today: bool


@dataclass
class CalendarMonth:
    first: date
    last: date
    weeks: list[list[CalendarDay | None]]  # None pads the weeks before the 1st and after the last day
    timeline: list[tuple[date, str, Any]]  # (day, kind, record), latest first
    today: date
    previous: date
    next: date | None
    flares: list[Flare]


def calendar_month(user: Any, year: int, month: int, *, today: date | None = None) -> CalendarMonth:
    """One month: every day's check-in state, flares, treatment changes and labs."""
    guard(user)
    today = today or local_today(user)
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    checkins = _checkins_between(user, first, last)
    flares = _flares_between(user, first, last)
    events = _treatment_events_between(user, first, last)
    labs = _labs_between(user, first, last)
    by_day = {c.day: c for c in checkins}
    weeks: list[list[CalendarDay | None]] = []
    week: list[CalendarDay | None] = [None] * first.weekday()
    for n in range(last.day):
        day = first + timedelta(days=n)
        c = by_day.get(day)
        week.append(CalendarDay(
            day=day, checkin=c, worst=_worst(c),
            # An ongoing flare has no end yet, but it is drawn only as far as today.
            flare=next((f for f in flares if f.covers(day)), None) if day <= today else None,
            events=[e for e in events if e[0] == day],
            labs=[lab for lab in labs if lab.taken_on == day],
            future=day > today, is_today=day == today))
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    timeline = sorted(
        [(c.day, "checkin", c) for c in checkins]
        + [(f.start_date, "flare_start", f) for f in flares if f.start_date >= first]
        + [(f.end_date, "flare_end", f) for f in flares if f.end_date and first <= f.end_date <= last]
        + [(d, kind, t) for d, kind, t in events]
        + [(lab.taken_on, "lab", lab) for lab in labs],
        key=lambda e: (e[0], e[1]), reverse=True)
    following = last + timedelta(days=1)
    return CalendarMonth(
        first=first, last=last, weeks=weeks, timeline=timeline, today=today,
        previous=(first - timedelta(days=1)).replace(day=1),
        next=following if following <= today.replace(day=1) + timedelta(days=31) else None,
        flares=flares)


@dataclass
class ChartData:
    start: date
    end: date
    days: int
    symptoms: dict[int, Symptom]
    rated: list[int]  # symptom ids rated in the period, most troublesome first
    chosen: list[int]  # the (at most four) symptom ids drawn
    series: dict[int, list[tuple[date, int]]]
    wellbeing: list[tuple[date, int]]
    flares: list[Flare]
    events: list[tuple[date, str, Treatment]]


def chart_data(user: Any, *, days: int, symptom_ids: list[int] | None = None,
               today: date | None = None) -> ChartData:
    """Ratings, flares and treatment changes for a chart over the last ``days`` days."""
    guard(user)
    today = today or local_today(user)
    start = today - timedelta(days=days - 1)
    symptoms = {s.id: s for s in symptoms_for(user)}
    rows = db.session.execute(
        select(CheckIn.day, SymptomRating.symptom_id, SymptomRating.severity)
        .join(SymptomRating, SymptomRating.checkin_id == CheckIn.id)
        .where(CheckIn.user_id == user.id, CheckIn.day >= start, CheckIn.day <= today)).all()
    wellbeing = db.session.execute(
        select(CheckIn.day, CheckIn.wellbeing).where(
            CheckIn.user_id == user.id, CheckIn.day >= start, CheckIn.day <= today,
            CheckIn.wellbeing.is_not(None))).all()
    series: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for day, symptom_id, severity in rows:
        series[symptom_id].append((day, severity))
    rated = sorted((sid for sid in series if sid in symptoms),
                   key=lambda sid: (-sum(s for _d, s in series[sid]) / len(series[sid]), symptoms[sid].name))
    chosen = [sid for sid in (symptom_ids or []) if sid in symptoms][:4] or rated[:3]
    return ChartData(
        start=start, end=today, days=days, symptoms=symptoms, rated=rated, chosen=chosen,
        series={sid: sorted(series.get(sid, [])) for sid in chosen},
        wellbeing=sorted((day, value) for day, value in wellbeing),
        flares=_flares_between(user, start, today),
        events=_treatment_events_between(user, start, today),
    )


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
    checkins = _checkins_between(user, period.start, period.end)
    symptoms = {s.id: s for s in symptoms_for(user)}
    labs = _labs_between(user, period.start, period.end)
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
        flares=_flares_between(user, period.start, period.end),
        events=_treatment_events_between(user, period.start, period.end),
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


@dataclass
class ExportRows:
    checkins: list[CheckIn]
    symptoms: dict[int, Symptom]
    treatments: list[Treatment]
    side_effects: list[TreatmentSideEffect]
    flares: list[Flare]
    labs: list[LabResult]


def export_rows(user: Any) -> ExportRows:
    """Everything the CSV export needs, in a fixed number of queries."""
    guard(user)
    checkins = list(db.session.scalars(select(CheckIn).where(CheckIn.user_id == user.id)
                                       .order_by(CheckIn.day)))
    load_ratings(checkins)
    return ExportRows(
        checkins=checkins, symptoms={s.id: s for s in symptoms_for(user)},
        treatments=list(db.session.scalars(select(Treatment).where(Treatment.user_id == user.id)
                                           .order_by(Treatment.start_date, Treatment.id))),
        side_effects=list(db.session.scalars(select(TreatmentSideEffect)
                                             .where(TreatmentSideEffect.user_id == user.id)
                                             .order_by(TreatmentSideEffect.noted_on))),
        flares=list(db.session.scalars(select(Flare).where(Flare.user_id == user.id)
                                       .order_by(Flare.start_date))),
        labs=list(db.session.scalars(select(LabResult).where(LabResult.user_id == user.id)
                                     .order_by(LabResult.taken_on, LabResult.name))))

