"""Tracking rules: check-ins, flares, treatments, labs, profile, reminders, and the read models.

Every change follows load → Guardian check → validate → change → commit once.
Rule breaks raise ValidationFailed naming the field, before anything is
written, so nothing is stored partially. Reads load what a page shows in a
fixed number of queries, whatever the size of the member's history.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import (
    CheckIn,
    Flare,
    HealthProfile,
    LabResult,
    LabTest,
    Medication,
    Symptom,
    SymptomRating,
    TrackingSettings,
    Treatment,
    TreatmentSideEffect,
    User,
)
from community.permissions import Guardian
from community.tracking import catalogue

EARLIEST_DAY = date(1900, 1, 1)
MAX_SLEEP_HOURS = 24
MAX_DOSE = 100_000
MAX_LAB_VALUE = 1_000_000


# -- dates ---------------------------------------------------------------------------------
def local_today(user: Any, now: datetime | None = None) -> date:
    """The member's own calendar date right now (after midnight where they live, it is tomorrow)."""
    return (now or utcnow()).astimezone(ZoneInfo(user.time_zone or "UTC")).date()


def say_day(day: date | None, today: date | None = None) -> str:
    """A date as people say it: "Tue 3 Mar", with the year when it isn't this year."""
    if day is None:
        return ""
    text = f"{day:%a} {day.day} {day:%b}"
    if today is None or day.year != today.year:
        text += f" {day.year}"
    return text


def say_date(day: date | None) -> str:
    """A date in full, year always, for paper that is read later: "3 Dec 2026"."""
    return f"{day.day} {day:%b %Y}" if day is not None else ""


def _check_day(day: date | None, today: date, field_name: str, what: str = "That date") -> None:
    if day is None:
        raise ValidationFailed("Please enter a date.", field=field_name)
    if day > today:
        raise ValidationFailed(f"{what} is in the future. Please choose today or an earlier day.",
                               field=field_name)
    if day < EARLIEST_DAY:
        raise ValidationFailed("Please check the year of that date.", field=field_name)


def _text(text: str | None, limit: int, field_name: str, what: str = "This") -> str:
    """Typed text, trimmed, line breaks counted once; too long is refused, never cut to fit."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValidationFailed(f"{what} can be up to {limit:,} characters; this is {len(text):,}. "
                               "Please shorten it — nothing was saved.", field=field_name)
    return text


def _known(keys: list[str] | None, choices: list[tuple[str, str]], field_name: str) -> list[str]:
    allowed = {k for k, _ in choices}
    keys = list(dict.fromkeys(keys or []))
    if any(k not in allowed for k in keys):
        raise ValidationFailed("Please choose from the options shown.", field=field_name)
    return keys


def _guard(user: Any) -> Guardian:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_track(), hide=True)
    return guardian


def _own(user: Any, model, record_id: int):
    """Load one of the member's records; anyone else's (or a missing one) is simply not found."""
    guardian = _guard(user)
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    guardian.ensure(guardian.can_change_record(record), hide=True)
    return record


# -- catalogues ------------------------------------------------------------------------------
def symptoms_for(user: Any) -> list[Symptom]:
    """The catalogue plus the member's own symptoms, catalogue order first."""
    return list(db.session.scalars(
        select(Symptom).where(or_(Symptom.owner_id.is_(None), Symptom.owner_id == user.id))
        .order_by(Symptom.owner_id.is_not(None), Symptom.sort_order, Symptom.name)))


def medications() -> list[Medication]:
    return list(db.session.scalars(select(Medication).order_by(Medication.sort_order)))


def lab_tests() -> list[LabTest]:
    return list(db.session.scalars(select(LabTest).order_by(LabTest.sort_order)))


# -- check-ins --------------------------------------------------------------------------------
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
    _guard(user)
    checkin = db.session.scalar(select(CheckIn).where(CheckIn.user_id == user.id, CheckIn.day == day))
    if checkin is not None:
        _load_ratings([checkin])
    return checkin


def get_checkin(user: Any, checkin_id: int) -> CheckIn:
    """One of the member's own check-ins (404 for anyone else's)."""
    checkin = _own(user, CheckIn, checkin_id)
    _load_ratings([checkin])
    return checkin


def _load_ratings(checkins: list[CheckIn]) -> None:
    """Fill each check-in's ratings with one query (instead of one per check-in)."""
    by_id = {c.id: c for c in checkins}
    found: dict[int, list[SymptomRating]] = defaultdict(list)
    if by_id:
        for rating in db.session.scalars(select(SymptomRating).where(SymptomRating.checkin_id.in_(by_id))):
            found[rating.checkin_id].append(rating)
    from sqlalchemy.orm.attributes import set_committed_value

    for checkin_id, checkin in by_id.items():
        set_committed_value(checkin, "ratings", found[checkin_id])


