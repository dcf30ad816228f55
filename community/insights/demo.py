"""Demo contributors, so the demo's insight pages show real aggregates (`make demo`).

Five demo members cannot fill a page that needs 11 members a cell; this adds a cohort of
contributing members with the shapes real lupus records have (hydroxychloroquine for
almost everyone, steroids that come and go, mycophenolate for kidneys and the hair loss
people ask about, a biologic started a few months ago with check-ins on both sides) and
then refreshes the published pages. The same cohort on every machine; loads once.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select

from community.db import db, utcnow
from community.insights.refresh import CONSENT_VERSION, RefreshReport, refresh
from community.models import (
    CheckIn,
    HealthProfile,
    InsightsConsent,
    Medication,
    Symptom,
    SymptomRating,
    Treatment,
    TreatmentSideEffect,
    User,
)
from community.passwords import hash_password

CONTRIBUTORS = 72
FIRST_NAMES = ["Amara", "Bea", "Chloe", "Dana", "Esi", "Farah", "Gwen", "Hana", "Iris", "Jade", "Kemi", "Lena", "Mina", "Nora", "Odile", "Priya", "Quinn", "Rosa", "Sade", "Tara", "Uma", "Vera", "Wren", "Yara"]
EMAIL = "contributor-{:02d}@demo.example.org"
MAYA = "maya@demo.example.org"


@dataclass(frozen=True)
class Course:
    """How often contributors report one medicine, and what they report about it."""

    share: float
    doses: tuple[float, ...]
    stop_share: float
    stop_reasons: tuple[str, ...]
    side_effects: tuple[tuple[str, float], ...]  # (in a member's words, share of those on it)
    ratings: tuple[str, ...]


COURSES = {
    "hydroxychloroquine": Course(0.88, (200, 300, 400), 0.12, ("side_effects", "other", "doctors_advice"),
                                 (("Nausea", 0.2), ("Blurred vision", 0.08), ("Skin darkening", 0.06)),
                                 ("moderately", "a_lot", "a_lot", "a_little", "")),
    "prednisone": Course(0.62, (5, 7.5, 10, 20), 0.45, ("remission", "side_effects", "doctors_advice"),
                         (("Weight gain", 0.45), ("Trouble sleeping", 0.35), ("Mood swings", 0.25)),
                         ("a_lot", "moderately", "a_little", "")),
    "mycophenolate": Course(0.4, (1000, 1500, 2000), 0.3, ("side_effects", "pregnancy", "not_effective"),
                            (("Hair thinning", 0.35), ("Nausea", 0.4), ("Diarrhoea", 0.3)),
                            ("moderately", "a_lot", "a_little", "not_at_all", "")),
    "azathioprine": Course(0.2, (50, 100, 150), 0.35, ("not_effective", "side_effects", "pregnancy"),
                           (("Nausea", 0.3), ("Tiredness", 0.2)), ("a_little", "moderately", "")),
    "methotrexate": Course(0.16, (10, 15, 20), 0.5, ("side_effects", "not_effective"),
                           (("Nausea", 0.5), ("Mouth ulcers", 0.3)), ("a_little", "moderately", "not_at_all")),
}
# The medicine most contributors started four or five months ago, logged either side of the start.
RECENT = "belimumab"
RECENT_COURSE = Course(0.55, (200,), 0.05, ("cost",), (("Headache", 0.3), ("Tiredness after the dose", 0.25)),
                       ("moderately", "a_lot", "a_little", ""))
LOGGED = ("fatigue", "joint-pain", "brain-fog", "headache", "hair-loss", "malar-rash", "low-mood")


def load_demo_contributors(today: date | None = None) -> RefreshReport | None:
    """Add the contributing cohort once (Maya joins it), then refresh the published pages."""
    if db.session.scalar(select(User.id).where(User.email == EMAIL.format(1))) is None:
        _add_cohort(today or utcnow().date())
        _maya_contributes()
        db.session.commit()
    return refresh(today)


def _add_cohort(today: date) -> None:
    rng = random.Random(1982)  # the same cohort on every machine  # noqa: S311 - sample data
    now = utcnow()
    # Nobody signs in as a contributor: one random password nobody knows.
    unknown = hash_password(secrets.token_urlsafe(24))
    names = [f"{first} {initial}." for initial in "MKTR" for first in FIRST_NAMES][:CONTRIBUTORS]
    ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
        {"email": EMAIL.format(n + 1), "display_name": name, "password_hash": unknown, "role": "member",
         "time_zone": "Europe/London", "email_verified_at": now, "terms_accepted_at": now, "created_at": now,
         "session_token": secrets.token_urlsafe(32), "bio": "", "pronouns": "", "show_lupus_since": True}
        for n, name in enumerate(names)]))
    meds = {m.slug: m for m in db.session.scalars(select(Medication))}
    symptoms = {s.slug: s.id for s in db.session.scalars(select(Symptom).where(Symptom.owner_id.is_(None)))}
    db.session.execute(insert(InsightsConsent), [
        {"user_id": uid, "version": CONSENT_VERSION, "action": "given", "created_at": now} for uid in ids])
    profiles, ratings = [], []
    for uid in ids:
        nephritis = rng.random() < 0.38
        diagnoses = ["sle"] + (["nephritis"] if nephritis else []) + (["cutaneous"] if rng.random() < 0.22 else [])
        profiles.append({"user_id": uid, "diagnoses": diagnoses, "birth_year": rng.randint(1958, 2003),
                         "sex": "female" if rng.random() < 0.9 else "male", "updated_at": now})
        recent_start = _treatments(rng, uid, meds, today, nephritis, now)
        ratings += _check_ins(rng, uid, symptoms, today, recent_start, now)
    db.session.execute(insert(HealthProfile), profiles)
    for start in range(0, len(ratings), 5000):
        db.session.execute(insert(SymptomRating), ratings[start:start + 5000])


def _treatments(rng: random.Random, uid: int, meds: dict, today: date, nephritis: bool, now) -> date | None:
    """The member's medicines with their doses, stops, ratings and side effects; returns a recent start."""
    recent_start = None
    courses = dict(COURSES)
    if rng.random() < RECENT_COURSE.share:
        courses[RECENT] = RECENT_COURSE
    for slug, course in courses.items():
        share = min(1.0, course.share * (1.6 if nephritis and slug == "mycophenolate" else 1))
        if slug != RECENT and rng.random() >= share:
            continue
        if slug == RECENT:
            start = recent_start = today - timedelta(weeks=17, days=rng.randrange(28))
        else:
            start = today - timedelta(days=rng.randint(60, 9 * 365))
        stop = reason = None
        if rng.random() < course.stop_share:
            stop = min(today - timedelta(days=1), start + timedelta(days=rng.randint(45, 3 * 365)))
            reason = rng.choice(course.stop_reasons)
        medication = meds[slug]
        treatment_id = db.session.scalar(insert(Treatment).returning(Treatment.id), [{
            "user_id": uid, "medication_id": medication.id, "name": medication.name,
            "dose": rng.choice(course.doses), "unit": medication.default_unit,
            "frequency": medication.default_frequency, "start_date": start, "stop_date": stop,
            "stop_reason": reason or "", "notes": "", "rating": rng.choice(course.ratings), "created_at": now}])
        effects = [{"treatment_id": treatment_id, "user_id": uid, "description": words,
                    "noted_on": start + timedelta(days=rng.randint(7, 60)), "severity": rng.choice([1, 1, 2, 2, 3]),
                    "created_at": now}
                   for words, share in course.side_effects if rng.random() < share]
        if effects:
            db.session.execute(insert(TreatmentSideEffect), effects)
    return recent_start


