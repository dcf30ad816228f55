"""Community insights: contribution consent, and reading the published pages.

Pages are read as stored by the last refresh (one indexed row each); nothing
here reads anyone's health records except the member's own profile, to offer
"members like me".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from community.db import db, utcnow
from community.errors import NotFound
from community.insights.disclosure import AGE_BANDS, DIAGNOSES, published_cohorts
from community.insights.refresh import CONSENT_VERSION, age_band
from community.models import HealthProfile, InsightsConsent, InsightsPage, Medication
from community.permissions import Guardian

COHORT_LABELS = {"all": "all contributing members"} | {
    dx: f"members with {label}" for dx, label in DIAGNOSES} | {
    f"{dx}:{band}": f"members with {label}, aged {band_label}"
    for dx, label in DIAGNOSES for band, band_label in AGE_BANDS}


def _consenting(user: Any) -> None:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_contribute_to_insights(), hide=True)


def _reading(user: Any) -> None:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_view_insights(), hide=True)


# -- consent -----------------------------------------------------------------------------------
def consent_history(user: Any) -> list[InsightsConsent]:
    """Every contribution decision the member made, newest first."""
    _consenting(user)
    return list(db.session.scalars(select(InsightsConsent).where(InsightsConsent.user_id == user.id)
                                   .order_by(InsightsConsent.id.desc())))


def is_contributing(history: list[InsightsConsent]) -> bool:
    """Whether the latest decision in a history (newest first) counts the member now."""
    return bool(history) and history[0].action == "given" and history[0].version == CONSENT_VERSION


def give_consent(user: Any) -> None:
    """Count the member's records from the next refresh on (a no-op when already counted)."""
    _consenting(user)
    if is_contributing(consent_history(user)):
        return
    db.session.add(InsightsConsent(user_id=user.id, version=CONSENT_VERSION, action="given"))
    db.session.commit()


def withdraw_consent(user: Any) -> None:
    """Stop counting the member: the next refresh leaves their records out of every number."""
    _consenting(user)
    history = consent_history(user)
    if not history or history[0].action == "withdrawn":
        return
    db.session.add(InsightsConsent(user_id=user.id, version=history[0].version, action="withdrawn"))
    db.session.commit()


# -- published pages ---------------------------------------------------------------------------
@dataclass
class PageView:
    page: InsightsPage | None  # None: the cohort is too small to describe (the filter is refused)
    cohort: str
    cohort_label: str


def parse_cohort(raw: str | None) -> str:
    """A cohort from ?group= (bad or unknown values fall back to everyone, never an error)."""
    return raw if raw in COHORT_LABELS else "all"


def page(user: Any, kind: str, slug: str, cohort: str) -> PageView:
    """One published page for a cohort; 404 when it does not exist for anyone."""
    _reading(user)
    cohort = parse_cohort(cohort)
    found = db.session.scalar(select(InsightsPage).where(
        InsightsPage.kind == kind, InsightsPage.slug == slug, InsightsPage.cohort == cohort))
    if found is None and not _known(kind, slug):
        raise NotFound()
    return PageView(found, cohort, COHORT_LABELS[cohort])


def condition_page(user: Any, diagnosis: str) -> PageView:
    """The symptom and treatment overview for members with one diagnosis; 404 for anything else."""
    if diagnosis not in dict(DIAGNOSES):
        raise NotFound()
    return page(user, "overview", "all", diagnosis)


def _known(kind: str, slug: str) -> bool:
    """Whether a page could be published (a catalogue medicine), so "too few" is the honest answer."""
    if kind == "treatment":
        return db.session.scalar(select(Medication.id).where(Medication.slug == slug)) is not None
    return slug == "all"


def medication_slug(user: Any, medication_id: int) -> str:
    """The page address of a catalogue medicine, for links from the member's own treatments."""
    _reading(user)
    slug = db.session.scalar(select(Medication.slug).where(Medication.id == medication_id))
    if slug is None:
        raise NotFound()
    return slug


_WORD = re.compile(r"[^\W\d_]{4,}")


def mentioned_treatments(user: Any, *texts: str) -> list[tuple[str, str]]:
    """(slug, name) of catalogue medicines a forum text names, by generic or brand name ("CellCept")."""
    _reading(user)
    words = {w.lower() for text in texts for w in _WORD.findall(text or "")}
    found = []
    for slug, name in db.session.execute(select(Medication.slug, Medication.name)
                                         .order_by(Medication.sort_order, Medication.name)):
        if words & {w.lower() for w in _WORD.findall(name)}:
            found.append((slug, name))
    return found


def medication_name(slug: str) -> str:
    """A catalogue medicine's name, for a page that has too few members to show anything."""
    return db.session.scalar(select(Medication.name).where(Medication.slug == slug)) or slug


REFUSED = "refused"  # the whole cohort is too small to describe


@dataclass
class SymptomTable:
    everyone: InsightsPage | None
    rated: list  # per cohort column: members who rate symptoms
    rows: list[tuple[str, list]]  # (symptom name, per cohort column)


def symptom_table(user: Any) -> SymptomTable:
    """Symptoms × (everyone, each diagnosis), from the published overviews (one query)."""
    _reading(user)
    cohorts = ["all"] + [dx for dx, _ in DIAGNOSES]
    pages = {row.cohort: row for row in db.session.scalars(select(InsightsPage).where(
        InsightsPage.kind == "overview", InsightsPage.slug == "all", InsightsPage.cohort.in_(cohorts)))}
    everyone = pages.get("all")
    if everyone is None:
        return SymptomTable(None, [], [])
    by_cohort = {c: {s["slug"]: s["members"] for s in pages[c].body["symptoms"]} for c in pages}
    rated = [pages[c].body["rated"] if c in pages else REFUSED for c in cohorts]
    rows = [(s["name"], [by_cohort[c].get(s["slug"]) if c in pages else REFUSED for c in cohorts])
            for s in everyone.body["symptoms"]]
    return SymptomTable(everyone, rated, rows)


def like_me(user: Any) -> list[tuple[str, str]]:
    """(cohort, label) choices for "members like me": the member's diagnoses, and each with their age band."""
    _reading(user)
    profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user.id))
    if profile is None:
        return []
    year = profile.birth_date.year if profile.birth_date else profile.birth_year
    band = age_band(year, utcnow().date())
    mine = [dx for dx, _ in DIAGNOSES if dx in (profile.diagnoses or [])]
    offered = set(published_cohorts())
    out = []
    for dx in mine:
        out.append((dx, COHORT_LABELS[dx]))
        if f"{dx}:{band}" in offered:
            out.append((f"{dx}:{band}", COHORT_LABELS[f"{dx}:{band}"]))
    return out
