"""Matching runs: each member's stored matches brought up to date, in full or only for the studies that changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from community import mail
from community.db import db, utcnow
from community.models import User
from community.models.trials import (
    TrialConsent,
    TrialMatch,
    TrialMatchResult,
    TrialMatchState,
    TrialNotification,
)
from community.tracking.common import local_today
from community.trials import catalogue, consents, evidence, matching

_MATCHES = TrialMatch.__table__
_RESULTS = TrialMatchResult.__table__


def refresh(user: Any, consent: TrialConsent, *, notify: bool = True, keep_day: bool = False,
            now_current: catalogue.Catalogue | None = None) -> bool:
    """Bring the member's stored matches up to date; True if anything had to be matched.

    Nothing is read of the member's records while their change stamp, their consent, the day and
    the catalogue are all as the stored matches were computed. When only the catalogue moved on,
    only the studies that changed since are matched again; otherwise every study is. ``keep_day``
    (the nightly re-match after an import) keeps a member whose records are unchanged on the day
    their matches were computed, so the import costs only its changed studies: their next visit
    brings the day forward. ``now_current``: the catalogue as a batch read it once for all its
    members (reading it costs a scan of the trials; the state records the version matched).
    """
    records_version, state = _stamps(user.id)
    now_current = now_current or catalogue.current()
    day = _match_day(user, consent, state, records_version, keep_day)
    if _matches_reflect(state, consent, records_version, day, now_current.version):
        return False
    # A page visit (GET) recomputes: take the write lock, then re-read the state another
    # request may have written meanwhile.
    db.writing()
    records_version, state = _stamps(user.id, populate_existing=True)
    if _matches_reflect(state, consent, records_version, day, now_current.version):
        return False
    facts, kept_facts = _facts(user.id, consent, state, records_version, day)
    fingerprint = evidence.digest(kept_facts, consent.id)
    now = utcnow()
    if state is not None and state.consent_id == consent.id and state.facts_digest == fingerprint:
        # Same facts on the same day (a new record matching does not use counts as none): only studies
        # that changed since can come out differently.
        changed = now_current.changed_since(state.catalogue_version)
        newly_fitting = _store_matches(user.id, matching.match_all(facts, changed.specs), now_current.ids, now,
                                       among=changed.trial_ids)
    else:
        newly_fitting = _store_matches(user.id, matching.match_all(facts, now_current.specs), now_current.ids, now)
    if state is None:
        db.session.add(TrialMatchState(user_id=user.id, facts_digest=fingerprint, consent_id=consent.id,
                                       computed_at=now, records_version=records_version, matched_on=day,
                                       catalogue_version=now_current.version, facts=kept_facts))
    else:
        state.facts_digest, state.consent_id, state.computed_at = fingerprint, consent.id, now
        state.records_version, state.matched_on, state.catalogue_version = records_version, day, now_current.version
        state.facts = kept_facts
    if notify and state is not None and newly_fitting:
        for trial_id in newly_fitting:
            db.session.add(TrialNotification(user_id=user.id, trial_id=trial_id, created_at=now))
        if consent.email_updates:
            mail.queue(user.email, "trial_may_fit", user=user, count=len(newly_fitting),
                       suggestions_url=mail.external_url("trials.index"))
    db.session.flush()
    return True


def _stamps(user_id: int, *, populate_existing: bool = False) -> tuple[int, TrialMatchState | None]:
    """The member's records stamp as the database holds it now (not as a loaded User remembers it),
    and their matching state, in one statement. Read before their facts: a write after this read
    makes the stamps differ on the next visit, never the other way round."""
    query = select(User.records_version, TrialMatchState).outerjoin(
        TrialMatchState, TrialMatchState.user_id == User.id).where(User.id == user_id)
    if populate_existing:
        query = query.execution_options(populate_existing=True)
    return tuple(db.session.execute(query).one())


def _facts(user_id: int, consent: TrialConsent, state: TrialMatchState | None, records_version: int,
           day: date) -> tuple[matching.MemberFacts, str]:
    """The member's facts for this match, with their snapshot: those kept with their matches while what
    they came from is unchanged (records stamp, consent and day: the nightly re-match after an import),
    otherwise read from their records."""
    if state is not None and state.consent_id == consent.id and state.records_version == records_version \
            and state.matched_on == day:
        kept = evidence.from_snapshot(state.facts)
        if kept is not None:
            return kept, state.facts
    facts = evidence.load_facts(user_id, consent.categories, day)
    return facts, evidence.snapshot(facts)


def _match_day(user: Any, consent: TrialConsent, state: TrialMatchState | None, records_version: int,
               keep_day: bool) -> date:
    if keep_day and state is not None and state.matched_on is not None and state.consent_id == consent.id \
            and state.records_version == records_version:
        return state.matched_on
    return local_today(user)


def _matches_reflect(state: TrialMatchState | None, consent: TrialConsent, records_version: int, day: date,
                     catalogue_version: int) -> bool:
    """Whether the stored matches were computed from exactly these records, consent, day and catalogue."""
    return state is not None and state.consent_id == consent.id and state.records_version == records_version \
        and state.matched_on == day and state.catalogue_version == catalogue_version


def _store_matches(user_id: int, outcomes: list[matching.MatchOutcome], ids: dict[str, int],
                   now: datetime, *, among: list[int] | None = None) -> list[int]:
    """Write only what changed since the member's last matching; returns the trials that newly may fit.

    A recompute usually follows a new day, a new record or an import, which leave most of
    thousands of explanations as they were: comparing their stored result keys is far cheaper
    than writing them all again. Every row then holds exactly what this matching produced; its
    computed_at says when its explanation last changed. ``among``: the outcomes are those of
    these studies only (the ones that changed), and the member's other rows stay as they are.
    """
    query = select(TrialMatch.id, TrialMatch.trial_id, TrialMatch.grouping, TrialMatch.rank, TrialMatch.proximity,
                   TrialMatch.result_keys).where(TrialMatch.user_id == user_id)
    if among is not None:
        if not among:
            return []
        query = query.where(TrialMatch.trial_id.in_(among))
    previous = {row.trial_id: row for row in db.session.execute(query)}
    stored_keys = {key for row in previous.values() for key, _bullet in row.result_keys}
    added, changed, moved, newly_fitting = [], [], [], []
    written: dict[str, matching.CriterionResult] = {}
    for outcome in outcomes:
        trial_id, rank = ids[outcome.nct_id], outcome.rank
        proximity = outcome.proximity[:200]
        keys = [[r.key, b] for r, b in zip(outcome.results, outcome.bullets, strict=True)]
        old = previous.pop(trial_id, None)
        if old is None or old.grouping != outcome.grouping or old.proximity != proximity or old.result_keys != keys:
            written.update((r.key, r) for r in outcome.results)
            row = {"trial_id": trial_id, "grouping": outcome.grouping, "rank": rank, "proximity": proximity,
                   "result_keys": keys, "computed_at": now}
            if old is None:
                added.append({"user_id": user_id, **row})
            else:
                changed.append({"match_id": old.id, **row})
        elif old.rank != rank:
            moved.append({"match_id": old.id, "rank": rank})
        if outcome.grouping == matching.MAY_FIT and (old is None or old.grouping != matching.MAY_FIT):
            newly_fitting.append(trial_id)
    _store_results(user_id, {key: r for key, r in written.items() if key not in stored_keys})
    if among is None:  # every result still used is among these outcomes: forget the others
        db.session.execute(delete(TrialMatchResult).where(
            TrialMatchResult.user_id == user_id,
            TrialMatchResult.key.not_in(list({r.key for outcome in outcomes for r in outcome.results}))))
    if previous:  # studies that stopped recruiting
        db.session.execute(delete(TrialMatch).where(TrialMatch.id.in_([row.id for row in previous.values()])))
    # One executemany each, not an ORM object per trial: Core statements skip the ORM's per-row
    # bookkeeping, which these plain rows (never loaded as objects) do not need.
    by_id = update(_MATCHES).where(_MATCHES.c.id == bindparam("match_id"))
    for statement, rows in ((insert(_MATCHES), added), (by_id, changed), (by_id, moved)):
        if rows:
            db.session.execute(statement, rows)
    return newly_fitting


def _store_results(user_id: int, unseen: dict[str, matching.CriterionResult]) -> None:
    """Keep the words of results none of the matches just read uses (the rest are stored already).

    Most of these are new; one may be stored already for a study not read this time, or by another
    match of the same member at the same moment: the insert skips a key that is there, rather than
    a lookup first (on PostgreSQL that lookup cost as much as the insert).
    """
    if unseen:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(_RESULTS).on_conflict_do_nothing(),
                           [{"user_id": user_id, "key": key, "result": r.as_dict()} for key, r in unseen.items()])


def with_results(user_id: int, matches: list[TrialMatch], *, every_match: bool = False) -> list[TrialMatch]:
    """The member's matches with ``results``: each criterion's words beside its bullet, read in one statement.

    ``every_match``: these are all the member's matches (the suggestions page), so all their stored
    results are read, not thousands of keys sent back in an IN list.
    """
    query = select(TrialMatchResult.key, TrialMatchResult.result).where(TrialMatchResult.user_id == user_id)
    if not every_match:
        query = query.where(TrialMatchResult.key.in_(list({key for m in matches for key, _bullet in m.result_keys})))
    words = dict(db.session.execute(query).all()) if matches else {}
    for m in matches:
        m.results = [{**words[key], "bullet": bullet} for key, bullet in m.result_keys]
    return matches


def result_rows(outcome: matching.MatchOutcome) -> list[dict]:
    """Each result beside the bullet it was read from, as pages hold them (``with_results``)."""
    return [{**r.as_dict(), "bullet": b} for r, b in zip(outcome.results, outcome.bullets, strict=True)]


def _consenting(*where) -> list[tuple[User, TrialConsent]]:
    """Members whose latest consent decision allows matching now, with that consent."""
    # Correlated: for one member it reads that member's decisions, not everyone's.
    decision = aliased(TrialConsent)
    latest_id = select(func.max(decision.id)).where(decision.user_id == User.id).correlate(User).scalar_subquery()
    return [tuple(row) for row in db.session.execute(
        select(User, TrialConsent).join(TrialConsent, TrialConsent.user_id == User.id)
        .where(TrialConsent.id == latest_id, TrialConsent.action == "given",
               TrialConsent.version == consents.CONSENT_VERSION, *where).order_by(User.id)).all()]


def recompute_members(user_ids: list[int]) -> list[int]:
    """These members' matches brought up to date, in one commit (a job queue's unit of work); returns
    the members it had to match.

    As after an import: a member whose records are unchanged stays on the day of their last match
    (``refresh``'s ``keep_day``). A member without current consent, or no longer an account, is
    left alone: withdrawal already deleted their derived data. A batch, not one member a job: one
    consent read, one catalogue read and one commit for all of them (on PostgreSQL a re-match after
    an import ran about 30% faster so; see the README's performance section).
    If one member fails the batch rolls back and the queue retries it whole (safe: each member's
    refresh finds current matches current); a member's own page visit re-matches them meanwhile.
    """
    now_current = catalogue.current()
    ran = [user.id for user, consent in _consenting(User.id.in_(user_ids))
           if refresh(user, consent, keep_day=True, now_current=now_current)]
    db.session.commit()
    return ran


def member_batches(user_ids: list[int]) -> list[list[int]]:
    """The run's members in consecutive batches of ``TRIALS_RECOMPUTE_BATCH`` (the last may be smaller)."""
    size = current_app.config["TRIALS_RECOMPUTE_BATCH"]
    return [user_ids[start:start + size] for start in range(0, len(user_ids), size)]


def consenting_member_ids() -> list[int]:
    """Everyone a recompute run visits: ``recompute_members`` compares each member's stamps with the
    catalogue's, so visiting a member whose matches are current costs one read."""
    latest_ids = select(func.max(TrialConsent.id)).group_by(TrialConsent.user_id)
    return list(db.session.scalars(
        select(TrialConsent.user_id)
        .where(TrialConsent.id.in_(latest_ids), TrialConsent.action == "given",
               TrialConsent.version == consents.CONSENT_VERSION)
        .order_by(TrialConsent.user_id)))


def prepare_run() -> None:
    """Before visiting members: give changed studies their version once, not in every member's job."""
    catalogue.current()
    db.session.commit()


def recompute_for_consenting_members() -> int:
    """After an import or a criteria change: bring every consenting member's matches up to date,
    here, in the batches the queue's ``trials.recompute`` shares among workers."""
    prepare_run()
    return sum(len(recompute_members(batch)) for batch in member_batches(consenting_member_ids()))
