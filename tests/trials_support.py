"""Builders for the trial-suggestion tests: v2 records, shipped specs, and crafted members.

DB builders run inside ``with app.app_context():`` and commit.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from community.db import db
from community.models import Flare, HealthProfile, LabResult, LabTest, Medication, Treatment
from community.tracking.catalogue import load_catalogues
from community.trials import importer, matching
from community.trials.matching import CriterionSpec, MemberFacts, TreatmentFact, TrialSpec

TODAY = date(2026, 11, 25)
CAR_T_REFRACTORY_SLE = ("NCT05869955", "NCT06581198", "NCT06333483", "NCT06308978")


def study(nct_id: str = "NCT09000001", *, title: str = "A study in lupus", status: str = "RECRUITING",
          min_age: str | None = "18 Years", max_age: str | None = None, sex: str = "ALL",
          conditions: tuple[str, ...] = ("Systemic Lupus Erythematosus",), locations: list | None = None,
          eligibility: str = "Inclusion Criteria:\n* SLE", **extra: Any) -> dict:
    """A v2-shaped study record."""
    eligibility_module = {"sex": sex, "eligibilityCriteria": eligibility}
    if min_age:
        eligibility_module["minimumAge"] = min_age
    if max_age:
        eligibility_module["maximumAge"] = max_age
    record = {"protocolSection": {
        "identificationModule": {"nctId": nct_id, "briefTitle": title, **extra.pop("ident", {})},
        "statusModule": {"overallStatus": status, "lastUpdatePostDateStruct": {"date": "2026-10-01"}},
        "conditionsModule": {"conditions": list(conditions)},
        "designModule": {"studyType": "INTERVENTIONAL", "phases": ["PHASE2"]},
        "eligibilityModule": eligibility_module,
        "contactsLocationsModule": {"locations": locations if locations is not None else [
            {"facility": "General Hospital", "city": "Palo Alto", "state": "California",
             "country": "United States"}]},
    }, "hasResults": False}
    record.update(extra)
    return record


def shipped_specs() -> dict[str, tuple[str, TrialSpec]]:
    """Every shipped study as a matcher spec (registry-derived + curated criteria), without a database."""
    pages = json.loads((importer.SHIPPED_DIR / "lupus-trials.json").read_text())
    curated = json.loads((importer.SHIPPED_DIR / "criteria.json").read_text())
    out = {}
    for record in pages["studies"]:
        values = importer.parse_study(record)
        criteria = [CriterionSpec(c["kind"], c["params"], "registry") for c in importer.derived_criteria(values)]
        criteria += [CriterionSpec(c["kind"], matching.clean_params(c["kind"], {k: v for k, v in c.items()
                                                                                if k != "kind"}))
                     for c in curated.get(values["nct_id"], [])]
        out[values["nct_id"]] = (values["overall_status"],
                                 TrialSpec(values["nct_id"], values["overall_status"], criteria, values["locations"]))
    return out


# -- crafted members as pure facts ---------------------------------------------------------------
def refractory_sle_facts(**overrides: Any) -> MemberFacts:
    """34, SLE, stopped hydroxychloroquine, mycophenolate and belimumab as not effective, 3 flares this year."""
    values = dict(
        today=TODAY, has_profile=True, birth_date=date(1992, 5, 2), sex="female", diagnoses=("sle",),
        country="United States", region="California", pregnancy="no",
        treatments=(
            TreatmentFact("Hydroxychloroquine", "hydroxychloroquine", date(2019, 1, 10), date(2021, 6, 1),
                          "not_effective"),
            TreatmentFact("Mycophenolate", "mycophenolate", date(2021, 6, 15), date(2024, 3, 1), "not_effective"),
            TreatmentFact("Belimumab", "belimumab", date(2024, 3, 20), date(2025, 4, 30), "not_effective"),
            TreatmentFact("Prednisone", "prednisone", date(2025, 5, 1), None, ""),
        ),
        flare_starts=(date(2026, 2, 3), date(2026, 6, 14), date(2026, 9, 20)),
        labs={}, severe_symptom_days=6)
    values.update(overrides)
    return MemberFacts(**values)


# -- crafted members in the database -------------------------------------------------------------
def seed_tracking_catalogues() -> None:
    load_catalogues()


def give_history(user_id: int, *, birth_year: int | None = None, birth_date: date | None = None,
                 diagnoses=("sle",), pregnancy: str = "no", country: str = "United States",
                 region: str = "California", nephritis_class: str = "",
                 stopped: tuple[str, ...] = ("hydroxychloroquine", "mycophenolate", "belimumab"),
                 flares: int = 3, today: date | None = None) -> None:
    """A health profile, treatments stopped as not effective, and recent flares."""
    today = today or date.today()
    db.session.add(HealthProfile(user_id=user_id, diagnoses=list(diagnoses), birth_year=birth_year,
                                 birth_date=birth_date, pregnancy=pregnancy, country=country, region=region,
                                 nephritis_class=nephritis_class, sex="female"))
    meds = {m.slug: m for m in db.session.scalars(select(Medication))}
    start = today - timedelta(days=365 * 6)
    for n, slug in enumerate(stopped):
        med = meds.get(slug)
        begin = start + timedelta(days=400 * n)
        db.session.add(Treatment(user_id=user_id, medication_id=med.id if med else None,
                                 name=med.name if med else slug.title(), dose=100, unit="mg",
                                 frequency="once_daily", start_date=begin, stop_date=begin + timedelta(days=300),
                                 stop_reason="not_effective"))
    for n in range(flares):
        db.session.add(Flare(user_id=user_id, start_date=today - timedelta(days=20 + 60 * n),
                             end_date=today - timedelta(days=10 + 60 * n), severity="moderate"))
    db.session.commit()


def add_lab(user_id: int, slug: str, value: float, unit: str, taken_on: date) -> None:
    test = db.session.scalar(select(LabTest).where(LabTest.slug == slug))
    db.session.add(LabResult(user_id=user_id, lab_test_id=test.id if test else None, name=test.name if test else slug,
                             value=value, value_text=f"{value:g}", unit=unit, taken_on=taken_on))
    db.session.commit()


def load_shipped() -> None:
    importer.load_shipped_trials()