def _check_ins(rng: random.Random, uid: int, symptoms: dict[str, int], today: date, recent_start: date | None,
               now) -> list[dict]:
    """Check-ins on most days from ten weeks before a recent start (or twelve weeks back) until today."""
    first = (recent_start - timedelta(weeks=10)) if recent_start else today - timedelta(weeks=12)
    days = [first + timedelta(days=d) for d in range((today - first).days) if rng.random() < 0.6]
    tracked = ["fatigue", "joint-pain", *rng.sample(LOGGED[2:], k=2)]
    baseline = {slug: rng.uniform(1.4, 2.8) for slug in tracked}
    checkin_ids = db.session.execute(insert(CheckIn).returning(CheckIn.id, CheckIn.day, sort_by_parameter_order=True), [
        {"user_id": uid, "day": day, "wellbeing": rng.randint(2, 4), "sleep_hours": round(rng.uniform(5, 8.5), 1),
         "triggers": [], "custom_trigger": "", "medications_taken": [], "notes": "", "created_at": now,
         "updated_at": now} for day in days]).all()
    rows = []
    for checkin_id, day in checkin_ids:
        # Members' reports drift a little lower after a start, as many (not all) describe it.
        settled = recent_start is not None and day >= recent_start + timedelta(weeks=6) and uid % 3 != 0
        for slug in tracked:
            level = baseline[slug] - (0.8 if settled else 0) + rng.uniform(-1, 1)
            rows.append({"checkin_id": checkin_id, "user_id": uid, "symptom_id": symptoms[slug],
                         "severity": max(0, min(4, round(level)))})
    return rows


def _maya_contributes() -> None:
    """Maya, the demo's member, counts herself in, so her dashboard shows members like her."""
    maya = db.session.scalar(select(User).where(User.email == MAYA))
    if maya is None:
        return
    if db.session.scalar(select(HealthProfile.id).where(HealthProfile.user_id == maya.id)) is None:
        db.session.add(HealthProfile(user_id=maya.id, diagnoses=["sle"], birth_year=1979, sex="female",
                                     diagnosed_year=2016))
    db.session.add(InsightsConsent(user_id=maya.id, version=CONSENT_VERSION, action="given"))