def last_ratings_before(user: Any, day: date) -> dict[int, int]:
    """Symptoms rated on the member's latest check-in before ``day`` (offered again today)."""
    previous = db.session.scalar(select(CheckIn.id).where(CheckIn.user_id == user.id, CheckIn.day < day)
                                 .order_by(CheckIn.day.desc()).limit(1))
    if previous is None:
        return {}
    return {sid: severity for sid, severity in db.session.execute(
        select(SymptomRating.symptom_id, SymptomRating.severity).where(SymptomRating.checkin_id == previous))}


def treatments_active_on(user: Any, day: date) -> list[Treatment]:
    """The member's treatments running on that day (for "medications taken today")."""
    return list(db.session.scalars(
        select(Treatment).where(Treatment.user_id == user.id, Treatment.start_date <= day,
                                or_(Treatment.stop_date.is_(None), Treatment.stop_date >= day))
        .order_by(Treatment.name)))


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
    guardian = _guard(user)
    today = today or local_today(user)
    _check_day(data.day, today, "day")
    checkin = None
    if checkin_id is not None:
        checkin = _own(user, CheckIn, checkin_id)
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
    triggers = _known(data.triggers, catalogue.TRIGGERS, "triggers")
    symptoms = {s.id: s for s in symptoms_for(user)}
    ratings = dict(data.ratings)
    for symptom_id, severity in ratings.items():
        symptom = symptoms.get(symptom_id)
        if symptom is None or not guardian.can_rate_symptom(symptom):
            raise ValidationFailed("One of those symptoms isn't available to rate.")
        if severity not in range(5):
            raise ValidationFailed(f"Please rate {symptom.name.lower()} from 0 (none) to 4 (very severe).")
    active = {t.id for t in treatments_active_on(user, data.day)}
    taken = list(dict.fromkeys(int(t) for t in data.medications_taken or []))
    if any(t not in active for t in taken):
        raise ValidationFailed("Please choose from your treatments shown.", field="medications_taken")
    custom_name = " ".join((data.custom_symptom or "").split())
    if custom_name and data.custom_severity is None:
        raise ValidationFailed("Please rate your own symptom too, from 0 to 4.", field="custom_severity")
    if data.custom_severity is not None and not custom_name:
        raise ValidationFailed("Please name the symptom you rated.", field="custom_symptom")
    if data.custom_severity is not None and data.custom_severity not in range(5):
        raise ValidationFailed("Please rate it from 0 (none) to 4 (very severe).", field="custom_severity")
    custom_trigger = _text(data.custom_trigger, 80, "custom_trigger", "Another trigger")
    notes = _text(data.notes, 5000, "notes", "Notes")
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


def delete_checkin(user: Any, checkin_id: int) -> date:
    """Delete one of the member's check-ins with its ratings; returns its day."""
    checkin = _own(user, CheckIn, checkin_id)
    day = checkin.day
    db.session.execute(delete(SymptomRating).where(SymptomRating.checkin_id == checkin.id))
    db.session.delete(checkin)
    db.session.commit()
    return day


# -- flares ----------------------------------------------------------------------------------
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
    return _own(user, Flare, flare_id)


def list_flares(user: Any) -> list[Flare]:
    _guard(user)
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


def save_flare(user: Any, data: FlareData, *, flare_id: int | None = None,
               today: date | None = None) -> Flare:
    """Record or change a flare episode; flares may not overlap each other."""
    _guard(user)
    today = today or local_today(user)
    flare = _own(user, Flare, flare_id) if flare_id is not None else None
    _check_day(data.start_date, today, "start_date", "The start date")
    if data.end_date is not None:
        _check_day(data.end_date, today, "end_date", "The end date")
        if data.end_date < data.start_date:
            raise ValidationFailed("The end date is before the start date.", field="end_date")
    if data.severity not in {k for k, _ in catalogue.FLARE_SEVERITY_CHOICES}:
        raise ValidationFailed("Please choose mild, moderate or severe.", field="severity")
    organs = _known(data.organs, catalogue.ORGANS, "organs")
    triggers = _known(data.triggers, catalogue.TRIGGERS, "triggers")
    actions = _known(data.actions, catalogue.FLARE_ACTIONS, "actions")
    symptom_names = {s.name for s in symptoms_for(user)}
    symptoms = [s for s in dict.fromkeys(data.symptoms or []) if s]
    if any(s not in symptom_names for s in symptoms):
        raise ValidationFailed("Please choose from the symptoms shown.", field="symptoms")
    notes = _text(data.notes, 5000, "notes", "Notes")
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


