"""Trial suggestions: consent, matching runs, interest summaries and admin curation.

Each service loads what it needs, asks the Guardian, changes, and commits once.
Matches are computed only for a member with current consent, from the
categories they allowed, and are deleted when they withdraw.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, delete, func, insert, select, update
from sqlalchemy.orm import selectinload

from community import audit, mail
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.trials import (
    Trial,
    TrialBullet,
    TrialConsent,
    TrialCriterion,
    TrialInterest,
    TrialMatch,
    TrialMatchState,
    TrialNotification,
)
from community.permissions import Guardian
from community.trials import curation, evidence, explain, matching, similar
from community.trials.importer import NCT_ID
from community.trials.reading import reader, store
from community.trials.reading.reader import READER_VERSION

# Bump when the consent text in templates/trials/consent.html changes in meaning:
# every member is asked again before anything more is computed.
CONSENT_VERSION = 1
CATEGORY_LABELS = {
    "profile": "Your health profile: age, sex, diagnoses and when they were made, kidney biopsy class, "
               "country and region, pregnancy or breastfeeding",
    "history": "Your medical history: the conditions you answered about (HIV, hepatitis, cancer, dialysis…)",
    "treatments": "Your treatments: what you took, when, at what dose, and why you stopped",
    "flares": "Your flares: when they started",
    "symptoms": "Your symptom ratings from daily check-ins (only how many days were severe)",
    "labs": "Your lab results: the latest value of each test, with your lab's normal range",
}


def _guard(user: Any) -> Guardian:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_use_trial_suggestions(), hide=True)
    return guardian


def local_today(user: Any) -> date:
    return utcnow().astimezone(ZoneInfo(user.time_zone or "UTC")).date()


# -- consent -----------------------------------------------------------------------------------
def latest_consent(user: Any) -> TrialConsent | None:
    """The member's most recent consent decision (given or withdrawn, any version)."""
    _guard(user)
    return db.session.scalar(select(TrialConsent).where(TrialConsent.user_id == user.id)
                             .order_by(TrialConsent.id.desc()).limit(1))


def current_consent(user: Any) -> TrialConsent | None:
    """Consent that allows matching right now: given, and to the current text version."""
    consent = latest_consent(user)
    if consent is None or consent.action != "given" or consent.version != CONSENT_VERSION:
        return None
    return consent


def consent_history(user: Any) -> list[TrialConsent]:
    """Every consent decision the member made, newest first."""
    _guard(user)
    return list(db.session.scalars(select(TrialConsent).where(TrialConsent.user_id == user.id)
                                   .order_by(TrialConsent.id.desc())))


def give_consent(user: Any, *, categories: list[str], email_updates: bool) -> TrialConsent:
    """Turn matching on (or change what it may use) and compute the first suggestions."""
    _guard(user)
    chosen = [c for c in matching.CATEGORIES if c in set(categories or [])]
    if len(chosen) != len(set(categories or [])):
        raise ValidationFailed("Please choose from the listed kinds of data.", field="categories")
    if not chosen:
        raise ValidationFailed("Please choose at least one kind of data to use, or leave matching off.",
                               field="categories")
    consent = TrialConsent(user_id=user.id, version=CONSENT_VERSION, action="given", categories=chosen,
                           email_updates=bool(email_updates))
    db.session.add(consent)
    db.session.flush()
    # The consent row is the record, the member's own: it is not copied into the staff log.
    # Derived data from an earlier consent may use categories no longer allowed.
    _delete_derived(user.id, keep_interests=True)
    _refresh(user, consent, notify=False)
    db.session.commit()
    return consent


def withdraw_consent(user: Any) -> None:
    """Stop matching at once and delete every derived match, interest mark and notification."""
    _guard(user)
    previous = latest_consent(user)
    if previous is None or previous.action == "withdrawn":
        return
    db.session.add(TrialConsent(user_id=user.id, version=previous.version, action="withdrawn",
                                categories=[], email_updates=False))
    _delete_derived(user.id)
    db.session.commit()


