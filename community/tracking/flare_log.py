"""Flare episodes: start and end dates, severity, what was affected; flares never overlap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    Flare,
)
from community.tracking import catalogue
from community.tracking.common import (
    check_choices,
    check_day,
    clean_text,
    ensure_own,
    guard,
    local_today,
    own_record,
    say_day,
    symptoms_for,
)


@dataclass
class FlareData:
    start_date: date | None
    end_date: date | None = None
    severity: str = ""
    symptoms: list[str] = field(default_factory=list)
    organs: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    notes: str = ""


def get_flare(user: Any, flare_id: int) -> Flare:
    """One of the member's flares (404 for anyone else's)."""
    return own_record(user, Flare, flare_id)


def list_flares(user: Any) -> list[Flare]:
    """The member's flares, latest first."""
    guard(user)
    return list(db.session.scalars(select(Flare).where(Flare.user_id == user.id)
                                   .order_by(Flare.start_date.desc())))


def _overlapping_flare(user: Any, start: date, end: date | None, except_id: int | None) -> Flare | None:
    query = select(Flare).where(Flare.user_id == user.id,
                                or_(Flare.end_date.is_(None), Flare.end_date >= start))
    if end is not None:
        query = query.where(Flare.start_date <= end)
    if except_id is not None:
        query = query.where(Flare.id != except_id)
    return db.session.scalars(query.order_by(Flare.start_date).limit(1)).first()


def save_flare(user: Any, data: FlareData, *, flare: Flare | None = None,
               today: date | None = None) -> Flare:
    """Record or change a flare episode; flares may not overlap each other."""
    guard(user)
    today = today or local_today(user)
    if flare is not None:
        ensure_own(user, flare)
    check_day(data.start_date, today, "start_date", "The start date")
    if data.end_date is not None:
        check_day(data.end_date, today, "end_date", "The end date")
        if data.end_date < data.start_date:
            raise ValidationFailed("The end date is before the start date.", field="end_date")
    if data.severity not in {k for k, _ in catalogue.FLARE_SEVERITY_CHOICES}:
        raise ValidationFailed("Please choose mild, moderate or severe.", field="severity")
    organs = check_choices(data.organs, catalogue.ORGANS, "organs")
    triggers = check_choices(data.triggers, catalogue.TRIGGERS, "triggers")
    actions = check_choices(data.actions, catalogue.FLARE_ACTIONS, "actions")
    symptom_names = {s.name for s in symptoms_for(user)}
    symptoms = [s for s in dict.fromkeys(data.symptoms or []) if s]
    if any(s not in symptom_names for s in symptoms):
        raise ValidationFailed("Please choose from the symptoms shown.", field="symptoms")
    notes = clean_text(data.notes, 5000, "notes", "Notes")
    other = _overlapping_flare(user, data.start_date, data.end_date, flare.id if flare else None)
    if other is not None:
        until = say_day(other.end_date, today) if other.end_date else "now (still ongoing)"
        raise ValidationFailed(
            f"This overlaps your flare from {say_day(other.start_date, today)} to {until}. "
            "Change the dates, or edit that flare instead.", field="start_date")
    if flare is None:
        flare = Flare(user_id=user.id)
        db.session.add(flare)
    flare.start_date = data.start_date
    flare.end_date = data.end_date
    flare.severity = data.severity
    flare.symptoms = symptoms
    flare.organs = organs
    flare.triggers = triggers
    flare.actions = actions
    flare.notes = notes
    db.session.commit()
    return flare


def end_flare(user: Any, flare: Flare, *, today: date | None = None) -> Flare:
    """Mark an ongoing flare as over today."""
    ensure_own(user, flare)
    today = today or local_today(user)
    if flare.end_date is not None:
        raise ValidationFailed("That flare has already ended.")
    flare.end_date = max(today, flare.start_date)
    db.session.commit()
    return flare


def delete_flare(user: Any, flare: Flare) -> None:
    """Delete one of the member's flares."""
    db.session.delete(ensure_own(user, flare))
    db.session.commit()


