"""The one adapter between tracking's models and matching: a member's facts in a few queries.

Everything trials knows about tracking's tables is in this module, so if
their names shift only this file changes. It reads at most five queries per
member whatever the size of their history, and only the categories the
member consented to.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from datetime import date, timedelta

from sqlalchemy import func, select

from community.db import db
from community.models.tracking import (
    SEVERITY_WORDS,
    CheckIn,
    Flare,
    HealthProfile,
    LabResult,
    LabTest,
    Medication,
    SymptomRating,
    Treatment,
)
from community.tracking.catalogue import HISTORY_KEYS
from community.trials.matching import HistoryFact, LabFact, MemberFacts, TreatmentFact

FLARE_WINDOW_DAYS = 5 * 365
SYMPTOM_WINDOW_DAYS = 90
SEVERE = SEVERITY_WORDS.index("severe")  # 3 on tracking's 0–4 scale
_FIELDS = frozenset(f.name for f in fields(MemberFacts))


def load_facts(user_id: int, categories: list[str] | tuple[str, ...], today: date) -> MemberFacts:
    """What matching may use: the consented categories of this member's own records."""
    used = frozenset(categories)
    profile_values: dict = {}
    history = None
    if "profile" in used or "history" in used:  # one row holds both: read it once
        profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user_id))
        if profile is not None and "profile" in used:
            profile_values = dict(
                has_profile=True, birth_date=profile.birth_date, birth_year=profile.birth_year,
                sex=profile.sex or "", diagnoses=tuple(profile.diagnoses or ()),
                nephritis_class=profile.nephritis_class or "", diagnosed_year=profile.diagnosed_year,
                diagnosed_month=profile.diagnosed_month, country=profile.country or "",
                region=profile.region or "", pregnancy=profile.pregnancy or "")
        if "history" in used and profile is not None and isinstance(profile.medical_history, dict):
            history = {}
            for key, entry in profile.medical_history.items():
                # Only known conditions with a real answer: an older or hand-edited row must not mislead matching.
                if key in HISTORY_KEYS and isinstance(entry, dict) and entry.get("answer") in ("yes", "no"):
                    year = entry.get("year")
                    history[key] = HistoryFact(entry["answer"], year if type(year) is int else None)
            history = history or None
    treatments = None
    if "treatments" in used:
        rows = db.session.execute(
            select(Treatment.name, Medication.slug, Treatment.start_date, Treatment.stop_date,
                   Treatment.stop_reason, Treatment.dose, Treatment.unit, Treatment.frequency)
            .outerjoin(Medication, Medication.id == Treatment.medication_id)
            .where(Treatment.user_id == user_id)
            .order_by(Treatment.start_date, Treatment.id)).all()
        treatments = tuple(TreatmentFact(name=r.name, slug=r.slug or "", start=r.start_date,
                                         stop=r.stop_date, reason=r.stop_reason or "", dose=r.dose,
                                         unit=r.unit or "", frequency=r.frequency or "")
                           for r in rows) or None
    flare_starts = None
    if "flares" in used:
        starts = db.session.scalars(
            select(Flare.start_date).where(Flare.user_id == user_id,
                                           Flare.start_date >= today - timedelta(days=FLARE_WINDOW_DAYS))
            .order_by(Flare.start_date)).all()
        has_any = bool(starts) or db.session.scalar(
            select(func.count()).select_from(Flare).where(Flare.user_id == user_id)) > 0
        flare_starts = tuple(starts) if has_any else None
    labs = None
    if "labs" in used:
        rows = db.session.execute(
            select(LabResult.name, LabTest.slug, LabResult.value, LabResult.unit, LabResult.taken_on,
                   LabResult.ref_low, LabResult.ref_high)
            .outerjoin(LabTest, LabTest.id == LabResult.lab_test_id)
            .where(LabResult.user_id == user_id)
            .order_by(LabResult.taken_on.desc(), LabResult.id.desc())).all()
        latest: dict[str, LabFact] = {}
        for r in rows:
            slug = r.slug or r.name.strip().lower()
            latest.setdefault(slug, LabFact(slug=slug, name=r.name, value=r.value, unit=r.unit or "",
                                            taken_on=r.taken_on, ref_low=r.ref_low, ref_high=r.ref_high))
        labs = latest or None
    severe_days = None
    if "symptoms" in used:
        severe_days = db.session.scalar(
            select(func.count(func.distinct(CheckIn.day)))
            .join(SymptomRating, SymptomRating.checkin_id == CheckIn.id)
            .where(CheckIn.user_id == user_id, SymptomRating.severity >= SEVERE,
                   CheckIn.day >= today - timedelta(days=SYMPTOM_WINDOW_DAYS)))
    return MemberFacts(today=today, used=used, history=history, treatments=treatments, flare_starts=flare_starts,
                       labs=labs, severe_symptom_days=severe_days, **profile_values)


def snapshot(facts: MemberFacts) -> str:
    """The facts as JSON text (dates in ISO form), kept with the member's matches.

    A re-match after an import evaluates the changed studies against the facts the member's other
    matches came from: while their records stamp is unchanged, these are exactly what
    ``load_facts`` would read again, without reading them (about a fifth of a re-match's time).
    """
    payload = asdict(facts)
    payload["used"] = sorted(facts.used)
    return json.dumps(payload, sort_keys=True, default=date.isoformat)


def from_snapshot(text: str | None) -> MemberFacts | None:
    """The facts a ``snapshot`` holds; None for none, or for one this release cannot read (written by an
    older one, before a field changed): the caller then reads the records again."""
    if not text:
        return None
    try:
        return _facts_from(json.loads(text))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _facts_from(data: dict) -> MemberFacts:
    if set(data) != _FIELDS:  # a field added since would silently take its default
        raise KeyError("snapshot fields")
    day = date.fromisoformat

    def some(value, convert):
        return None if value is None else convert(value)

    history = some(data.pop("history"), lambda h: {key: HistoryFact(**entry) for key, entry in h.items()})
    treatments = some(data.pop("treatments"), lambda rows: tuple(
        TreatmentFact(**{**t, "start": day(t["start"]), "stop": some(t["stop"], day)}) for t in rows))
    labs = some(data.pop("labs"), lambda found: {slug: LabFact(**{**lab, "taken_on": day(lab["taken_on"])})
                                                 for slug, lab in found.items()})
    return MemberFacts(**{**data, "today": day(data["today"]), "used": frozenset(data["used"]),
                          "birth_date": some(data["birth_date"], day), "diagnoses": tuple(data["diagnoses"]),
                          "flare_starts": some(data["flare_starts"], lambda starts: tuple(map(day, starts)))},
                       history=history, treatments=treatments, labs=labs)


def digest(snapshot_text: str, consent_id: int) -> str:
    """A fingerprint of everything a match depends on from the member's side (their facts' snapshot)."""
    return hashlib.sha256(f"{consent_id}:{snapshot_text}".encode()).hexdigest()
