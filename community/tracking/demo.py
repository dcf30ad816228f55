"""Demo tracking history for Maya: a month of check-ins, a flare and treatment changes (idempotent)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from community.db import db
from community.models import (
    CheckIn,
    Flare,
    LabResult,
    LabTest,
    Medication,
    Symptom,
    SymptomRating,
    Treatment,
    User,
)
from community.tracking.common import local_today
from community.tracking.seed import load_catalogues

DEMO_EMAIL = "maya@demo.example.org"


def load_demo_tracking() -> list[str]:
    """Give Maya 30 days of check-ins, a flare, treatments and labs, unless she already has records."""
    load_catalogues()
    maya = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if maya is None or db.session.scalar(select(CheckIn.id).where(CheckIn.user_id == maya.id).limit(1)):
        return []
    today = local_today(maya)
    rng = random.Random(2016)  # the same history on every machine
    symptoms = {s.slug: s for s in db.session.scalars(select(Symptom).where(Symptom.owner_id.is_(None)))}
    meds = {m.slug: m for m in db.session.scalars(select(Medication))}
    tests = {t.slug: t for t in db.session.scalars(select(LabTest))}
    flare_start, flare_end = today - timedelta(days=16), today - timedelta(days=9)

    hcq = Treatment(user_id=maya.id, medication_id=meds["hydroxychloroquine"].id, name=meds["hydroxychloroquine"].name,
                    dose=200, unit="mg", frequency="twice_daily", start_date=today - timedelta(days=400))
    pred = Treatment(user_id=maya.id, medication_id=meds["prednisone"].id, name=meds["prednisone"].name,
                     dose=20, unit="mg", frequency="once_daily", start_date=flare_start + timedelta(days=1),
                     stop_date=flare_end + timedelta(days=2), stop_reason="dose_changed")
    db.session.add_all([hcq, pred])
    db.session.flush()
    taper = Treatment(user_id=maya.id, medication_id=pred.medication_id, name=pred.name, dose=10, unit="mg",
                      frequency="once_daily", start_date=flare_end + timedelta(days=3), previous_id=pred.id)
    db.session.add(taper)
    db.session.add(Flare(user_id=maya.id, start_date=flare_start, end_date=flare_end, severity="moderate",
                         symptoms=["Joint pain", "Fatigue", "Butterfly (malar) rash"], organs=["joints", "skin"],
                         triggers=["sun", "stress"], actions=["called_doctor", "steroid_increase"],
                         notes="Started after the garden open day in full sun."))
    db.session.flush()
    for n in range(30, 0, -1):
        day = today - timedelta(days=n)
        in_flare = flare_start <= day <= flare_end + timedelta(days=2)
        base = 2.6 if in_flare else 1.0
        checkin = CheckIn(user_id=maya.id, day=day, wellbeing=max(1, min(5, round(4 - base + rng.uniform(-.6, .6)))),
                          sleep_hours=round(rng.uniform(5.5, 8.5) * 2) / 2,
                          triggers=["sun"] if day == flare_start else (["poor_sleep"] if rng.random() < .15 else []),
                          medications_taken=[t.id for t in (hcq, pred, taper) if t.is_active_on(day)
                                             and rng.random() < .93],
                          notes="")
        db.session.add(checkin)
        db.session.flush()
        for slug, weight in (("fatigue", 1.0), ("joint-pain", 0.9), ("malar-rash", 0.6 if in_flare else 0.1),
                             ("brain-fog", 0.6)):
            severity = max(0, min(4, round(base * weight + rng.uniform(-.7, .7))))
            db.session.add(SymptomRating(checkin_id=checkin.id, user_id=maya.id, symptom_id=symptoms[slug].id,
                                         severity=severity))
    for days_ago, slug, value, low, high in ((60, "c3", 0.92, 0.9, 1.8), (14, "c3", 0.71, 0.9, 1.8),
                                             (60, "anti-dsdna", 18, 0, 30), (14, "anti-dsdna", 64, 0, 30),
                                             (14, "egfr", 96, 60, None)):
        test = tests[slug]
        db.session.add(LabResult(user_id=maya.id, lab_test_id=test.id, name=test.name, value=value,
                                 value_text=f"{value:g}", unit=test.unit, taken_on=today - timedelta(days=days_ago),
                                 ref_low=low, ref_high=high))
    db.session.commit()
    return ["Maya has a month of check-ins, a flare, treatments and labs under Track."]
