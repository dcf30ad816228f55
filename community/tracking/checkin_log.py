"""Daily check-ins: symptom ratings, wellbeing, sleep, triggers and medicines taken, one per local day."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    CheckIn,
    Symptom,
    SymptomRating,
)
from community.models.tracking import SEVERITY_MAX, SEVERITY_SCALE, SEVERITY_WORDS
from community.tracking import catalogue, stamp
from community.tracking.common import (
    check_choices,
    check_day,
    clean_text,
    ensure_own,
    guard,
    load_ratings,
    local_today,
    own_record,
    say_day,
    symptoms_for,
)
from community.tracking.treatment_log import treatments_active_on

MAX_SLEEP_HOURS = 24
SCALE_TEXT = f"from 0 ({SEVERITY_WORDS[0]}) to {SEVERITY_MAX} ({SEVERITY_WORDS[-1]})"  # "from 0 (none) to 4 (very severe)"


@dataclass
class CheckInData:
    day: date | None
    ratings: dict[int, int] = field(default_factory=dict)
    wellbeing: int | None = None
    sleep_hours: float | None = None
    triggers: list[str] = field(default_factory=list)
    custom_trigger: str = ""
    medications_taken: list[int] = field(default_factory=list)
    notes: str = ""
    custom_symptom: str = ""
    custom_severity: int | None = None


def checkin_for_day(user: Any, day: date) -> CheckIn | None:
    """The member's check-in for a local date, ratings loaded, or None."""
    guard(user)
    checkin = db.session.scalar(select(CheckIn).where(CheckIn.user_id == user.id, CheckIn.day == day))
    if checkin is not None:
        load_ratings([checkin])
    return checkin


def get_checkin(user: Any, checkin_id: int) -> CheckIn:
    """One of the member's own check-ins (404 for anyone else's)."""
    checkin = own_record(user, CheckIn, checkin_id)
    load_ratings([checkin])
    return checkin



def last_ratings_before(user: Any, day: date) -> dict[int, int]:
    """Symptoms rated on the member's latest check-in before ``day`` (offered again today)."""
    previous = db.session.scalar(select(CheckIn.id).where(CheckIn.user_id == user.id, CheckIn.day < day)
                                 .order_by(CheckIn.day.desc()).limit(1))
    if previous is None:
        return {}
    return {sid: severity for sid, severity in db.session.execute(
        select(SymptomRating.symptom_id, SymptomRating.severity).where(SymptomRating.checkin_id == previous))}


def _custom_symptom(user: Any, name: str, known: list[Symptom]) -> Symptom:
    name = " ".join(name.split())
    if len(name) > 60:
        raise ValidationFailed("Please keep the symptom name under 60 characters.", field="custom_symptom")
    for symptom in known:
        if symptom.name.casefold() == name.casefold():
            return symptom
    symptom = Symptom(name=name, owner_id=user.id, sort_order=1000)
    db.session.add(symptom)
    db.session.flush()
    return symptom


def save_checkin(user: Any, data: CheckInData, *, checkin_id: int | None = None,
                 today: date | None = None) -> CheckIn:
    """Create or update the check-in for one local day; one per day, never in the future."""
    guardian = guard(user)
    today = today or local_today(user)
    check_day(data.day, today, "day")
    checkin = None
    if checkin_id is not None:
        checkin = own_record(user, CheckIn, checkin_id)
    clash = db.session.scalar(select(CheckIn).where(CheckIn.user_id == user.id, CheckIn.day == data.day))
    if clash is not None and (checkin is None or clash.id != checkin.id):
        raise ValidationFailed(
            f"You already have a check-in for {say_day(data.day, today)}. "
            "Open it from your calendar to change it; nothing was overwritten.", field="day")
    if data.wellbeing is not None and not 1 <= data.wellbeing <= 5:
        raise ValidationFailed("Please choose how you are from the five options.", field="wellbeing")
    if data.sleep_hours is not None and (not math.isfinite(data.sleep_hours)
                                         or not 0 <= data.sleep_hours <= MAX_SLEEP_HOURS):
        raise ValidationFailed("Sleep must be between 0 and 24 hours.", field="sleep_hours")
    triggers = check_choices(data.triggers, catalogue.TRIGGERS, "triggers")
    symptoms = {s.id: s for s in symptoms_for(user)}
    ratings = dict(data.ratings)
    for symptom_id, severity in ratings.items():
        symptom = symptoms.get(symptom_id)
        if symptom is None or not guardian.can_rate_symptom(symptom):
            raise ValidationFailed("One of those symptoms isn't available to rate.")
        if severity not in SEVERITY_SCALE:
            raise ValidationFailed(f"Please rate {symptom.name.lower()} {SCALE_TEXT}.")
    active = {t.id for t in treatments_active_on(user, data.day)}
    taken = list(dict.fromkeys(int(t) for t in data.medications_taken or []))
    if any(t not in active for t in taken):
        raise ValidationFailed("Please choose from your treatments shown.", field="medications_taken")
    custom_name = " ".join((data.custom_symptom or "").split())
    if custom_name and data.custom_severity is None:
        raise ValidationFailed(f"Please rate your own symptom too, from 0 to {SEVERITY_MAX}.",
                               field="custom_severity")
    if data.custom_severity is not None and not custom_name:
        raise ValidationFailed("Please name the symptom you rated.", field="custom_symptom")
    if data.custom_severity is not None and data.custom_severity not in SEVERITY_SCALE:
        raise ValidationFailed(f"Please rate it {SCALE_TEXT}.", field="custom_severity")
    custom_trigger = clean_text(data.custom_trigger, 80, "custom_trigger", "Another trigger")
    notes = clean_text(data.notes, 5000, "notes", "Notes")
    if custom_name:
        symptom = _custom_symptom(user, custom_name, list(symptoms.values()))
        ratings[symptom.id] = data.custom_severity

    if checkin is None:
        checkin = CheckIn(user_id=user.id)
        db.session.add(checkin)
        existing: dict[int, SymptomRating] = {}
    else:
        existing = {r.symptom_id: r for r in db.session.scalars(
            select(SymptomRating).where(SymptomRating.checkin_id == checkin.id))}
    checkin.day = data.day
    checkin.wellbeing = data.wellbeing
    checkin.sleep_hours = data.sleep_hours
    checkin.triggers = triggers
    checkin.custom_trigger = custom_trigger
    checkin.medications_taken = taken
    checkin.notes = notes
    db.session.flush()
    for symptom_id, rating in existing.items():
        if symptom_id not in ratings:
            db.session.delete(rating)
    for symptom_id, severity in ratings.items():
        if symptom_id in existing:
            existing[symptom_id].severity = severity
        else:
            db.session.add(SymptomRating(checkin_id=checkin.id, user_id=user.id, symptom_id=symptom_id,
                                         severity=severity))
    try:
        db.session.commit()
    except IntegrityError:
        # Two tabs saving the same new day at once: the other one won, and stays.
        db.session.rollback()
        raise ValidationFailed(f"You already have a check-in for {say_day(data.day, today)}.",
                               field="day") from None
    return checkin


def delete_checkin(user: Any, checkin: CheckIn) -> date:
    """Delete one of the member's check-ins with its ratings; returns its day."""
    ensure_own(user, checkin)
    day = checkin.day
    # Statements, not session.delete: the ratings may already be loaded on the check-in, and the
    # unit of work would then try to delete them a second time.
    db.session.execute(delete(SymptomRating).where(SymptomRating.checkin_id == checkin.id))
    db.session.execute(delete(CheckIn).where(CheckIn.id == checkin.id))
    stamp.records_changed(user.id)
    db.session.commit()
    return day