def consent_counts(viewer: Any, *, days: int = 30) -> dict[str, int]:
    """For admins: how many members have matching on now, and decisions lately — numbers only."""
    Guardian(viewer).ensure(Guardian(viewer).can_disclose_consent_record(), hide=True)
    latest = (select(TrialConsent.user_id, func.max(TrialConsent.id).label("id"))
              .group_by(TrialConsent.user_id).subquery())
    on_now = db.session.scalar(select(func.count()).select_from(TrialConsent)
                               .join(latest, latest.c.id == TrialConsent.id)
                               .where(TrialConsent.action == "given", TrialConsent.version == CONSENT_VERSION))
    since = utcnow() - timedelta(days=days)
    recent = dict(db.session.execute(select(TrialConsent.action, func.count())
                                     .where(TrialConsent.created_at >= since)
                                     .group_by(TrialConsent.action)).all())
    return {"on_now": on_now or 0, "given_recently": recent.get("given", 0),
            "withdrawn_recently": recent.get("withdrawn", 0), "days": days}


def disclose_consent_record(viewer: Any, member: Any, reason: str) -> list[TrialConsent]:
    """One member's consent record, for an admin answering that member's own request.

    The disclosure is logged (who, whose, why; never what), visible to admins only.
    """
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_disclose_consent_record(), hide=True)
    if not reason.strip():
        raise ValidationFailed("Say which request of the member's this answers.", field="reason")
    audit.record(viewer, "privacy.consent_record_shown", target=member, reason=reason.strip())
    db.session.commit()
    return list(db.session.scalars(select(TrialConsent).where(TrialConsent.user_id == member.id)
                                   .order_by(TrialConsent.id.desc())))


def _delete_derived(user_id: int, *, keep_interests: bool = False) -> None:
    db.session.execute(delete(TrialMatch).where(TrialMatch.user_id == user_id))
    db.session.execute(delete(TrialMatchState).where(TrialMatchState.user_id == user_id))
    db.session.execute(delete(TrialNotification).where(TrialNotification.user_id == user_id))
    if not keep_interests:
        db.session.execute(delete(TrialInterest).where(TrialInterest.user_id == user_id))


# -- matching runs -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Catalogue:
    version: tuple
    specs: list[matching.TrialSpec]
    ids: dict[str, int]


# This process's matcher specs for the newest catalogue version it has seen. Building them
# (reading and decoding every criterion, grouping sites by country) costs far more than
# matching one member, and the catalogue changes only on imports and curation, which bump
# Trial.updated_at; a count catches deletions. Each call reads the version, so every
# process and instance sees a change on its next match.
_cached: _Catalogue | None = None


def suggestible_trials() -> tuple[list[matching.TrialSpec], dict[str, int]]:
    """Every recruiting or not-yet-recruiting trial as matcher specs, and their row ids by NCT number."""
    global _cached
    count, newest = db.session.execute(select(func.count(Trial.id), func.max(Trial.updated_at))).one()
    version = (str(db.engine.url), count, newest)
    catalogue = _cached
    if catalogue is None or catalogue.version != version:
        catalogue = _cached = _read_catalogue(version)
        keep_out_of_garbage_collection()
    return catalogue.specs, catalogue.ids


def keep_out_of_garbage_collection() -> None:
    """Stop the cyclic garbage collector walking the cached specs in every full collection.

    Thousands of trials make tens of thousands of long-lived objects; a full collection that
    lands inside a matching run walked them all, adding ~100 ms to one run in ten (measured:
    p95 166 → 68 ms for 5,000 trials). Collecting first means only live objects are frozen;
    the catalogue changes only on imports and curation, so this runs rarely.
    """
    gc.collect()
    gc.freeze()