def end_flare(user: Any, flare_id: int, *, today: date | None = None) -> Flare:
    """Mark an ongoing flare as over today."""
    flare = _own(user, Flare, flare_id)
    today = today or local_today(user)
    if flare.end_date is not None:
        raise ValidationFailed("That flare has already ended.")
    flare.end_date = max(today, flare.start_date)
    db.session.commit()
    return flare


def delete_flare(user: Any, flare_id: int) -> None:
    """Delete one of the member's flares."""
    db.session.delete(_own(user, Flare, flare_id))
    db.session.commit()


# -- treatments --------------------------------------------------------------------------------
@dataclass
class TreatmentData:
    medication_id: int | None
    name: str
    dose: float | None
    unit: str
    frequency: str
    start_date: date | None
    stop_date: date | None = None
    stop_reason: str = ""
    notes: str = ""
    rating: str = ""


def list_treatments(user: Any) -> list[Treatment]:
    _guard(user)
    return list(db.session.scalars(select(Treatment).where(Treatment.user_id == user.id)
                                   .order_by(Treatment.stop_date.is_not(None), Treatment.start_date.desc(),
                                             Treatment.id.desc())))


def get_treatment(user: Any, treatment_id: int, *, with_side_effects: bool = False) -> Treatment:
    """One of the member's treatments (404 for anyone else's)."""
    treatment = _own(user, Treatment, treatment_id)
    if with_side_effects:
        from sqlalchemy.orm.attributes import set_committed_value

        set_committed_value(treatment, "side_effects", list(db.session.scalars(
            select(TreatmentSideEffect).where(TreatmentSideEffect.treatment_id == treatment.id)
            .order_by(TreatmentSideEffect.noted_on.desc(), TreatmentSideEffect.id.desc()))))
    return treatment


def _check_dose(dose: float | None, unit: str, frequency: str) -> None:
    if dose is None:
        raise ValidationFailed("Please enter the dose, like 200.", field="dose")
    if not math.isfinite(dose) or dose <= 0:
        raise ValidationFailed("The dose must be more than 0.", field="dose")
    if dose > MAX_DOSE:
        raise ValidationFailed("That dose looks too large. Please check it.", field="dose")
    _known([unit], catalogue.UNITS, "unit")
    _known([frequency], catalogue.FREQUENCIES, "frequency")


def _catalogue_or_typed(model, entry_id: int | None, typed: str | None, id_field: str, what: str):
    """(catalogue entry or None, name): a chosen catalogue entry, or the member's own words."""
    entry = None
    if entry_id is not None:
        entry = db.session.get(model, entry_id)
        if entry is None:
            raise ValidationFailed(f"Please choose a {what} from the list.", field=id_field)
    name = entry.name if entry else " ".join((typed or "").split())
    if not name:
        raise ValidationFailed(f"Please choose a {what}, or type its name.", field="name")
    if len(name) > 80:
        raise ValidationFailed("Please keep the name under 80 characters.", field="name")
    return entry, name


def save_treatment(user: Any, data: TreatmentData, *, treatment_id: int | None = None,
                   today: date | None = None) -> Treatment:
    """Add or change a treatment: a catalogue medicine or the member's own words, dose, dates."""
    _guard(user)
    today = today or local_today(user)
    treatment = _own(user, Treatment, treatment_id) if treatment_id is not None else None
    medication, name = _catalogue_or_typed(Medication, data.medication_id, data.name,
                                           "medication_id", "medicine")
    _check_dose(data.dose, data.unit, data.frequency)
    _check_day(data.start_date, today, "start_date", "The start date")
    stop_reason = data.stop_reason or ""
    if data.stop_date is not None:
        _check_day(data.stop_date, today, "stop_date", "The stop date")
        if data.stop_date < data.start_date:
            raise ValidationFailed("The stop date is before the start date.", field="stop_date")
        allowed = {k for k, _ in catalogue.STOP_REASONS} | {catalogue.DOSE_CHANGED[0]}
        if not stop_reason:
            raise ValidationFailed("Please choose why it was stopped.", field="stop_reason")
        if stop_reason not in allowed:
            raise ValidationFailed("Please choose from the reasons shown.", field="stop_reason")
    elif stop_reason:
        raise ValidationFailed("Please add the stop date too, or clear the reason.", field="stop_date")
    rating = "".join(_known([data.rating] if data.rating else [], catalogue.TREATMENT_RATINGS, "rating"))
    notes = _text(data.notes, 2000, "notes", "Notes")
    if treatment is None:
        treatment = Treatment(user_id=user.id)
        db.session.add(treatment)
    treatment.medication_id = medication.id if medication else None
    treatment.name = name
    treatment.dose = data.dose
    treatment.unit = data.unit
    treatment.frequency = data.frequency
    treatment.start_date = data.start_date
    treatment.stop_date = data.stop_date
    treatment.stop_reason = stop_reason
    treatment.rating = rating
    treatment.notes = notes
    db.session.commit()
    return treatment


