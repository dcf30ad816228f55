"""Builders shared by the tracking tests. Call inside ``with app.app_context():``; each commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from community.db import db
from community.models import LabTest, Medication, Symptom
from community.tracking import checkin_log, flare_log, lab_log, treatment_log
from community.tracking.seed import load_catalogues

TODAY = date(2026, 3, 17)  # a Tuesday


def seed_catalogues() -> None:
    load_catalogues()


def symptom_id(slug: str) -> int:
    return db.session.scalar(select(Symptom.id).where(Symptom.slug == slug))


def medication_id(slug: str) -> int:
    return db.session.scalar(select(Medication.id).where(Medication.slug == slug))


def lab_test_id(slug: str) -> int:
    return db.session.scalar(select(LabTest.id).where(LabTest.slug == slug))


def checkin(user, day: date = TODAY, today: date = TODAY, **fields):
    ratings = fields.pop("ratings", {symptom_id("fatigue"): 2})
    return checkin_log.save_checkin(user, checkin_log.CheckInData(day=day, ratings=ratings, **fields), today=today)


def flare(user, start: date, end: date | None = None, severity: str = "moderate", today: date = TODAY, **fields):
    return flare_log.save_flare(user, flare_log.FlareData(start_date=start, end_date=end, severity=severity,
                                                        **fields), today=today)


def treatment(user, start: date = date(2026, 1, 5), slug: str = "hydroxychloroquine", dose: float = 200,
              today: date = TODAY, **fields):
    data = treatment_log.TreatmentData(medication_id=medication_id(slug), name="", dose=dose, unit="mg",
                                  frequency=fields.pop("frequency", "once_daily"), start_date=start, **fields)
    return treatment_log.save_treatment(user, data, today=today)


def lab(user, slug: str = "c3", value: str = "0.7", taken_on: date = date(2026, 3, 1), today: date = TODAY,
        **fields):
    data = lab_log.LabData(lab_test_id=lab_test_id(slug), name="", value=value, unit=fields.pop("unit", ""),
                            taken_on=taken_on, **fields)
    return lab_log.save_lab(user, data, today=today)