def _read_catalogue(version: tuple) -> _Catalogue:
    """Only the columns matching needs, in two queries (whole trial rows carry long registry text)."""
    trials = db.session.execute(select(Trial.id, Trial.nct_id, Trial.overall_status, Trial.locations)
                                .where(Trial.overall_status.in_(matching.SUGGESTED_STATUSES))).all()
    criteria: dict[int, list[matching.CriterionSpec]] = {t.id: [] for t in trials}
    for c in db.session.execute(select(TrialCriterion.trial_id, TrialCriterion.kind, TrialCriterion.params,
                                       TrialCriterion.source, TrialBullet.position.label("bullet"))
                                .join(Trial, Trial.id == TrialCriterion.trial_id)
                                .outerjoin(TrialBullet, TrialBullet.id == TrialCriterion.bullet_id)
                                .where(Trial.overall_status.in_(matching.SUGGESTED_STATUSES))
                                .order_by(TrialCriterion.trial_id, TrialCriterion.position, TrialCriterion.id)):
        criteria[c.trial_id].append(matching.CriterionSpec(c.kind, c.params, c.source, bullet=c.bullet))
    return _Catalogue(version, [matching.TrialSpec(t.nct_id, t.overall_status, _matched_on(criteria[t.id]),
                                                   t.locations) for t in trials], {t.nct_id: t.id for t in trials})


def _matched_on(criteria: list[matching.CriterionSpec]) -> list[matching.CriterionSpec]:
    """The criteria a study is matched on, in position order."""
    # A study an admin curated by hand (the shipped ones) is matched on that curation, written from the
    # same text; its bullets are still shown, read, to the member.
    if any(spec.source == "curated" and spec.bullet is None for spec in criteria):
        return [spec for spec in criteria if spec.bullet is None]
    return criteria


def trial_spec(trial: Trial) -> matching.TrialSpec:
    """One study (criteria and bullets loaded) as a matcher spec, whatever its status."""
    positions = {b.id: b.position for b in trial.bullets}
    criteria = [matching.CriterionSpec(c.kind, c.params, c.source, bullet=positions.get(c.bullet_id))
                for c in sorted(trial.criteria, key=lambda c: (c.position, c.id))]
    return matching.TrialSpec(trial.nct_id, trial.overall_status, _matched_on(criteria), trial.locations)


def _refresh(user: Any, consent: TrialConsent, *, notify: bool = True) -> bool:
    """Recompute the member's matches when their data or the catalogue changed; True if it ran."""
    facts = evidence.load_facts(user.id, consent.categories, local_today(user))
    fingerprint = evidence.digest(facts, consent.id)
    state = db.session.get(TrialMatchState, user.id)
    if state is not None and state.facts_digest == fingerprint:
        newest = db.session.scalar(select(func.max(Trial.updated_at)))
        if newest is None or newest <= state.computed_at:
            return False
    # A page visit (GET) recomputes: take the write lock, then re-read the state another
    # request may have written meanwhile.
    db.writing()
    state = db.session.get(TrialMatchState, user.id, populate_existing=True)
    specs, ids = suggestible_trials()
    outcomes = matching.match_all(facts, specs)
    now = utcnow()
    newly_fitting = _store_matches(user.id, outcomes, ids, now)
    if state is None:
        db.session.add(TrialMatchState(user_id=user.id, facts_digest=fingerprint, consent_id=consent.id,
                                       computed_at=now))
    else:
        state.facts_digest, state.consent_id, state.computed_at = fingerprint, consent.id, now
    if notify and state is not None and newly_fitting:
        for trial_id in newly_fitting:
            db.session.add(TrialNotification(user_id=user.id, trial_id=trial_id, created_at=now))
        if consent.email_updates:
            mail.queue(user.email, "trial_may_fit", user=user, count=len(newly_fitting),
                       suggestions_url=mail.external_url("trials.index"))
    db.session.flush()
    return True


