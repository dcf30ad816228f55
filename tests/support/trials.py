"""Builders for the trial-suggestion tests: v2 records, shipped specs, and crafted members.

DB builders run inside ``with app.app_context():`` and commit.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert, select

from community.db import db
from community.models import (
    Flare,
    HealthProfile,
    LabResult,
    LabTest,
    Medication,
    Treatment,
    Trial,
    TrialCriterion,
)
from community.tracking.seed import load_catalogues
from community.trials import curation, importer, matching, seed
from community.trials.matching import CriterionSpec, LabFact, MemberFacts, TreatmentFact, TrialSpec

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
        criteria += [CriterionSpec(c["kind"], curation.clean_params(c["kind"], {k: v for k, v in c.items()
                                                                                if k != "kind"}, shipped=True))
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


# -- varied members and trials: every branch of every criterion, for equivalence tests ------------
DRUGS = ("hydroxychloroquine", "mycophenolate", "belimumab", "rituximab", "azathioprine", "ciclosporin",
         "cyclophosphamide", "anifrolumab", "voclosporin", "tacrolimus")
# Names a member might type when the catalogue entry is missing (slug ""), aliases included.
TYPED_NAMES = ("Plaquenil 200mg", "CellCept", "Cyclosporin", "MMF", "Rituximab biosimilar", "Fish oil")
COUNTRY_SPELLINGS = ("United States", "USA", "  united   states ", "uk", "United Kingdom", "France", "Brazil", "")
REGIONS = ("California", "california ", "Ohio", "")
STATUSES = ("RECRUITING", "RECRUITING", "NOT_YET_RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", "")


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def varied_member(rng: random.Random) -> MemberFacts:
    """A member drawn from every kind of record matching can see, gaps and odd spellings included."""
    today = rng.choice((TODAY, date(2027, 3, 31), date(2026, 2, 28)))
    used = frozenset(c for c in matching.CATEGORIES if rng.random() < .8)
    profile: dict[str, Any] = {}
    if "profile" in used and rng.random() < .9:
        born = _day(rng, date(1945, 1, 1), date(2012, 12, 31))
        profile = dict(has_profile=True, birth_date=born if rng.random() < .6 else None,
                       birth_year=born.year if rng.random() < .7 else None,
                       sex=rng.choice(("female", "female", "male", "", "intersex", "other")),
                       diagnoses=tuple(rng.sample(("sle", "nephritis", "cutaneous", "other"), rng.randint(0, 2))),
                       nephritis_class=rng.choice(("", "", "III", "IV", "V")),
                       country=rng.choice(COUNTRY_SPELLINGS), region=rng.choice(REGIONS),
                       pregnancy=rng.choice(("", "no", "no", "pregnant", "breastfeeding")))
    treatments = None
    if "treatments" in used and rng.random() < .85:
        items = []
        for _ in range(rng.randint(1, 6)):
            start = _day(rng, today - timedelta(days=9 * 365), today + timedelta(days=30))
            stop = None if rng.random() < .3 else start + timedelta(days=rng.randint(10, 3 * 365))
            if rng.random() < .75:
                slug = rng.choice(DRUGS)
                items.append(TreatmentFact(slug.title(), slug, start, stop, rng.choice(
                    ("not_effective", "not_effective", "side_effects", ""))))
            else:
                items.append(TreatmentFact(rng.choice(TYPED_NAMES), "", start, stop, "not_effective"))
        treatments = tuple(items)
    flares = None
    if "flares" in used and rng.random() < .85:
        flares = tuple(sorted(_day(rng, today - timedelta(days=3 * 365), today + timedelta(days=5))
                              for _ in range(rng.randint(0, 5))))
    labs = None
    if "labs" in used and rng.random() < .85:
        labs = {}
        for slug, unit, low, high in (("egfr", "mL/min/1.73m²", 10, 120), ("upcr", "mg/mmol", 5, 400),
                                      ("upcr", "g/g", .05, 4), ("creatinine", "µmol/l", 40, 300),
                                      ("creatinine", "mmol/l", .04, .3), ("ana", "", 40, 1280)):
            if rng.random() < .35:
                labs[slug] = LabFact(slug, slug.upper(), round(rng.uniform(low, high), 2), unit,
                                     _day(rng, today - timedelta(days=700), today))
    return MemberFacts(today=today, used=used, treatments=treatments, flare_starts=flares, labs=labs,
                       severe_symptom_days=rng.choice((None, 0, 1, 12)) if "symptoms" in used else None,
                       **profile)


def varied_criterion(rng: random.Random) -> CriterionSpec:
    """One criterion of any kind the matcher knows (and one it doesn't), with edge values."""
    kind = rng.choice(("age", "sex", "condition", "diagnosis", "nephritis_class", "prior_therapies", "drug",
                       "pregnancy", "lab", "flares", "clinician", "biomarker"))
    if kind == "age":
        params = {"min": rng.choice((None, 12, 16, 17.5, 18, 18.0)), "max": rng.choice((None, 40, 65, 75)),
                  "min_confirmed": rng.random() < .8, "max_confirmed": rng.random() < .7}
    elif kind == "sex":
        params = {"sex": rng.choice(("FEMALE", "MALE", "ALL"))}
    elif kind in ("condition", "diagnosis"):
        params = {"diagnoses": rng.sample(("sle", "nephritis", "cutaneous"), rng.randint(1, 2))}
    elif kind == "nephritis_class":
        params = {"classes": rng.sample(("III", "IV", "V"), rng.randint(1, 2))}
    elif kind == "prior_therapies":
        params = {"min_count": rng.randint(1, 3), "min_months": rng.choice((0, 3, 6)),
                  "drugs": rng.sample(DRUGS, rng.choice((0, 2, 5)))}
    elif kind == "drug":
        params = {"mode": rng.choice(("required", "excluded")), "months": rng.choice((0, 2, 12)),
                  "drugs": rng.sample(DRUGS, rng.randint(1, 3))}
    elif kind == "lab":
        test, unit = rng.choice((("egfr", "mL/min/1.73m²"), ("upcr", "mg/mg"), ("upcr", "mg/mmol"),
                                 ("creatinine", "mg/dl"), ("ana", ""), ("c3", "g/l")))
        params = {"test": test, "op": rng.choice(("<", "<=", ">", ">=", "==")),
                  "value": rng.choice((0.5, 1, 30, 80, 150)), "unit": unit}
    elif kind == "flares":
        params = {"min_count": rng.randint(1, 3), "months": rng.choice((6, 12, 24))}
    elif kind == "clinician":
        params = {"text": rng.choice(("SLEDAI-2K score of 6 or more", "BILAG A in one organ system"))}
    else:
        params = {}
    return CriterionSpec(kind, params, rng.choice(("registry", "curated")))


def varied_trial(rng: random.Random, number: int) -> TrialSpec:
    """A trial with a handful of varied criteria (repeats included) and sites in several spellings."""
    criteria = [varied_criterion(rng) for _ in range(rng.randint(0, 7))]
    locations = [{k: v for k, v in (("country", rng.choice(COUNTRY_SPELLINGS)), ("state", rng.choice(REGIONS)),
                                    ("city", rng.choice(("Palo Alto", "Paris", "", "Columbus"))),
                                    ("facility", rng.choice(("General Hospital", "")))) if v}
                 for _ in range(rng.randint(0, 4))]
    return TrialSpec(f"NCT{90000000 + number:08d}", rng.choice(STATUSES), criteria, locations)


def store_specs(specs: list[TrialSpec]) -> list[int]:
    """Generated studies as catalogue rows, in bulk, as an import would leave them; returns their row ids."""
    ids = db.session.scalars(insert(Trial).returning(Trial.id, sort_by_parameter_order=True), [
        {"nct_id": t.nct_id, "brief_title": f"Generated lupus study {t.nct_id}", "overall_status": t.status,
         "conditions": ["Systemic Lupus Erythematosus"], "locations": list(t.locations)} for t in specs]).all()
    criteria = [{"trial_id": trial_id, "position": position, "source": c.source, "kind": c.kind, "params": c.params}
                for trial_id, t in zip(ids, specs, strict=True) for position, c in enumerate(t.criteria)]
    if criteria:
        db.session.execute(insert(TrialCriterion), criteria)
    db.session.commit()
    return list(ids)


def varied_cases(members: int, trials: int, seed: int) -> tuple[list[MemberFacts], list[TrialSpec]]:
    rng = random.Random(seed)
    return [varied_member(rng) for _ in range(members)], [varied_trial(rng, n) for n in range(trials)]


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
    seed.load_shipped_trials()
