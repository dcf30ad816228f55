"""Read models for the tracking pages: dashboard, calendar, charts and the CSV export.

Each loads what its page shows in a fixed number of queries, whatever the size of the
member's history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import or_, select

from community.db import db
from community.models import (
    CheckIn,
    Flare,
    LabResult,
    Symptom,
    SymptomRating,
    TrackingSettings,
    Treatment,
    TreatmentSideEffect,
)
from community.tracking.common import (
    guard,
    load_ratings,
    local_today,
    symptoms_for,
)
from community.tracking.history import (
    checkins_between,
    flares_between,
    labs_between,
    treatment_events_between,
)
from community.tracking.preferences import get_settings
from community.tracking.treatment_log import treatments_active_on
from community.tracking.visit_summary import SymptomSummary, top_symptoms


@dataclass
class DayRatings:
    """One check-in as the dashboard shows it: read as plain rows, not ORM objects."""

    id: int
    day: date
    wellbeing: int | None
    ratings: list[Any]  # rows with .symptom_id and .severity


@dataclass
class GlanceDay:
    day: date
    checkin: CheckIn | DayRatings | None
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
    todays_checkin: DayRatings | None
    current_flare: Flare | None
    treatments: list[Treatment]
    checkins: list[DayRatings]
    glance: Glance
    settings: TrackingSettings


def dashboard(user: Any, *, today: date | None = None) -> Dashboard:
    """Today's check-in, the current flare, running treatments and the last 30 days."""
    guard(user)
    today = today or local_today(user)
    start = today - timedelta(days=29)
    checkins = day_ratings_between(user, start, today)
    symptoms = {s.id: s for s in symptom_names_for(user)}
    flares = flares_between(user, start, today)
    return Dashboard(
        today=today,
        todays_checkin=next((c for c in checkins if c.day == today), None),
        current_flare=next((f for f in flares if f.end_date is None), None),
        treatments=treatments_active_on(user, today),
        checkins=checkins,
        glance=glance(checkins, symptoms, start, today, flares),
        settings=get_settings(user),
    )


def day_ratings_between(user: Any, start: date, end: date) -> list[DayRatings]:
    """The member's check-ins in a period with their ratings, in one query of plain rows."""
    rows = db.session.execute(
        select(CheckIn.id, CheckIn.day, CheckIn.wellbeing, SymptomRating.symptom_id, SymptomRating.severity)
        .outerjoin(SymptomRating, SymptomRating.checkin_id == CheckIn.id)
        .where(CheckIn.user_id == user.id, CheckIn.day >= start, CheckIn.day <= end)
        .order_by(CheckIn.day, SymptomRating.id))
    checkins: dict[int, DayRatings] = {}
    for checkin_id, day, wellbeing, symptom_id, severity in rows:
        checkin = checkins.get(checkin_id)
        if checkin is None:
            checkin = checkins[checkin_id] = DayRatings(checkin_id, day, wellbeing, [])
        if symptom_id is not None:
            checkin.ratings.append(Rating(symptom_id, severity))
    return list(checkins.values())


class Rating(NamedTuple):
    symptom_id: int
    severity: int


class SymptomName(NamedTuple):
    id: int
    name: str


def symptom_names_for(user: Any) -> list[SymptomName]:
    """symptoms_for's ids and names only, as plain rows."""
    return [SymptomName(*row) for row in db.session.execute(
        select(Symptom.id, Symptom.name).where(or_(Symptom.owner_id.is_(None), Symptom.owner_id == user.id))
        .order_by(Symptom.owner_id.is_not(None), Symptom.sort_order, Symptom.name))]


def _worst(checkin: CheckIn | DayRatings | None) -> int | None:
    return max((r.severity for r in checkin.ratings), default=None) if checkin else None


def glance(checkins: list[DayRatings], symptoms: dict[int, Any], start: date, end: date,
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
    checkins = checkins_between(user, first, last)
    flares = flares_between(user, first, last)
    events = treatment_events_between(user, first, last)
    labs = labs_between(user, first, last)
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
               today: date | None = None, symptoms: list[Symptom] | None = None) -> ChartData:
    """Ratings, flares and treatment changes for a chart over the last ``days`` days
    (``symptoms``: the member's symptoms_for, when the caller has read them already)."""
    guard(user)
    today = today or local_today(user)
    start = today - timedelta(days=days - 1)
    symptoms = {s.id: s for s in (symptoms if symptoms is not None else symptoms_for(user))}
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
        flares=flares_between(user, start, today),
        events=treatment_events_between(user, start, today),
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