def _store_matches(user_id: int, outcomes: list[matching.MatchOutcome], ids: dict[str, int],
                   now: datetime) -> list[int]:
    """Write only what changed since the member's last matching; returns the trials that newly may fit.

    A recompute usually follows a new day, a new record or an import, which leave most of
    thousands of explanations as they were: comparing their stored text is far cheaper than
    writing them all again. Every row then holds exactly what this matching produced; its
    computed_at says when its explanation last changed.
    """
    previous = {row.trial_id: row for row in db.session.execute(
        select(TrialMatch.id, TrialMatch.trial_id, TrialMatch.grouping, TrialMatch.rank, TrialMatch.proximity,
               cast(TrialMatch.results, Text).label("results")).where(TrialMatch.user_id == user_id))}
    added, changed, moved, newly_fitting = [], [], [], []
    for rank, outcome in enumerate(outcomes):
        trial_id = ids[outcome.nct_id]
        proximity = outcome.proximity[:200]
        old = previous.pop(trial_id, None)
        if old is None or old.grouping != outcome.grouping or old.proximity != proximity or \
                old.results != _stored_text(outcome):
            row = {"trial_id": trial_id, "grouping": outcome.grouping, "rank": rank, "proximity": proximity,
                   "results": _result_rows(outcome), "computed_at": now}
            if old is None:
                added.append({"user_id": user_id, **row})
            else:
                changed.append({"id": old.id, **row})
        elif old.rank != rank:
            moved.append({"id": old.id, "rank": rank})
        if outcome.grouping == matching.MAY_FIT and (old is None or old.grouping != matching.MAY_FIT):
            newly_fitting.append(trial_id)
    if previous:  # trials that stopped recruiting
        db.session.execute(delete(TrialMatch).where(TrialMatch.id.in_([row.id for row in previous.values()])))
    for statement, rows in ((insert(TrialMatch), added), (update(TrialMatch), changed + moved)):
        if rows:  # one executemany each, not an ORM object per trial
            db.session.execute(statement, rows)
    return newly_fitting


def _result_rows(outcome: matching.MatchOutcome) -> list[dict]:
    """Each result beside the bullet it was read from, as pages and the results column hold them."""
    return [{**r.as_dict(), "bullet": b} for r, b in zip(outcome.results, outcome.bullets, strict=True)]


def _stored_text(outcome: matching.MatchOutcome) -> str:
    """The results column's text as the JSON type writes it (json.dumps), from each result's own JSON."""
    return "[" + ", ".join(r.as_json[:-1] + f', "bullet": {"null" if b is None else b}}}'
                           for r, b in zip(outcome.results, outcome.bullets, strict=True)) + "]"


def recompute_for_consenting_members() -> int:
    """After an import or a criteria change: bring every consenting member's matches up to date."""
    latest_ids = select(func.max(TrialConsent.id)).group_by(TrialConsent.user_id)
    rows = db.session.execute(
        select(User, TrialConsent).join(TrialConsent, TrialConsent.user_id == User.id)
        .where(TrialConsent.id.in_(latest_ids), TrialConsent.action == "given",
               TrialConsent.version == CONSENT_VERSION)).all()
    ran = sum(_refresh(user, consent) for user, consent in rows)
    db.session.commit()
    return ran


@dataclass
class Suggestions:
    consent: TrialConsent | None
    latest: TrialConsent | None
    groups: dict[str, list[TrialMatch]]
    notifications: list[TrialNotification]