def stop_treatment(user: Any, treatment_id: int, *, stop_date: date | None, reason: str,
                   today: date | None = None) -> Treatment:
    """Stop a running treatment on a date, with the reason."""
    treatment = _own(user, Treatment, treatment_id)
    today = today or local_today(user)
    if treatment.stop_date is not None:
        raise ValidationFailed("This treatment is already stopped.")
    _check_day(stop_date, today, "stop_date", "The stop date")
    if stop_date < treatment.start_date:
        raise ValidationFailed("The stop date is before the start date "
                               f"({say_day(treatment.start_date, today)}).", field="stop_date")
    if reason not in {k for k, _ in catalogue.STOP_REASONS}:
        raise ValidationFailed("Please choose why it was stopped.", field="reason")
    treatment.stop_date = stop_date
    treatment.stop_reason = reason
    db.session.commit()
    return treatment


def change_dose(user: Any, treatment_id: int, *, on: date | None, dose: float | None, unit: str,
                frequency: str, today: date | None = None) -> Treatment:
    """End the current dose on a date and start the new one from that date (history kept)."""
    old = _own(user, Treatment, treatment_id)
    today = today or local_today(user)
    if old.stop_date is not None:
        raise ValidationFailed("This treatment is stopped. Add it again to restart it.")
    _check_day(on, today, "on", "The change date")
    if on <= old.start_date:
        raise ValidationFailed(f"The change must be after the start ({say_day(old.start_date, today)}). "
                               "To correct the dose itself, edit the treatment.", field="on")
    _check_dose(dose, unit, frequency)
    if (dose, unit, frequency) == (old.dose, old.unit, old.frequency):
        raise ValidationFailed("That is the same dose as now.", field="dose")
    old.stop_date = on - timedelta(days=1)
    old.stop_reason = catalogue.DOSE_CHANGED[0]
    new = Treatment(user_id=user.id, medication_id=old.medication_id, name=old.name, dose=dose, unit=unit,
                    frequency=frequency, start_date=on, previous_id=old.id, notes="")
    db.session.add(new)
    db.session.commit()
    return new


def delete_treatment(user: Any, treatment_id: int) -> None:
    """Delete a treatment with its side-effect notes (a later dose step forgets the link)."""
    treatment = _own(user, Treatment, treatment_id)
    db.session.execute(update(Treatment).where(Treatment.previous_id == treatment.id)
                       .values(previous_id=None))
    db.session.execute(delete(TreatmentSideEffect).where(TreatmentSideEffect.treatment_id == treatment.id))
    db.session.execute(delete(Treatment).where(Treatment.id == treatment.id))
    db.session.commit()


def add_side_effect(user: Any, treatment_id: int, *, noted_on: date | None, description: str,
                    severity: int | None, today: date | None = None) -> TreatmentSideEffect:
    """Note a side effect of a treatment on a date."""
    treatment = _own(user, Treatment, treatment_id)
    today = today or local_today(user)
    _check_day(noted_on, today, "noted_on")
    if noted_on < treatment.start_date:
        raise ValidationFailed(f"That is before you started {treatment.name} "
                               f"({say_day(treatment.start_date, today)}).", field="noted_on")
    description = " ".join((description or "").split())
    if not description:
        raise ValidationFailed("Please describe the side effect.", field="description")
    if len(description) > 300:
        raise ValidationFailed("Please keep it under 300 characters.", field="description")
    if severity is not None and severity not in range(5):
        raise ValidationFailed("Please rate it from 0 to 4.", field="severity")
    effect = TreatmentSideEffect(treatment_id=treatment.id, user_id=user.id, noted_on=noted_on,
                                 description=description, severity=severity)
    db.session.add(effect)
    db.session.commit()
    return effect


def get_own_side_effect(user: Any, effect_id: int) -> TreatmentSideEffect:
    """One of the member's side-effect notes (404 for anyone else's)."""
    return _own(user, TreatmentSideEffect, effect_id)


def delete_side_effect(user: Any, effect_id: int) -> int:
    """Delete a side-effect note; returns its treatment's id."""
    effect = _own(user, TreatmentSideEffect, effect_id)
    treatment_id = effect.treatment_id
    db.session.execute(delete(TreatmentSideEffect).where(TreatmentSideEffect.id == effect.id))
    db.session.commit()
    return treatment_id


