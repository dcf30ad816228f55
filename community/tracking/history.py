"""A member's records over a period, each kind in one query, for the read pages and the visit summary."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select

from community.db import db
from community.models import (
    CheckIn,
    Flare,
    LabResult,
    Treatment,
)
from community.tracking import catalogue
from community.tracking.common import (
    load_ratings,
)


def checkins_between(user: Any, start: date, end: date) -> list[CheckIn]:
    checkins = list(db.session.scalars(select(CheckIn).where(
        CheckIn.user_id == user.id, CheckIn.day >= start, CheckIn.day <= end).order_by(CheckIn.day)))
    load_ratings(checkins)
    return checkins


def flares_between(user: Any, start: date, end: date) -> list[Flare]:
    return list(db.session.scalars(select(Flare).where(
        Flare.user_id == user.id, Flare.start_date <= end,
        or_(Flare.end_date.is_(None), Flare.end_date >= start)).order_by(Flare.start_date)))


def treatment_events_between(user: Any, start: date, end: date) -> list[tuple[date, str, Treatment]]:
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


def labs_between(user: Any, start: date, end: date) -> list[LabResult]:
    return list(db.session.scalars(select(LabResult).where(
        LabResult.user_id == user.id, LabResult.taken_on >= start, LabResult.taken_on <= end)
        .order_by(LabResult.taken_on, LabResult.name)))


