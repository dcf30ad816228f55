"""A member's interest in a trial, and the pre-screening summary they can take to the study team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.db import db
from community.errors import NotFound, ValidationFailed
from community.models.trials import (
    Trial,
    TrialInterest,
    TrialMatch,
)
from community.trials import matching
from community.trials.consents import (
    current_consent,
    guard,
)
from community.trials.matching_runs import refresh
from community.trials.trial_pages import Comparison, comparison, get_trial, status_caveat


def mark_interest(user: Any, nct_id: str) -> TrialInterest:
    """Note the member's interest and prepare their pre-screening summary; nothing is sent anywhere."""
    guard(user)
    trial = get_trial(nct_id)
    if current_consent(user) is None:
        raise ValidationFailed("Turn on trial suggestions first: the summary is built from your matches.")
    interest = db.session.scalar(select(TrialInterest).where(TrialInterest.user_id == user.id,
                                                             TrialInterest.trial_id == trial.id))
    if interest is None:
        interest = TrialInterest(user_id=user.id, trial_id=trial.id)
        db.session.add(interest)
        db.session.commit()
    return interest


def _own_interest(user: Any, interest_id: int) -> TrialInterest:
    guardian = guard(user)
    interest = db.session.get(TrialInterest, interest_id)
    guardian.ensure(interest is not None and guardian.can_view_trial_interest(interest), hide=True)
    return interest


def remove_interest(user: Any, interest_id: int) -> None:
    """Forget an interest mark."""
    interest = _own_interest(user, interest_id)
    db.session.delete(interest)
    db.session.commit()


@dataclass
class PreScreening:
    interest: TrialInterest
    trial: Trial
    match: TrialMatch | Comparison
    questions_for_doctor: list[str]
    questions_for_team: list[str]
    missing_from_records: list[str]


def pre_screening(user: Any, interest_id: int) -> PreScreening:
    """The printable summary: criteria, the member's answers and evidence, and questions to ask."""
    interest = _own_interest(user, interest_id)
    consent = current_consent(user)
    if consent is None:
        raise NotFound()
    if refresh(user, consent):
        db.session.commit()
    trial = db.session.scalar(select(Trial).where(Trial.id == interest.trial_id)
                              .options(selectinload(Trial.criteria), selectinload(Trial.bullets)))
    match = comparison(user, consent, trial)
    results = match.results
    unknown = [r for r in results if r["outcome"] == matching.UNKNOWN and r["kind"] != "location"]
    doctor = [f"How would I score on this: {r['label']}?" for r in unknown if r.get("clinician_only")]
    doctor += [f"{r['label']}: {r['evidence']}" for r in unknown
               if not r.get("clinician_only") and "ask your doctor" in r["evidence"].lower()]
    to_add = [f"{r['label']}: {r['evidence']}" for r in unknown
              if not r.get("clinician_only") and "ask your doctor" not in r["evidence"].lower()]
    team = ["Is this study still recruiting, and is there a site I can reach?",
            "What would taking part involve: visits, tests, travel and costs?",
            "What happens to my current treatment if I join?"]
    team += [f"{r['label']}: {r['evidence']} Could you check this with me?"
             for r in results if r["outcome"] == matching.NOT_MET]
    return PreScreening(interest, trial, match, doctor, team, to_add)


def pre_screening_text(summary: PreScreening) -> str:
    """The same summary as a plain-text file to download."""
    t = summary.trial
    lines = [f"Pre-screening summary — {t.display_title}", f"Registry record: {t.registry_url}",
             "", "This is your own summary to take to your doctor or the study team. It is not a decision:",
             "only the study team decides who can take part.", ""]
    if caveat := status_caveat(t.overall_status):
        lines += [caveat, ""]
    lines.append("Criteria, your answers and the evidence from your own records:")
    word = {"met": "met", "not_met": "not met", "unknown": "unknown — ask your doctor"}
    for r in summary.match.results:
        lines += [f"- {r['label']}: {word.get(r['outcome'], r['outcome'])}", f"  {r['evidence']}"]
    lines.append("")
    for title, questions in (("Questions for your doctor:", summary.questions_for_doctor),
                             ("Questions for the study team:", summary.questions_for_team),
                             ("Not in your records yet:", summary.missing_from_records)):
        if questions:
            lines.append(title)
            lines += [f"- {q}" for q in questions]
            lines.append("")
    contacts = t.central_contacts or []
    if contacts:
        lines.append("Study contacts listed in the registry:")
        lines += ["- " + ", ".join(v for v in (c.get("name"), c.get("phone"), c.get("email")) if v)
                  for c in contacts]
    else:
        lines.append(f"Contacts: see the registry record, {t.registry_url}")
    return "\n".join(lines) + "\n"