# -- labs ------------------------------------------------------------------------------------
TITRE = re.compile(r"^1\s*:\s*(\d{1,7})$")
NUMBER = re.compile(r"^[+]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_lab_value(text: str | None) -> tuple[float, str]:
    """A lab value as typed ("4.2", "4,2", "1:320") → (number, tidy text); anything else is refused."""
    text = (text or "").strip().replace(" ", "")
    titre = TITRE.match(text)
    if titre:
        denominator = int(titre.group(1))
        if denominator < 1:
            raise ValidationFailed("A titre looks like 1:160.", field="value")
        return float(denominator), f"1:{denominator}"
    if text.startswith("-"):
        raise ValidationFailed("A lab value can't be negative.", field="value")
    if not NUMBER.match(text):
        raise ValidationFailed("Please enter a number, like 4.2 (or a titre, like 1:320).", field="value")
    value = float(text.replace(",", "."))
    if value > MAX_LAB_VALUE:
        raise ValidationFailed("That value looks too large. Please check it.", field="value")
    return value, f"{value:g}"


@dataclass
class LabData:
    lab_test_id: int | None
    name: str
    value: str
    unit: str
    taken_on: date | None
    ref_low: float | None = None
    ref_high: float | None = None
    notes: str = ""


def list_labs(user: Any) -> list[LabResult]:
    _guard(user)
    return list(db.session.scalars(select(LabResult).where(LabResult.user_id == user.id)
                                   .order_by(LabResult.name, LabResult.taken_on, LabResult.id)))


def get_lab(user: Any, lab_id: int) -> LabResult:
    """One of the member's lab results (404 for anyone else's)."""
    return _own(user, LabResult, lab_id)


def save_lab(user: Any, data: LabData, *, lab_id: int | None = None, today: date | None = None) -> LabResult:
    """Record or change a lab result; flagged high/low against the lab's own range."""
    _guard(user)
    today = today or local_today(user)
    lab = _own(user, LabResult, lab_id) if lab_id is not None else None
    test, name = _catalogue_or_typed(LabTest, data.lab_test_id, data.name, "lab_test_id", "test")
    value, value_text = parse_lab_value(data.value)
    _check_day(data.taken_on, today, "taken_on")
    for name_, bound in (("ref_low", data.ref_low), ("ref_high", data.ref_high)):
        if bound is not None and (not math.isfinite(bound) or bound < 0 or bound > MAX_LAB_VALUE):
            raise ValidationFailed("Please check this number.", field=name_)
    if data.ref_low is not None and data.ref_high is not None and data.ref_low > data.ref_high:
        raise ValidationFailed("The lowest normal value is above the highest.", field="ref_high")
    unit = _text(data.unit, 20, "unit", "The unit")
    if value_text.startswith("1:"):
        # A titre is a dilution, not an amount in IU/mL: it is kept without a unit.
        if unit:
            raise ValidationFailed("A titre like 1:320 has no unit. Please clear the unit, or enter the "
                                   "result as a number if the report gives one with a unit.", field="unit")
    else:
        unit = unit or (test.unit if test else "")
    notes = _text(data.notes, 300, "notes", "Notes")
    if lab is None:
        lab = LabResult(user_id=user.id)
        db.session.add(lab)
    lab.lab_test_id = test.id if test else None
    lab.name = name
    lab.value = value
    lab.value_text = value_text
    lab.unit = unit
    lab.taken_on = data.taken_on
    lab.ref_low = data.ref_low
    lab.ref_high = data.ref_high
    lab.notes = notes
    db.session.commit()
    return lab


def delete_lab(user: Any, lab_id: int) -> None:
    """Delete one of the member's lab results."""
    db.session.delete(_own(user, LabResult, lab_id))
    db.session.commit()


# -- profile and settings ----------------------------------------------------------------------
def get_profile(user: Any) -> HealthProfile | None:
    _guard(user)
    return db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user.id))


def _check_history(history: Any, today: date, birth_year: int | None) -> dict:
    """The medical history in its stored shape, or ValidationFailed naming the field at fault."""
    if not isinstance(history, dict):
        raise ValidationFailed("Please choose from the options shown.", field="medical_history")
    asks_year = {key: asks for key, _label, _why, asks in catalogue.HISTORY_CONDITIONS}
    if any(key not in asks_year for key in history):
        raise ValidationFailed("Please choose from the options shown.", field="medical_history")
    cleaned = {}
    for key in catalogue.HISTORY_KEYS:  # catalogue order, so the stored dict reads like the form
        if key not in history:
            continue
        entry = history[key]
        if not isinstance(entry, dict) or set(entry) - {"answer", "year"}:
            raise ValidationFailed("Please choose Not answered, No or Yes.", field=f"history_{key}")
        answer, year = entry.get("answer") or "", entry.get("year")
        if answer not in ("", "yes", "no"):
            raise ValidationFailed("Please choose Not answered, No or Yes.", field=f"history_{key}")
        if year is not None:
            year_field = f"history_{key}_year"
            if not asks_year[key]:
                raise ValidationFailed("This question has no year; please leave it out.", field=year_field)
            if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= today.year:
                raise ValidationFailed(f"Please enter a year between 1900 and {today.year}.", field=year_field)
            if answer != "yes":
                raise ValidationFailed("Please choose Yes, or leave the year empty.", field=year_field)
            if birth_year is not None and year < birth_year:
                raise ValidationFailed("That year is before the year of birth.", field=year_field)
        if answer:
            cleaned[key] = {"answer": answer} if year is None else {"answer": answer, "year": year}
    return cleaned


