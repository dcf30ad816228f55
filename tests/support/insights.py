"""Builders for the insights tests: contributing members with records, written straight through the models.

Call inside ``with app.app_context():``; each commits. Records go in as rows (not
through tracking's services) so a test can make dozens of members quickly.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from community.db import db
from community.insights import services
from community.models import (
    CheckIn,
    HealthProfile,
    Medication,
    Symptom,
    SymptomRating,
    Treatment,
    TreatmentSideEffect,
)
from tests.support.factories import make_user

TODAY = date(2026, 11, 2)


def member(*, diagnoses=("sle",), birth_year: int | None = 1985, consent: bool = True, **fields):
    """A member with a health profile, contributing unless ``consent`` is False."""
    user = make_user(**fields)
    db.session.add(HealthProfile(user_id=user.id, diagnoses=list(diagnoses), birth_year=birth_year))
    db.session.commit()
    if consent:
        services.give_consent(user)
    return user


def on(user, slug: str = "hydroxychloroquine", *, start: date = date(2025, 6, 1), stop: date | None = None,
       reason: str = "", dose: float = 200, rating: str = "", side_effect: str = "", severity: int | None = None):
    """The member took a catalogue medicine (optionally stopped, rated, with a side effect)."""
    med = db.session.scalar(select(Medication).where(Medication.slug == slug))
    treatment = Treatment(user_id=user.id, medication_id=med.id, name=med.name, dose=dose, unit="mg",
                          frequency="once_daily", start_date=start, stop_date=stop, stop_reason=reason,
                          rating=rating)
    db.session.add(treatment)
    db.session.flush()
    if side_effect:
        db.session.add(TreatmentSideEffect(treatment_id=treatment.id, user_id=user.id, noted_on=start + timedelta(days=20),
                                           description=side_effect, severity=severity))
    db.session.commit()
    return treatment


def rated(user, days: list[date], slug: str = "fatigue", severity: int = 2) -> None:
    """Check-ins on ``days`` rating one catalogue symptom."""
    symptom_id = db.session.scalar(select(Symptom.id).where(Symptom.slug == slug))
    for day in days:
        checkin = CheckIn(user_id=user.id, day=day)
        db.session.add(checkin)
        db.session.flush()
        db.session.add(SymptomRating(checkin_id=checkin.id, user_id=user.id, symptom_id=symptom_id,
                                     severity=severity))
    db.session.commit()
