"""`flask insights refresh`: turn contributing members' records into published pages.

Reads tracking data through the models only (never tracking's services), counts
each member once per cell, applies disclosure control, and replaces every
published page in one transaction, so readers see the old set or the new one.
Withdrawn members are simply not read: the next refresh no longer counts them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import delete, func, insert, select

from community.db import db, utcnow
from community.insights.disclosure import (
    DIAGNOSES,
    UNKNOWN_AGE,
    Cells,
    Disclosure,
    cohorts_for,
    published_cohorts,
)
from community.models import (
    CheckIn,
    HealthProfile,
    InsightsConsent,
    InsightsPage,
    Medication,
    Symptom,
    SymptomRating,
    Treatment,
    TreatmentSideEffect,
)
from community.tracking.catalogue import DOSE_CHANGED, STOP_REASONS, TREATMENT_RATINGS

# Bump when the consent text in templates/insights/consent.html changes in meaning.
CONSENT_VERSION = 1
# Symptoms "before" are the 8 weeks before a first start; "after" weeks 8 to 16 after it
# (weeks counted from the start day: week 0 is its first 7 days).
BEFORE_WEEKS = range(-8, 0)
AFTER_WEEKS = range(8, 16)
DURATIONS = [("under-3-months", "Under 3 months", 91), ("3-12-months", "3 to 12 months", 365),
             ("1-3-years", "1 to 3 years", 3 * 365), ("over-3-years", "Over 3 years", None)]
MOST_SIDE_EFFECTS = 10


@dataclass
class RefreshReport:
    contributors: int = 0
    pages: int = 0
    seconds: float = 0.0


def disclosure() -> Disclosure:
    return Disclosure(minimum=current_app.config["INSIGHTS_MIN_MEMBERS"], step=current_app.config["INSIGHTS_ROUND_TO"])


def contributors_query():
    """Ids of members whose latest decision gives consent to the current text."""
    latest = (select(InsightsConsent.user_id, func.max(InsightsConsent.id).label("id"))
              .group_by(InsightsConsent.user_id).subquery())
    return (select(InsightsConsent.user_id).join(latest, latest.c.id == InsightsConsent.id)
            .where(InsightsConsent.action == "given", InsightsConsent.version == CONSENT_VERSION))


def age_band(profile_year: int | None, today: date) -> str:
    """The coarse age band from a birth year (a year off at most, which bands this wide absorb)."""
    if profile_year is None:
        return UNKNOWN_AGE
    age = today.year - profile_year
    return "under-40" if age < 40 else "40-59" if age < 60 else "60-plus"


def _member_cohorts(ids: set[int], today: date) -> dict[int, list[str]]:
    known = {dx for dx, _ in DIAGNOSES}
    cohorts = {uid: ["all"] for uid in ids}
    for uid, diagnoses, birth_date, birth_year in db.session.execute(
            select(HealthProfile.user_id, HealthProfile.diagnoses, HealthProfile.birth_date,
                   HealthProfile.birth_year).where(HealthProfile.user_id.in_(contributors_query()))):
        if uid not in cohorts:
            continue  # consented after this refresh began: counted from the next one
        year = birth_date.year if birth_date else birth_year
        cohorts[uid] = cohorts_for(set(diagnoses or []) & known, age_band(year, today))
    return cohorts


def _duration_bucket(days: int) -> str:
    return next(key for key, _, limit in DURATIONS if limit is None or days < limit)


def refresh(today: date | None = None) -> RefreshReport:
    """Recompute every published page from the records of members who consent now."""
    started = time.perf_counter()
    report = RefreshReport()
    today = today or utcnow().date()
    ids = set(db.session.scalars(contributors_query()))
    report.contributors = len(ids)
    cohorts = _member_cohorts(ids, today)
    overview = Cells()
    for uid in ids:
        overview.add(cohorts[uid], "members", uid)
    meds = list(db.session.scalars(select(Medication).order_by(Medication.sort_order, Medication.name)))
    symptoms = list(db.session.scalars(select(Symptom).where(Symptom.owner_id.is_(None))
                                       .order_by(Symptom.sort_order, Symptom.name)))
    slug_of_med = {m.id: m.slug for m in meds}
    slug_of_symptom = {s.id: s.slug for s in symptoms}

    treatment_cells = defaultdict(Cells)  # medication slug -> cells
    firsts: dict[int, list[tuple[str, date]]] = defaultdict(list)  # member -> (medication, first start)
    _count_treatments(treatment_cells, overview, cohorts, slug_of_med, firsts, today)
    _count_side_effects(treatment_cells, cohorts, slug_of_med)
    _count_symptoms(treatment_cells, overview, cohorts, slug_of_symptom, firsts)

    rule = disclosure()
    rows = []
    for cohort in published_cohorts():
        if not isinstance(rule.count(overview, cohort, "members"), int):
            continue  # a cohort too small to describe has no pages: its filter is refused
        listed = []
        for med in meds:
            body = _treatment_body(rule, treatment_cells[med.slug], cohort, symptoms)
            if body is None:
                continue
            listed.append({"slug": med.slug, "name": med.name, "ever": body["ever"], "now": body["now"]})
            rows.append({"kind": "treatment", "slug": med.slug, "cohort": cohort, "title": med.name, "body": body})
        rows.append({"kind": "treatments", "slug": "all", "cohort": cohort, "title": "Treatments",
                     "body": {"treatments": listed}})
        rows.append({"kind": "overview", "slug": "all", "cohort": cohort, "title": "Symptoms and treatments",
                     "body": _overview_body(rule, overview, cohort, symptoms, meds)})
    now = utcnow()
    for row in rows:
        row["refreshed_at"] = now
    db.session.execute(delete(InsightsPage))
    if rows:
        db.session.execute(insert(InsightsPage), rows)
    db.session.commit()
    report.pages = len(rows)
    report.seconds = time.perf_counter() - started
    return report


def _count_treatments(treatment_cells, overview, cohorts, slug_of_med, firsts, today) -> None:
    stop_keys = {k for k, _ in STOP_REASONS}
    per_member: dict[tuple[int, str], list] = defaultdict(list)
    for row in db.session.execute(
            select(Treatment.user_id, Treatment.medication_id, Treatment.start_date, Treatment.stop_date,
                   Treatment.stop_reason, Treatment.dose, Treatment.unit, Treatment.rating)
            .where(Treatment.user_id.in_(contributors_query()), Treatment.medication_id.is_not(None))
            .order_by(Treatment.user_id, Treatment.start_date, Treatment.id)):
        if row.user_id in cohorts:  # later queries re-read consent: keep to the refresh's own snapshot
            per_member[(row.user_id, slug_of_med[row.medication_id])].append(row)
    for (uid, slug), rows in per_member.items():
        cells, member_cohorts = treatment_cells[slug], cohorts[uid]
        cells.add(member_cohorts, "ever", uid)
        overview.add(member_cohorts, f"treatment:{slug}", uid)
        if any(r.stop_date is None or r.stop_date >= today for r in rows):
            cells.add(member_cohorts, "now", uid)
        for reason in {r.stop_reason for r in rows if r.stop_date and r.stop_reason != DOSE_CHANGED[0]}:
            if reason in stop_keys:
                cells.add(member_cohorts, f"stopped:{reason}", uid)
        # Time on it: the days actually covered by the member's rows (a dose change ends one, starts the next).
        covered = set()
        for r in rows:
            end = min(r.stop_date or today, today)
            covered.update(range(r.start_date.toordinal(), end.toordinal() + 1))
        cells.add(member_cohorts, f"duration:{_duration_bucket(len(covered))}", uid)
        latest = rows[-1]
        cells.add(member_cohorts, f"dose:{latest.unit}", uid, latest.dose)
        rated = [r.rating for r in rows if r.rating]
        if rated:
            cells.add(member_cohorts, f"rating:{rated[-1]}", uid)
        firsts[uid].append((slug, rows[0].start_date))


def _side_effect_key(description: str) -> str:
    return " ".join(description.lower().strip(" .!").split())[:80]


def _count_side_effects(treatment_cells, cohorts, slug_of_med) -> None:
    # Each member counts once per side effect (in their words), at the worst severity they gave it.
    worst: dict[tuple[str, str, int], int | None] = {}
    for uid, med_id, description, severity in db.session.execute(
            select(TreatmentSideEffect.user_id, Treatment.medication_id, TreatmentSideEffect.description,
                   TreatmentSideEffect.severity)
            .join(Treatment, Treatment.id == TreatmentSideEffect.treatment_id)
            .where(TreatmentSideEffect.user_id.in_(contributors_query()), Treatment.medication_id.is_not(None))):
        key = (slug_of_med[med_id], _side_effect_key(description), uid)
        if key[1] and uid in cohorts:
            rated = [s for s in (worst.get(key), severity) if s is not None]
            worst[key] = max(rated) if rated else None
    for (slug, effect, uid), severity in worst.items():
        treatment_cells[slug].add(cohorts[uid], f"effect:{effect}", uid)
        if severity is not None:
            treatment_cells[slug].add(cohorts[uid], f"effect-severity:{effect}", uid, severity)


def _count_symptoms(treatment_cells, overview, cohorts, slug_of_symptom, firsts) -> None:
    """One pass over contributors' ratings: who reported each symptom, and weekly averages around a first start."""
    # (member, medicine, symptom) -> week relative to the first start (-8..-1, 8..15) -> severities
    weeks: dict[tuple[int, str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    reported: set[tuple[int, int]] = set()
    rated_members: set[int] = set()
    query = (select(SymptomRating.user_id, CheckIn.day, SymptomRating.symptom_id, SymptomRating.severity)
             .join(CheckIn, CheckIn.id == SymptomRating.checkin_id)
             .where(SymptomRating.user_id.in_(contributors_query())))
    for uid, day, symptom_id, severity in db.session.execute(query.execution_options(yield_per=20_000)):
        slug = slug_of_symptom.get(symptom_id)
        if slug is None or uid not in cohorts:
            continue  # a member's own symptom (its very name could identify them), or a newer contributor
        rated_members.add(uid)
        if severity >= 1:
            reported.add((uid, symptom_id))
        for med, start in firsts.get(uid, ()):
            week = (day.toordinal() - start.toordinal()) // 7
            if week in BEFORE_WEEKS or week in AFTER_WEEKS:
                weeks[(uid, med, slug)][week].append(severity)
    for uid in rated_members:
        overview.add(cohorts[uid], "rated", uid)
    for uid, symptom_id in reported:
        overview.add(cohorts[uid], f"symptom:{slug_of_symptom[symptom_id]}", uid)
    for (uid, med, slug), by_week in weeks.items():
        weekly = {w: sum(v) / len(v) for w, v in by_week.items()}
        before = [a for w, a in weekly.items() if w in BEFORE_WEEKS]
        after = [a for w, a in weekly.items() if w in AFTER_WEEKS]
        if not before or not after:
            continue  # only members who logged both sides are compared
        cells = treatment_cells[med]
        cells.add(cohorts[uid], f"before:{slug}", uid, sum(before) / len(before))
        cells.add(cohorts[uid], f"after:{slug}", uid, sum(after) / len(after))
        for w, average in weekly.items():
            cells.add(cohorts[uid], f"week:{slug}:{w}", uid, average)


def _treatment_body(rule: Disclosure, cells: Cells, cohort: str, symptoms) -> dict | None:
    ever = rule.count(cells, cohort, "ever")
    if not isinstance(ever, int):
        return None
    effects = []
    for key in cells.keys(cohort, "effect:"):
        count = rule.count(cells, cohort, key)
        if isinstance(count, int):
            effect = key.removeprefix("effect:")
            effects.append({"effect": effect, "members": count,
                            "severity": rule.mean(cells, cohort, f"effect-severity:{effect}")})
    effects.sort(key=lambda e: (-e["members"], e["effect"]))
    doses = []
    for key in sorted(cells.keys(cohort, "dose:")):
        spread = rule.quartiles(cells, cohort, key)
        doses.append({"unit": key.removeprefix("dose:"), "members": rule.count(cells, cohort, key),
                      "low": spread[0] if spread else None, "median": spread[1] if spread else None,
                      "high": spread[2] if spread else None})
    before_after = []
    for symptom in symptoms:
        before = rule.mean(cells, cohort, f"before:{symptom.slug}")
        after = rule.mean(cells, cohort, f"after:{symptom.slug}")
        if before is not None and after is not None:
            before_after.append({
                "symptom": symptom.name, "members": rule.count(cells, cohort, f"before:{symptom.slug}"),
                "before": before, "after": after,
                # Each week's average is published only where that week itself has enough members.
                "weeks": [{"week": w, "average": rule.mean(cells, cohort, f"week:{symptom.slug}:{w}")}
                          for w in [*BEFORE_WEEKS, *AFTER_WEEKS]]})
    return {
        "ever": ever,
        "now": rule.count(cells, cohort, "now", within="ever"),
        "durations": [{"key": k, "label": label, "members": rule.count(cells, cohort, f"duration:{k}")}
                      for k, label, _ in DURATIONS],
        "stop_reasons": [{"key": k, "label": label, "members": rule.count(cells, cohort, f"stopped:{k}")}
                         for k, label in STOP_REASONS],
        "side_effects": effects[:MOST_SIDE_EFFECTS],
        "doses": doses,
        "ratings": [{"key": k, "label": label, "members": rule.count(cells, cohort, f"rating:{k}")}
                    for k, label in TREATMENT_RATINGS],
        "before_after": before_after,
    }


def _overview_body(rule: Disclosure, cells: Cells, cohort: str, symptoms, meds) -> dict:
    return {
        "members": rule.count(cells, cohort, "members"),
        "rated": rule.count(cells, cohort, "rated"),
        "symptoms": [{"slug": s.slug, "name": s.name, "members": rule.count(cells, cohort, f"symptom:{s.slug}")}
                     for s in symptoms],
        "treatments": [{"slug": m.slug, "name": m.name, "members": rule.count(cells, cohort, f"treatment:{m.slug}")}
                       for m in meds],
    }