def save_profile(user: Any, *, today: date | None = None, medical_history: dict | None = None,
                 **values: Any) -> HealthProfile:
    """Save the member's health background; every answer is optional.

    ``medical_history`` ({"cancer": {"answer": "yes", "year": 2019}}, unanswered keys absent)
    replaces the stored one; left out (None), the stored answers are kept.
    """
    _guard(user)
    today = today or local_today(user)
    values["diagnoses"] = _known(values.get("diagnoses"), catalogue.DIAGNOSES, "diagnoses")
    values["organs"] = _known(values.get("organs"), catalogue.ORGANS, "organs")
    _known([values.get("nephritis_class") or ""], catalogue.NEPHRITIS_CLASSES, "nephritis_class")
    _known([values.get("sex") or ""], catalogue.SEXES, "sex")
    _known([values.get("pregnancy") or ""], catalogue.PREGNANCY, "pregnancy")
    if values.get("nephritis_class") and "nephritis" not in values["diagnoses"]:
        values["diagnoses"].append("nephritis")
    birth_date, birth_year = values.get("birth_date"), values.get("birth_year")
    if birth_date is not None:
        _check_day(birth_date, today, "birth_date", "The date of birth")
        birth_year = birth_date.year
    if birth_year is not None and not 1900 <= birth_year <= today.year:
        raise ValidationFailed(f"Please enter a year between 1900 and {today.year}.", field="birth_year")
    year, month = values.get("diagnosed_year"), values.get("diagnosed_month")
    if year is not None and not 1900 <= year <= today.year:
        raise ValidationFailed(f"Please enter a year between 1900 and {today.year}.", field="diagnosed_year")
    if month is not None and year is None:
        raise ValidationFailed("Please add the year too.", field="diagnosed_year")
    if month is not None and not 1 <= month <= 12:
        raise ValidationFailed("Please choose a month.", field="diagnosed_month")
    if year is not None and month is not None and date(year, month, 1) > today:
        raise ValidationFailed("That month is in the future.", field="diagnosed_month")
    if year is not None and birth_year is not None and year < birth_year:
        raise ValidationFailed("The diagnosis is before the year of birth.", field="diagnosed_year")
    history = _check_history(medical_history, today, birth_year) if medical_history is not None else None
    texts = {name: _text(values.get(name), limit, name, what) for name, limit, what in (
        ("other_diagnosis", 120, "The other diagnosis"), ("country", 60, "The country"),
        ("region", 60, "The region"), ("postal_code", 20, "The postal code"))}
    profile = get_profile(user)
    if profile is None:
        profile = HealthProfile(user_id=user.id)
        db.session.add(profile)
    profile.diagnoses = values["diagnoses"]
    profile.nephritis_class = values.get("nephritis_class") or ""
    profile.other_diagnosis = texts["other_diagnosis"]
    profile.diagnosed_year = year
    profile.diagnosed_month = month
    profile.birth_date = birth_date
    profile.birth_year = birth_year
    profile.sex = values.get("sex") or ""
    profile.country = texts["country"]
    profile.region = texts["region"]
    profile.postal_code = texts["postal_code"]
    profile.organs = values["organs"]
    profile.pregnancy = values.get("pregnancy") or ""
    if history is not None:
        profile.medical_history = history  # a new dict: SQLAlchemy sees JSON changes only on assignment
    db.session.commit()
    return profile


def get_settings(user: Any) -> TrackingSettings:
    """The member's tracking settings (an unsaved default when they have none yet)."""
    _guard(user)
    settings = db.session.scalar(select(TrackingSettings).where(TrackingSettings.user_id == user.id))
    return settings or TrackingSettings(user_id=user.id, reminder_enabled=False, doctor_questions="")


def _settings_row(user: Any) -> TrackingSettings:
    settings = db.session.scalar(select(TrackingSettings).where(TrackingSettings.user_id == user.id))
    if settings is None:
        settings = TrackingSettings(user_id=user.id, reminder_enabled=False, doctor_questions="")
        db.session.add(settings)
    return settings


