"""Treatments: medicines and doses over time, stops, dose changes and side-effect notes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    Medication,
    Treatment,
    TreatmentSideEffect,
)
from community.models.tracking import SEVERITY_MAX, SEVERITY_SCALE
from community.tracking import catalogue, stamp
from community.tracking.common import (
    catalogue_or_typed,
    check_choices,
    check_day,
    clean_text,
    ensure_own,
    guard,
    local_today,
    own_record,
    say_day,
)

MAX_DOSE = 100_000


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
    rating: str = ""  # "how well is it working for you?" (catalogue.TREATMENT_RATINGS), optional


def list_treatments(user: Any) -> list[Treatment]:
    """The member's treatments: running ones first, then by start date, latest first."""
    guard(user)
    return list(db.session.scalars(select(Treatment).where(Treatment.user_id == user.id)
                                   .order_by(Treatment.stop_date.is_not(None), Treatment.start_date.desc(),
                                             Treatment.id.desc())))


def get_treatment(user: Any, treatment_id: int, *, with_side_effects: bool = False) -> Treatment:
    """One of the member's treatments (404 for anyone else's)."""
    treatment = own_record(user, Treatment, treatment_id)
    if with_side_effects:
        load_side_effects(treatment)
    return treatment


def load_side_effects(treatment: Treatment) -> Treatment:
    """Fill the treatment's side-effect notes, newest first, in one query."""
    set_committed_value(treatment, "side_effects", list(db.session.scalars(
        select(TreatmentSideEffect).where(TreatmentSideEffect.treatment_id == treatment.id)
        .order_by(TreatmentSideEffect.noted_on.desc(), TreatmentSideEffect.id.desc()))))
    return treatment


def treatments_active_on(user: Any, day: date) -> list[Treatment]:
    """The member's treatments running on that day (for "medications taken today")."""
    return list(db.session.scalars(
        select(Treatment).where(Treatment.user_id == user.id, Treatment.start_date <= day,
                                or_(Treatment.stop_date.is_(None), Treatment.stop_date >= day))
        .order_by(Treatment.name)))


def _check_dose(dose: float | None, unit: str, frequency: str) -> None:
    if dose is None:
        raise ValidationFailed("Please enter the dose, like 200.", field="dose")
    if not math.isfinite(dose) or dose <= 0:
        raise ValidationFailed("The dose must be more than 0.", field="dose")
    if dose > MAX_DOSE:
        raise ValidationFailed("That dose looks too large. Please check it.", field="dose")
    check_choices([unit], catalogue.UNITS, "unit")
    check_choices([frequency], catalogue.FREQUENCIES, "frequency")


def save_treatment(user: Any, data: TreatmentData, *, treatment: Treatment | None = None,
                   today: date | None = None) -> Treatment:
    """Add or change a treatment: a catalogue medicine or the member's own words, dose, dates."""
    guard(user)
    today = today or local_today(user)
    if treatment is not None:
        ensure_own(user, treatment)
    medication, name = catalogue_or_typed(Medication, data.medication_id, data.name,
                                           "medication_id", "medicine")
    _check_dose(data.dose, data.unit, data.frequency)
    check_day(data.start_date, today, "start_date", "The start date")
    stop_reason = data.stop_reason or ""
    if data.stop_date is not None:
        check_day(data.stop_date, today, "stop_date", "The stop date")
        if data.stop_date < data.start_date:
            raise ValidationFailed("The stop date is before the start date.", field="stop_date")
        allowed = {k for k, _ in catalogue.STOP_REASONS} | {catalogue.DOSE_CHANGED[0]}
        if not stop_reason:
            raise ValidationFailed("Please choose why it was stopped.", field="stop_reason")
        if stop_reason not in allowed:
            raise ValidationFailed("Please choose from the reasons shown.", field="stop_reason")
    elif stop_reason:
        raise ValidationFailed("Please add the stop date too, or clear the reason.", field="stop_date")
    rating = "".join(check_choices([data.rating] if data.rating else [], catalogue.TREATMENT_RATINGS, "rating"))
    notes = clean_text(data.notes, 2000, "notes", "Notes")
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


def stop_treatment(user: Any, treatment: Treatment, *, stop_date: date | None, reason: str,
                   today: date | None = None) -> Treatment:
    """Stop a running treatment on a date, with the reason."""
    ensure_own(user, treatment)
    today = today or local_today(user)
    if treatment.stop_date is not None:
        raise ValidationFailed("This treatment is already stopped.")
    check_day(stop_date, today, "stop_date", "The stop date")
    if stop_date < treatment.start_date:
        raise ValidationFailed("The stop date is before the start date "
                               f"({say_day(treatment.start_date, today)}).", field="stop_date")
    if reason not in {k for k, _ in catalogue.STOP_REASONS}:
        raise ValidationFailed("Please choose why it was stopped.", field="reason")
    treatment.stop_date = stop_date
    treatment.stop_reason = reason
    db.session.commit()
    return treatment


def change_dose(user: Any, old: Treatment, *, on: date | None, dose: float | None, unit: str,
                frequency: str, today: date | None = None) -> Treatment:
    """End the current dose on a date and start the new one from that date (history kept)."""
    ensure_own(user, old)
    today = today or local_today(user)
    if old.stop_date is not None:
        raise ValidationFailed("This treatment is stopped. Add it again to restart it.")
    check_day(on, today, "on", "The change date")
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


def delete_treatment(user: Any, treatment: Treatment) -> None:
    """Delete a treatment with its side-effect notes (a later dose step forgets the link)."""
    ensure_own(user, treatment)
    db.session.execute(update(Treatment).where(Treatment.previous_id == treatment.id)
                       .values(previous_id=None))
    db.session.execute(delete(TreatmentSideEffect).where(TreatmentSideEffect.treatment_id == treatment.id))
    db.session.execute(delete(Treatment).where(Treatment.id == treatment.id))
    stamp.records_changed(user.id)
    db.session.commit()


def add_side_effect(user: Any, treatment: Treatment, *, noted_on: date | None, description: str,
                    severity: int | None, today: date | None = None) -> TreatmentSideEffect:
    """Note a side effect of a treatment on a date."""
    ensure_own(user, treatment)
    today = today or local_today(user)
    check_day(noted_on, today, "noted_on")
    if noted_on < treatment.start_date:
        raise ValidationFailed(f"That is before you started {treatment.name} "
                               f"({say_day(treatment.start_date, today)}).", field="noted_on")
    description = " ".join((description or "").split())
    if not description:
        raise ValidationFailed("Please describe the side effect.", field="description")
    if len(description) > 300:
        raise ValidationFailed("Please keep it under 300 characters.", field="description")
    if severity is not None and severity not in SEVERITY_SCALE:
        raise ValidationFailed(f"Please rate it from 0 to {SEVERITY_MAX}.", field="severity")
    effect = TreatmentSideEffect(treatment_id=treatment.id, user_id=user.id, noted_on=noted_on,
                                 description=description, severity=severity)
    db.session.add(effect)
    db.session.commit()
    return effect


def get_own_side_effect(user: Any, effect_id: int) -> TreatmentSideEffect:
    """One of the member's side-effect notes (404 for anyone else's)."""
    return own_record(user, TreatmentSideEffect, effect_id)


def delete_side_effect(user: Any, effect: TreatmentSideEffect) -> int:
    """Delete a side-effect note; returns its treatment's id."""
    ensure_own(user, effect)
    treatment_id = effect.treatment_id
    db.session.execute(delete(TreatmentSideEffect).where(TreatmentSideEffect.id == effect.id))
    stamp.records_changed(user.id)
    db.session.commit()
    return treatment_id


