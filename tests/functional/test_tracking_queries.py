"""No N+1: tracking pages answer in the same small number of SQL statements for 3 days or 5 years."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from community.db import db
from community.models import (
    CheckIn,
    Flare,
    LabResult,
    SymptomRating,
    Treatment,
    TreatmentSideEffect,
)
from community.tracking import common
from tests.support.factories import make_user
from tests.support.observe import counting_statements
from tests.support.tracking import seed_catalogues, symptom_id

MAX_STATEMENTS = 16
SLUGS = ("fatigue", "joint-pain", "brain-fog", "headache", "malar-rash")


def bulk_history(user_id: int, days: int, today) -> None:
    """``days`` of daily check-ins with five ratings each, plus flares, dose steps and labs (bulk inserts)."""
    start = today - timedelta(days=days)
    db.session.execute(insert(CheckIn), [
        {"user_id": user_id, "day": start + timedelta(days=n), "wellbeing": 1 + n % 5, "sleep_hours": 7.0,
         "triggers": ["stress"] if n % 9 == 0 else [], "medications_taken": [], "notes": f"day {n}",
         "custom_trigger": ""} for n in range(days)])
    ids = db.session.execute(select(CheckIn.id, CheckIn.day).where(CheckIn.user_id == user_id)).all()
    symptom_ids = [symptom_id(slug) for slug in SLUGS]
    db.session.execute(insert(SymptomRating), [
        {"checkin_id": cid, "user_id": user_id, "symptom_id": sid, "severity": (cid + k) % 5}
        for cid, _day in ids for k, sid in enumerate(symptom_ids)])
    db.session.execute(insert(Flare), [
        {"user_id": user_id, "start_date": start + timedelta(days=n), "end_date": start + timedelta(days=n + 6),
         "severity": "moderate", "symptoms": ["Fatigue"], "organs": [], "triggers": [], "actions": [], "notes": ""}
        for n in range(0, days - 10, max(days // 20, 10))])
    db.session.execute(insert(Treatment), [
        {"user_id": user_id, "name": "Prednisone", "dose": 5 + n, "unit": "mg", "frequency": "once_daily",
         "start_date": start + timedelta(days=n * 30), "stop_date": start + timedelta(days=n * 30 + 29),
         "stop_reason": "dose_changed", "notes": ""} for n in range(max(days // 30 - 1, 1))])
    db.session.execute(insert(Treatment), [{"user_id": user_id, "name": "Hydroxychloroquine", "dose": 200,
                                            "unit": "mg", "frequency": "twice_daily", "start_date": start,
                                            "notes": "", "stop_reason": ""}])
    treatment_ids = db.session.scalars(select(Treatment.id).where(Treatment.user_id == user_id)).all()
    db.session.execute(insert(TreatmentSideEffect), [
        {"treatment_id": tid, "user_id": user_id, "noted_on": start + timedelta(days=1), "description": "Nausea",
         "severity": 1} for tid in treatment_ids])
    db.session.execute(insert(LabResult), [
        {"user_id": user_id, "name": name, "value": 0.5 + n % 7, "value_text": str(0.5 + n % 7), "unit": "g/L",
         "taken_on": start + timedelta(days=n * 30 + 1), "ref_low": 0.9, "ref_high": 1.8, "notes": ""}
        for n in range(max(days // 30, 1)) for name in ("C3 complement", "C4 complement")])
    db.session.commit()


PAGES = [
    "/tracking/", "/tracking/check-in", "/tracking/calendar", "/tracking/charts?range=30",
    "/tracking/charts?range=365", "/tracking/flares", "/tracking/treatments", "/tracking/labs",
    "/tracking/summary", "/tracking/export/check-ins.csv", "/tracking/export/treatments.csv",
    "/tracking/export/flares.csv", "/tracking/export/labs.csv", "/tracking/profile", "/tracking/treatments/{t}",
]




def member_with_history(app, days: int, email: str) -> int:
    with app.app_context():
        user = make_user(email=email, time_zone="Europe/London")
        bulk_history(user.id, days, common.local_today(user))
        return db.session.scalar(select(Treatment.id).where(Treatment.user_id == user.id).limit(1))


def statements_per_page(app, client, auth, email: str, treatment_id: int) -> dict[str, int]:
    auth.login(email)
    counts = {}
    for page in PAGES:
        url = page.format(t=treatment_id)
        with counting_statements(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[page] = len(statements)
    auth.logout()
    return counts


@pytest.mark.parametrize("years", [5])
def test_pages_need_the_same_few_queries_for_five_years_of_daily_checkins(app, client, auth, years):
    with app.app_context():
        seed_catalogues()
    small_treatment = member_with_history(app, 40, "small@example.org")
    big_treatment = member_with_history(app, 365 * years + 1, "big@example.org")
    with app.app_context():
        rows = db.session.execute(select(CheckIn.user_id, func.count()).group_by(CheckIn.user_id)
                                  .order_by(func.count())).all()
        assert [n for _u, n in rows] == [40, 365 * years + 1]
        assert db.session.scalar(select(func.count()).select_from(SymptomRating)) == 5 * (40 + 365 * years + 1)
    small = statements_per_page(app, client, auth, "small@example.org", small_treatment)
    big = statements_per_page(app, client, auth, "big@example.org", big_treatment)
    print(big)
    assert big == small
    assert max(big.values()) <= MAX_STATEMENTS, big