def save_reminder(user: Any, *, enabled: bool, at: time | None) -> TrackingSettings:
    """Turn the daily check-in email on or off, at a local time."""
    _guard(user)
    if enabled and at is None:
        raise ValidationFailed("Please choose a time for the reminder.", field="reminder_time")
    settings = _settings_row(user)
    settings.reminder_enabled = enabled
    if at is not None:
        settings.reminder_time = at.replace(second=0, microsecond=0)
    db.session.commit()
    return settings


def save_questions(user: Any, questions: str) -> TrackingSettings:
    """Keep the member's questions for their next appointment."""
    _guard(user)
    questions = _text(questions, 3000, "questions", "Your questions")
    settings = _settings_row(user)
    settings.doctor_questions = questions
    db.session.commit()
    return settings


# -- reminders ---------------------------------------------------------------------------------
def send_reminders(now: datetime | None = None) -> int:
    """Queue today's check-in email for every member whose local reminder time has passed.

    Safe to run as often as the scheduler likes: at most one email per member
    per local day, and none when that day's check-in already exists.
    """
    from community import mail

    now = now or utcnow()
    rows = db.session.execute(
        select(TrackingSettings, User).join(User, User.id == TrackingSettings.user_id)
        .where(TrackingSettings.reminder_enabled.is_(True), TrackingSettings.reminder_time.is_not(None),
               User.email_verified_at.is_not(None))).all()
    due = []
    for settings, user in rows:
        if user.is_suspended(now):
            continue
        local = now.astimezone(ZoneInfo(user.time_zone or "UTC"))
        if settings.reminder_last_sent_on == local.date() or local.time() < settings.reminder_time:
            continue
        due.append((settings, user, local.date()))
    if not due:
        return 0
    checked_in = {tuple(row) for row in db.session.execute(
        select(CheckIn.user_id, CheckIn.day).where(
            CheckIn.user_id.in_({u.id for _s, u, _d in due}),
            CheckIn.day.in_({d for _s, _u, d in due})))}
    sent = 0
    for settings, user, day in due:
        if (user.id, day) in checked_in:
            continue
        mail.queue(user.email, "checkin_reminder", user=user,
                   checkin_url=mail.external_url("tracking.checkin"),
                   settings_url=mail.external_url("tracking.reminders"))
        settings.reminder_last_sent_on = day
        sent += 1
    db.session.commit()
    return sent


# -- read models -------------------------------------------------------------------------------
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
    _load_ratings(checkins)
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


def dashboard(user: Any, *, today: date | None = None) -> dict[str, Any]:
    """Today's check-in, the current flare, running treatments and the last 30 days."""
    _guard(user)
    today = today or local_today(user)
    start = today - timedelta(days=29)
    checkins = _checkins_between(user, start, today)
    symptoms = {s.id: s for s in symptoms_for(user)}
    flares = _flares_between(user, start, today)
    current_flare = next((f for f in flares if f.end_date is None), None)
    return {
        "today": today,
        "todays_checkin": next((c for c in checkins if c.day == today), None),
        "current_flare": current_flare,
        "treatments": treatments_active_on(user, today),
        "checkins": checkins,
        "glance": glance(checkins, symptoms, start, today, flares),
        "settings": get_settings(user),
    }


def glance(checkins: list[CheckIn], symptoms: dict[int, Symptom], start: date, end: date,
           flares: list[Flare]) -> dict[str, Any]:
    """A 30-day strip: each day's wellbeing and worst symptom, plus the most troublesome symptoms."""
    by_day = {c.day: c for c in checkins}
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        c = by_day.get(day)
        worst = max((r.severity for r in c.ratings), default=None) if c else None
        days.append({"day": day, "checkin": c, "worst": worst,
                     "wellbeing": c.wellbeing if c else None,
                     "flare": any(f.covers(day) for f in flares)})
    return {"days": days, "checked_in": len(checkins),
            "top": top_symptoms(checkins, symptoms, limit=5)}


def top_symptoms(checkins: list[CheckIn], symptoms: dict[int, Symptom], limit: int = 5,
                 trend: TrendWindows | None = None) -> list[dict[str, Any]]:
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
        row = {"symptom": symptoms[symptom_id], "average": sum(severities) / len(severities),
               "days": len(pairs), "worst": max(severities), "trend": "", "recent": None, "earlier": None}
        if trend is not None:
            row.update(trend.compare(pairs))
        rows.append(row)
    rows.sort(key=lambda r: (-r["average"], -r["days"], r["symptom"].name))
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

    def compare(self, pairs: list[tuple[date, int]]) -> dict[str, Any]:
        recent = [s for d, s in pairs if self.recent_start <= d <= self.end]
        earlier = [s for d, s in pairs if self.earlier_start <= d <= self.earlier_end]
        if len(recent) < self.MIN_RATINGS or len(earlier) < self.MIN_RATINGS:
            return {}
        now, before = sum(recent) / len(recent), sum(earlier) / len(earlier)
        word = "better" if now - before <= -0.5 else "worse" if now - before >= 0.5 else "about the same"
        return {"trend": word, "recent": now, "earlier": before}