def suggestions(user: Any) -> Suggestions:
    """The member's ranked suggestions (recomputed first if anything changed)."""
    _guard(user)
    latest = latest_consent(user)
    consent = current_consent(user)
    if consent is None:
        return Suggestions(None, latest, {}, [])
    if _refresh(user, consent):
        db.session.commit()
    matches = db.session.scalars(select(TrialMatch).where(TrialMatch.user_id == user.id)
                                 .options(selectinload(TrialMatch.trial)).order_by(TrialMatch.rank)).all()
    groups: dict[str, list[TrialMatch]] = {g: [] for g in matching.GROUP_ORDER}
    for m in matches:
        groups[m.grouping].append(m)
    notes = db.session.scalars(select(TrialNotification).where(TrialNotification.user_id == user.id,
                                                               TrialNotification.read_at.is_(None))
                               .options(selectinload(TrialNotification.trial))
                               .order_by(TrialNotification.id.desc())).all()
    return Suggestions(consent, latest, groups, list(notes))


def mark_notifications_seen(user: Any) -> int:
    """Clear the "new" list on the suggestions page."""
    _guard(user)
    count = db.session.execute(update(TrialNotification)
                               .where(TrialNotification.user_id == user.id, TrialNotification.read_at.is_(None))
                               .values(read_at=utcnow())).rowcount
    db.session.commit()
    return count


def unread_notification_count(user: Any) -> int:
    """How many new "may fit" notes the member hasn't seen."""
    if not Guardian(user).can_use_trial_suggestions():
        return 0
    return db.session.scalar(select(func.count()).select_from(TrialNotification).where(
        TrialNotification.user_id == user.id, TrialNotification.read_at.is_(None))) or 0


# -- catalogue and trial pages -------------------------------------------------------------------
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
    if _refresh(user, consent):
        db.session.commit()
    match = _comparison(user, consent, trial)
    interest = db.session.scalar(select(TrialInterest).where(TrialInterest.user_id == user.id,
                                                             TrialInterest.trial_id == trial.id))
    alike = similar_recruiting(user, trial) if trial.overall_status != "RECRUITING" else []
    return TrialView(trial, match, interest, True, explain.explain(trial.bullets, match.results), alike)


def _comparison(user: Any, consent: TrialConsent, trial: Trial) -> TrialMatch | Comparison:
    """The member's stored match with a suggested study, or — for any other — the same comparison made now.

    Someone who came for a study from an article should see their records beside its criteria
    whatever its registry status; the page says what that status means.
    """
    match = db.session.scalar(select(TrialMatch).where(TrialMatch.user_id == user.id,
                                                       TrialMatch.trial_id == trial.id))
    if match is not None:
        return match
    facts = evidence.load_facts(user.id, consent.categories, local_today(user))
    outcome = matching.evaluate(facts, trial_spec(trial))
    return Comparison(outcome.grouping, _result_rows(outcome))


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


# -- interest -------------------------------------------------------------------------------------
def mark_interest(user: Any, nct_id: str) -> TrialInterest:
    """Note the member's interest and prepare their pre-screening summary; nothing is sent anywhere."""
    _guard(user)
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
    guardian = _guard(user)
    interest = db.session.get(TrialInterest, interest_id)
    guardian.ensure(interest is not None and guardian.can_view_trial_interest(interest), hide=True)
    return interest


def remove_interest(user: Any, interest_id: int) -> None:
    """Forget an interest mark."""
    interest = _own_interest(user, interest_id)
    db.session.delete(interest)
    db.session.commit()


def list_interests(user: Any) -> list[TrialInterest]:
    """Trials the member marked, newest first."""
    _guard(user)
    return list(db.session.scalars(select(TrialInterest).where(TrialInterest.user_id == user.id)
                                   .options(selectinload(TrialInterest.trial))
                                   .order_by(TrialInterest.id.desc())))


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
    if _refresh(user, consent):
        db.session.commit()
    trial = db.session.scalar(select(Trial).where(Trial.id == interest.trial_id)
                              .options(selectinload(Trial.criteria), selectinload(Trial.bullets)))
    match = _comparison(user, consent, trial)
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


# -- admin curation -------------------------------------------------------------------------------
def _curator(user: Any) -> Guardian:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_curate_trials(), hide=True)
    return guardian


