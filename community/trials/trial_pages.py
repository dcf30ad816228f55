"""The trial catalogue and one trial's page: how it compares with the member, and studies like it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.db import db
from community.errors import NotFound
from community.models.trials import (
    NCT_ID,
    Trial,
    TrialConsent,
    TrialInterest,
    TrialMatch,
)
from community.permissions import Guardian
from community.tracking.common import local_today
from community.trials import evidence, explain, matching, similar
from community.trials.catalogue import trial_spec
from community.trials.consents import (
    current_consent,
)
from community.trials.matching_runs import refresh, result_rows, with_results


def get_trial(nct_id: str) -> Trial:
    """A trial with its criteria, by NCT number."""
    nct_id = (nct_id or "").strip().upper()
    if not NCT_ID.match(nct_id):
        raise NotFound()  # not a registry number: no need to ask the database
    trial = db.session.scalar(select(Trial).where(Trial.nct_id == nct_id)
                              .options(selectinload(Trial.criteria), selectinload(Trial.bullets)))
    if trial is None:
        raise NotFound()
    return trial


def find_trial(nct_id: str) -> Trial | None:
    """A catalogue trial by NCT number, or None (for pages that only mention it)."""
    if not nct_id or len(nct_id) > 11:
        return None
    return db.session.scalar(select(Trial).where(Trial.nct_id == nct_id.upper()))


def catalogue() -> list[Trial]:
    """Every trial, recruiting ones first."""
    order = {s: i for i, s in enumerate(matching.SUGGESTED_STATUSES)}
    trials = db.session.scalars(select(Trial)).all()
    return sorted(trials, key=lambda t: (order.get(t.overall_status, 9), t.nct_id))


# What a registry status means for someone who came to check a study; recruiting ones need no word.
UNCONFIRMED_STATUS = ("The registry does not confirm this study is recruiting — check with the study team "
                      "before you act.")
STATUS_CAVEATS = {
    "ACTIVE_NOT_RECRUITING": "The registry says this study is no longer recruiting: it carries on with the people "
                             "already in it, so it is not taking anyone new.",
    "ENROLLING_BY_INVITATION": "The registry says this study takes only people its team invites — ask the study "
                               "team or your doctor before you act.",
    "SUSPENDED": "The registry says this study is paused and not taking anyone now — check with the study team "
                 "whether it will start again.",
    "COMPLETED": "The registry says this study has finished: it will not take anyone new. Its results, when they "
                 "are published, are on the registry record.",
    "TERMINATED": "The registry says this study was stopped early: it will not take anyone new.",
    "WITHDRAWN": "The registry says this study was withdrawn before anyone took part: it will not take anyone.",
}
# Studies that will not take anyone: no interest mark or pre-screening summary is offered for them.
CLOSED_STATUSES = ("COMPLETED", "TERMINATED", "WITHDRAWN")
SIMILAR_SHOWN = 3


def status_caveat(status: str) -> str:
    """What the study's registry status means for taking part ("" when it is recruiting or about to)."""
    if status in matching.SUGGESTED_STATUSES:
        return ""
    return STATUS_CAVEATS.get(status, UNCONFIRMED_STATUS)


@dataclass(frozen=True)
class Comparison:
    """A member's records compared with a study matching doesn't suggest: worked out for the page, not stored."""

    grouping: str
    results: list[dict]


@dataclass
class TrialView:
    trial: Trial
    match: TrialMatch | Comparison | None
    interest: TrialInterest | None
    consented: bool
    # Every bullet of the eligibility text, beside what the member's records say of it (when they consented).
    explanation: explain.Explanation | None = None
    # Recruiting studies like this one, in the order of the member's suggestions.
    similar: list[TrialMatch] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """Whether the study will take no one (finished, stopped or withdrawn)."""
        return self.trial.overall_status in CLOSED_STATUSES


def trial_for(user: Any, nct_id: str) -> TrialView:
    """A trial page: the registry facts, and — for a consenting member — their own explanation."""
    trial = get_trial(nct_id)
    if not Guardian(user).can_use_trial_suggestions():
        return TrialView(trial, None, None, False, explain.explain(trial.bullets, None))
    consent = current_consent(user)
    if consent is None:
        return TrialView(trial, None, None, False, explain.explain(trial.bullets, None))
    if refresh(user, consent):
        db.session.commit()
    match = comparison(user, consent, trial)
    interest = db.session.scalar(select(TrialInterest).where(TrialInterest.user_id == user.id,
                                                             TrialInterest.trial_id == trial.id))
    alike = similar_recruiting(user, trial) if trial.overall_status != "RECRUITING" else []
    return TrialView(trial, match, interest, True, explain.explain(trial.bullets, match.results), alike)


def comparison(user: Any, consent: TrialConsent, trial: Trial) -> TrialMatch | Comparison:
    """The member's stored match with a suggested study, or — for any other — the same comparison made now.

    Someone who came for a study from an article should see their records beside its criteria
    whatever its registry status; the page says what that status means.
    """
    match = db.session.scalar(select(TrialMatch).where(TrialMatch.user_id == user.id,
                                                       TrialMatch.trial_id == trial.id))
    if match is not None:
        return with_results(user.id, [match])[0]
    facts = evidence.load_facts(user.id, consent.categories, local_today(user))
    outcome = matching.evaluate(facts, trial_spec(trial))
    return Comparison(outcome.grouping, result_rows(outcome))


def similar_recruiting(user: Any, trial: Trial, limit: int = SIMILAR_SHOWN) -> list[TrialMatch]:
    """Recruiting studies about the same diagnosis testing the same kind of treatment, ranked as suggestions are."""
    wanted = similar.kind_of(trial.conditions, trial.brief_title, trial.interventions)
    if not wanted.diagnoses:
        return []
    candidates = db.session.execute(
        select(TrialMatch.id, Trial.conditions, Trial.brief_title, Trial.interventions)
        .join(Trial, Trial.id == TrialMatch.trial_id)
        .where(TrialMatch.user_id == user.id, Trial.overall_status == "RECRUITING", Trial.id != trial.id)
        .order_by(TrialMatch.rank).execution_options(yield_per=200))
    chosen: list[int] = []
    for row in candidates:  # in rank order, so the first few alike are the ones to show
        if wanted.is_like(similar.kind_of(row.conditions, row.brief_title, row.interventions)):
            chosen.append(row.id)
            if len(chosen) == limit:
                break
    candidates.close()
    if not chosen:
        return []
    matches = db.session.scalars(select(TrialMatch).where(TrialMatch.id.in_(chosen))
                                 .options(selectinload(TrialMatch.trial))).all()
    return sorted(matches, key=lambda m: m.rank)