def calendar_month(user: Any, year: int, month: int, *, today: date | None = None) -> dict[str, Any]:
    """One month: every day's check-in state, flares, treatment changes and labs."""
    _guard(user)
    today = today or local_today(user)
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    checkins = _checkins_between(user, first, last)
    flares = _flares_between(user, first, last)
    events = _treatment_events_between(user, first, last)
    labs = _labs_between(user, first, last)
    by_day = {c.day: c for c in checkins}
    weeks, week = [], [None] * first.weekday()
    for n in range(last.day):
        day = first + timedelta(days=n)
        c = by_day.get(day)
        week.append({"day": day, "checkin": c,
                     "worst": max((r.severity for r in c.ratings), default=None) if c else None,
                     # An ongoing flare has no end yet, but it is drawn only as far as today.
                     "flare": next((f for f in flares if f.covers(day)), None) if day <= today else None,
                     "events": [e for e in events if e[0] == day],
                     "labs": [lab for lab in labs if lab.taken_on == day],
                     "future": day > today, "is_today": day == today})
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
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return {"first": first, "last": last, "weeks": weeks, "timeline": timeline, "today": today,
            "previous": previous,
            "next": following if following <= today.replace(day=1) + timedelta(days=31) else None,
            "flares": flares}


def chart_data(user: Any, *, days: int, symptom_ids: list[int] | None = None,
               today: date | None = None) -> dict[str, Any]:
    """Ratings, flares and treatment changes for a chart over the last ``days`` days."""
    _guard(user)
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
    return {
        "start": start, "end": today, "days": days, "symptoms": symptoms, "rated": rated,
        "chosen": chosen, "series": {sid: sorted(series.get(sid, [])) for sid in chosen},
        "wellbeing": sorted(wellbeing),
        "flares": _flares_between(user, start, today),
        "events": _treatment_events_between(user, start, today),
    }


def _tried_before(user: Any, start: date) -> list[dict[str, Any]]:
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
        rows.append({"treatment": t, "started": first.start_date, "stopped": t.stop_date,
                     "reason": t.stop_reason})
    return sorted(rows, key=lambda r: (r["stopped"], r["treatment"].id), reverse=True)


def doctor_summary(user: Any, period: Period, *, today: date | None = None) -> dict[str, Any]:
    """What a doctor wants from a period: symptoms and trends, flares, treatment changes, labs."""
    _guard(user)
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
    return {
        "period": period, "today": today, "checkins": len(checkins),
        "top": top_symptoms(checkins, symptoms, limit=8, trend=trend),
        "trend": trend,
        "wellbeing": sum(wellbeing) / len(wellbeing) if wellbeing else None,
        "sleep": sum(sleep) / len(sleep) if sleep else None,
        "flares": _flares_between(user, period.start, period.end),
        "events": _treatment_events_between(user, period.start, period.end),
        "treatments": [t for t in treatments if t.stop_date is None or t.stop_date >= period.end],
        "tried_before": _tried_before(user, period.start),
        "adherence": adherence,
        "labs": labs,
        "labs_out_of_range": [lab for lab in labs if lab.flag],
        "triggers": sorted(trigger_counts.items(), key=lambda kv: -kv[1])[:5],
        "profile": profile,
        "history": catalogue.history_lines(profile.medical_history if profile else None),
        "settings": get_settings(user),
    }


def export_rows(user: Any) -> dict[str, Any]:
    """Everything the CSV export needs, in a fixed number of queries."""
    _guard(user)
    checkins = list(db.session.scalars(select(CheckIn).where(CheckIn.user_id == user.id)
                                       .order_by(CheckIn.day)))
    _load_ratings(checkins)
    treatments = list(db.session.scalars(select(Treatment).where(Treatment.user_id == user.id)
                                         .order_by(Treatment.start_date, Treatment.id)))
    effects = list(db.session.scalars(select(TreatmentSideEffect).where(TreatmentSideEffect.user_id == user.id)
                                      .order_by(TreatmentSideEffect.noted_on)))
    return {"checkins": checkins, "symptoms": {s.id: s for s in symptoms_for(user)},
            "treatments": treatments, "side_effects": effects,
            "flares": list(db.session.scalars(select(Flare).where(Flare.user_id == user.id)
                                              .order_by(Flare.start_date))),
            "labs": list(db.session.scalars(select(LabResult).where(LabResult.user_id == user.id)
                                            .order_by(LabResult.taken_on, LabResult.name)))}


def has_any_records(user: Any) -> bool:
    """Whether the member has logged anything yet (for first-visit guidance)."""
    return db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.user_id == user.id)) > 0