def curation_list(user: Any) -> list[tuple[Trial, int]]:
    """Every trial with how many curated criteria it has."""
    _curator(user)
    counts = dict(db.session.execute(select(TrialCriterion.trial_id, func.count())
                                     .where(TrialCriterion.source == "curated")
                                     .group_by(TrialCriterion.trial_id)).all())
    return [(t, counts.get(t.id, 0)) for t in catalogue()]


def curation_trial(user: Any, nct_id: str) -> Trial:
    """A trial and all its criteria, for the curation page."""
    _curator(user)
    return get_trial(nct_id)


def add_criterion(user: Any, nct_id: str, kind: str, params: dict) -> TrialCriterion:
    """Add a curated criterion (ranges checked) and audit it."""
    _curator(user)
    trial = get_trial(nct_id)
    clean = curation.clean_params(kind, params)
    position = max([c.position for c in trial.criteria] + [99]) + 1
    criterion = TrialCriterion(trial_id=trial.id, position=position, source="curated", kind=kind, params=clean)
    db.session.add(criterion)
    trial.updated_at = utcnow()
    audit.record(user, "trials.criterion_added", reason=trial.nct_id, after={"kind": kind, "params": clean})
    db.session.commit()
    return criterion


def _curated_criterion(user: Any, criterion_id: int) -> TrialCriterion:
    _curator(user)
    criterion = db.session.get(TrialCriterion, criterion_id)
    if criterion is None or criterion.source != "curated":
        raise NotFound()
    return criterion


def get_criterion(user: Any, criterion_id: int) -> tuple[TrialCriterion, Trial]:
    """A curated criterion and its trial, for the edit form."""
    criterion = _curated_criterion(user, criterion_id)
    return criterion, db.session.get(Trial, criterion.trial_id)


def update_criterion(user: Any, criterion_id: int, params: dict) -> TrialCriterion:
    """Change a curated criterion's values (its kind stays) and audit before/after."""
    criterion = _curated_criterion(user, criterion_id)
    trial = db.session.get(Trial, criterion.trial_id)
    clean = curation.clean_params(criterion.kind, params)
    before = {"kind": criterion.kind, "params": dict(criterion.params)}
    criterion.params = clean
    trial.updated_at = utcnow()
    audit.record(user, "trials.criterion_changed", reason=trial.nct_id, before=before,
                 after={"kind": criterion.kind, "params": clean})
    db.session.commit()
    return criterion


def delete_criterion(user: Any, criterion_id: int) -> str:
    """Remove a curated criterion; returns the trial's NCT number."""
    criterion = _curated_criterion(user, criterion_id)
    trial = db.session.get(Trial, criterion.trial_id)
    audit.record(user, "trials.criterion_removed", reason=trial.nct_id,
                 before={"kind": criterion.kind, "params": dict(criterion.params)})
    db.session.delete(criterion)
    trial.updated_at = utcnow()
    db.session.commit()
    return trial.nct_id


# -- reading the registry's text: re-reads and an admin's review of each bullet ---------------------
REVIEW_ACTIONS = ("confirm", "discard", "reread")


def reread_trial(user: Any, nct_id: str) -> Trial:
    """Read one study's eligibility text again with the current reader; reviewed bullets keep their review."""
    _curator(user)
    trial = get_trial(nct_id)
    store.read_trial(trial)
    trial.updated_at = utcnow()
    audit.record(user, "trials.text_reread", reason=trial.nct_id, after={"reader_version": trial.reader_version})
    db.session.commit()
    return trial


def reread_catalogue(*, everything: bool = False) -> int:
    """Re-read every study read by an older reader (or every study): the `trials reread` command."""
    query = select(Trial)
    if not everything:
        query = query.where(Trial.reader_version < READER_VERSION)
    trials = list(db.session.scalars(query))
    for trial in trials:
        store.read_trial(trial)
        trial.updated_at = utcnow()
    db.session.commit()
    return len(trials)


def _own_bullet(user: Any, bullet_id: int) -> tuple[TrialBullet, Trial]:
    _curator(user)
    bullet = db.session.get(TrialBullet, bullet_id)
    if bullet is None:
        raise NotFound()
    return bullet, db.session.get(Trial, bullet.trial_id)


def _bullet_criteria(bullet: TrialBullet) -> list[dict]:
    return [{"kind": c.kind, "params": dict(c.params), "source": c.source} for c in db.session.scalars(
        select(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id).order_by(TrialCriterion.position))]


def _reviewed(user: Any, bullet: TrialBullet, trial: Trial, action: str, before: list[dict]) -> None:
    bullet.reviewed_at = utcnow()
    bullet.needs_review = False
    db.session.flush()
    trial.needs_review = db.session.scalar(select(func.count()).select_from(TrialBullet).where(
        TrialBullet.trial_id == trial.id, TrialBullet.needs_review.is_(True))) > 0
    trial.updated_at = utcnow()
    audit.record(user, f"trials.bullet_{action}", reason=trial.nct_id,
                 before={"bullet": bullet.position, "criteria": before},
                 after={"bullet": bullet.position, "review": bullet.review, "criteria": _bullet_criteria(bullet)})
    db.session.commit()


def review_bullet(user: Any, bullet_id: int, action: str) -> Trial:
    """Confirm a bullet's reading, discard it (the study team checks it), or read it afresh."""
    bullet, trial = _own_bullet(user, bullet_id)
    if action not in REVIEW_ACTIONS:
        raise ValidationFailed("Please choose confirm, discard or read again.")
    before = _bullet_criteria(bullet)
    if action == "confirm":
        bullet.review = "confirmed"
    elif action == "discard":
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id))
        bullet.review = "discarded"
    else:
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id))
        bullet.review = "auto"
        parent = db.session.scalar(select(TrialBullet.text).where(
            TrialBullet.trial_id == trial.id, TrialBullet.position < bullet.position,
            TrialBullet.depth < bullet.depth).order_by(TrialBullet.position.desc()).limit(1)) or ""
        reading = reader.read_bullet(bullet.side, bullet.text, parent) if not bullet.note else reader.Reading()
        for offset, criterion in enumerate(store.reading_criteria(reading)):
            db.session.add(TrialCriterion(trial_id=trial.id, position=1000 + bullet.position * 20 + offset,
                                          source="text", kind=criterion["kind"], params=criterion["params"],
                                          bullet_id=bullet.id))
    _reviewed(user, bullet, trial, action, before)
    return trial


def correct_bullet(user: Any, bullet_id: int, kind: str, params: dict) -> Trial:
    """Replace what was read from a bullet with an admin's criterion (or add one more to a correction)."""
    bullet, trial = _own_bullet(user, bullet_id)
    clean = curation.clean_params(kind, params)
    before = _bullet_criteria(bullet)
    if bullet.review != "corrected":
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id))
    bullet.review = "corrected"
    db.session.add(TrialCriterion(trial_id=trial.id, position=1000 + bullet.position * 20 + len(before),
                                  source="curated", kind=kind, params=clean, bullet_id=bullet.id))
    _reviewed(user, bullet, trial, "corrected", before)
    return trial


def get_bullet(user: Any, bullet_id: int) -> tuple[TrialBullet, Trial]:
    """A bullet and its trial, for the correction form."""
    return _own_bullet(user, bullet_id)


def bullet_readings(trial: Trial) -> dict[int, list[TrialCriterion]]:
    """The criteria read from (or corrected for) each bullet, by bullet id, for the curation page."""
    found: dict[int, list[TrialCriterion]] = {}
    for criterion in trial.criteria:
        if criterion.bullet_id is not None:
            found.setdefault(criterion.bullet_id, []).append(criterion)
    return found
