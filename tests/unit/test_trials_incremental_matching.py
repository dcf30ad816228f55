"""Re-matching that costs what changed: only the studies whose matching inputs changed since a member's
last match are evaluated again, only members whose records changed are matched in full, and what is
stored is exactly what a full match of the same facts against the whole catalogue gives."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from community.db import db, utcnow
from community.models import (
    HealthProfile,
    Trial,
    TrialCatalogue,
    TrialCriterion,
    TrialMatch,
    TrialMatchResult,
    TrialMatchState,
    TrialNotification,
    User,
)
from community.tracking.common import local_today
from community.trials import catalogue, consents, evidence, matching, matching_runs, suggestions
from community.trials.importer import import_records, records_in
from tests.support.factories import make_user
from tests.support.observe import counting_statements
from tests.support.trials import (
    add_lab,
    give_history,
    seed_tracking_catalogues,
    store_specs,
    study,
    varied_cases,
)

ALL = list(matching.CATEGORIES)
STUDIES, MEMBERS, SEED = 80, 10, 20261203


def stored(user_id: int) -> dict[int, tuple]:
    """A member's stored matches by study: everything their pages show."""
    return {m.trial_id: (m.grouping, m.rank, m.results, m.proximity) for m in matching_runs.with_results(
        user_id, db.session.scalars(select(TrialMatch).where(TrialMatch.user_id == user_id)).all())}


def matched_in_full(user_id: int) -> dict[int, tuple]:
    """What a full match of the member's facts, as of the day their matches say, against the whole
    catalogue gives: the reference every incremental re-match must equal."""
    state = db.session.get(TrialMatchState, user_id, populate_existing=True)
    consent = consents.current_consent(db.session.get(User, user_id))
    facts = evidence.load_facts(user_id, consent.categories, state.matched_on)
    now = catalogue.current()
    return {now.ids[o.nct_id]: (o.grouping, o.rank, matching_runs.result_rows(o), o.proximity[:200])
            for o in matching.match_all(facts, now.specs)}


def varied_members(rng: random.Random) -> list[User]:
    members = []
    for _ in range(MEMBERS):
        user = make_user()
        give_history(user.id, birth_year=rng.randint(1950, 2006), pregnancy=rng.choice(["no", "no", "pregnant"]),
                     diagnoses=rng.choice([("sle",), ("sle", "nephritis"), ("cutaneous",)]),
                     nephritis_class=rng.choice(["", "III", "IV"]),
                     country=rng.choice(["United States", "France", "Brazil"]), region=rng.choice(["California", ""]),
                     stopped=tuple(rng.sample(["hydroxychloroquine", "mycophenolate", "belimumab", "rituximab",
                                               "azathioprine"], rng.randint(0, 3))), flares=rng.randint(0, 3))
        if rng.random() < .6:
            add_lab(user.id, "egfr", rng.choice([25, 45, 70, 95]), "mL/min/1.73m²", date.today() - timedelta(days=40))
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        members.append(user)
    return members


def change_some_studies(rng: random.Random, trial_ids: list[int]) -> set[int]:
    """What an import and an admin's curation do: new limits, statuses, sites, criteria, new studies."""
    chosen = rng.sample(trial_ids, 16)
    criteria = db.session.scalars(select(TrialCriterion).where(TrialCriterion.trial_id.in_(chosen[:6]))).all()
    for criterion in criteria:
        if criterion.kind == "age":
            criterion.params = {**criterion.params, "max": 30}
        elif criterion.kind == "lab":
            criterion.params = {**criterion.params, "value": 60}
        else:
            criterion.params = {**criterion.params, "months": 1}
    for trial_id in chosen[:2]:  # the others of the six change only a limit
        db.session.add(TrialCriterion(trial_id=trial_id, position=99, source="curated", kind="pregnancy", params={}))
    statuses = ["COMPLETED", "RECRUITING", "NOT_YET_RECRUITING", "WITHDRAWN"]
    for trial_id in chosen[6:12]:
        db.session.execute(update(Trial).where(Trial.id == trial_id).values(overall_status=rng.choice(statuses)))
    for trial_id in chosen[12:]:
        db.session.execute(update(Trial).where(Trial.id == trial_id).values(
            locations=[{"country": "France", "city": "Paris"}, {"country": "United States", "state": "California"}]))
    db.session.execute(update(Trial).where(Trial.id.in_(chosen)).values(updated_at=utcnow()))
    db.session.commit()
    import_records(records_in([study("NCT09700001", max_age="90 Years"), study("NCT09700002", status="COMPLETED")]))
    return set(chosen)


@pytest.fixture()
def community(app):
    """A varied catalogue and varied members, each matched in full once."""
    rng = random.Random(SEED)
    with app.app_context():
        seed_tracking_catalogues()
        _facts, specs = varied_cases(0, STUDIES, SEED)
        trial_ids = store_specs(specs)
        members = varied_members(rng)
        yield rng, trial_ids, [m.id for m in members]


def change_pregnancy(user_id: int) -> None:
    """As the health profile form saves it (through the ORM, so tracking's stamp hook sees it)."""
    profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user_id))
    profile.pregnancy = "no" if profile.pregnancy == "pregnant" else "pregnant"
    db.session.commit()


def test_after_changes_to_studies_and_records_every_member_equals_a_full_match(community, monkeypatch):
    rng, trial_ids, member_ids = community
    before = {user_id: stored(user_id) for user_id in member_ids}
    version_before = catalogue.current().version
    change_some_studies(rng, trial_ids)
    # Two members log something new: they are matched in full; the rest only on the changed studies.
    add_lab(member_ids[0], "egfr", 20, "mL/min/1.73m²", date.today())
    change_pregnancy(member_ids[1])
    evaluated: dict[int, int] = {}
    real_match_all = matching.match_all

    def counting_match_all(facts, specs):
        specs = list(specs)
        evaluated[current_member[0]] = len(specs)
        return real_match_all(facts, specs)

    current_member = [0]
    real_refresh = matching_runs.refresh

    def refresh(user, consent, **options):
        current_member[0] = user.id
        return real_refresh(user, consent, **options)

    monkeypatch.setattr(matching, "match_all", counting_match_all)
    monkeypatch.setattr(matching_runs, "refresh", refresh)
    assert matching_runs.recompute_for_consenting_members() == MEMBERS
    monkeypatch.undo()

    suggestible_now = len(catalogue.current().specs)
    changed_suggestible = len(catalogue.current().changed_since(version_before).specs)
    assert 0 < changed_suggestible < suggestible_now / 2
    for user_id in member_ids:
        assert stored(user_id) == matched_in_full(user_id), f"member {user_id}"
    assert evaluated[member_ids[0]] == evaluated[member_ids[1]] == suggestible_now
    assert {evaluated[user_id] for user_id in member_ids[2:]} == {changed_suggestible}
    # Something did change for members, or the comparison above proves little.
    assert sum(stored(u) != before[u] for u in member_ids[2:]) >= 4
    # Notes for studies that newly may fit: exactly those, for the members re-matched on the changed ones.
    for user_id in member_ids[2:]:
        newly = {t for t, row in stored(user_id).items() if row[0] == matching.MAY_FIT
                 and before[user_id].get(t, ("",))[0] != matching.MAY_FIT}
        notes = set(db.session.scalars(select(TrialNotification.trial_id).where(TrialNotification.user_id == user_id)))
        assert notes == newly


def test_a_second_run_matches_nobody_and_reads_no_records(community, app):
    _rng, _trial_ids, member_ids = community
    with counting_statements(app) as statements:
        assert matching_runs.recompute_for_consenting_members() == 0
    assert not [s for s in statements if "tracking_" in s]
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_nightly_run_keeps_a_member_on_their_last_day_and_a_visit_brings_it_forward(community):
    rng, trial_ids, member_ids = community
    user_id = member_ids[2]
    earlier = date.today() - timedelta(days=3)
    db.session.execute(update(TrialMatchState).where(TrialMatchState.user_id == user_id).values(matched_on=earlier))
    db.session.commit()
    change_some_studies(rng, trial_ids)
    assert matching_runs.recompute_members([user_id]) == [user_id]
    state = db.session.get(TrialMatchState, user_id, populate_existing=True)
    assert state.matched_on == earlier and state.catalogue_version == catalogue.current().version
    assert stored(user_id) == matched_in_full(user_id)
    member = db.session.get(User, user_id)
    suggestions.suggestions(member)  # a visit: today's facts, every study
    state = db.session.get(TrialMatchState, user_id, populate_existing=True)
    assert state.matched_on == local_today(member)
    assert stored(user_id) == matched_in_full(user_id)


def test_a_record_written_after_the_match_is_noticed_by_the_stamp_alone(community, app):
    _rng, _trial_ids, member_ids = community
    member = db.session.get(User, db.session.scalar(select(HealthProfile.user_id).where(
        HealthProfile.user_id.in_(member_ids), HealthProfile.pregnancy == "no").limit(1)))
    with counting_statements(app) as quiet:
        suggestions.suggestions(member)
    assert not [s for s in quiet if "tracking_" in s], "an unchanged member's visit reads no records"
    version = db.session.scalar(select(User.records_version).where(User.id == member.id))
    change_pregnancy(member.id)  # the loaded User object does not know
    assert db.session.scalar(select(User.records_version).where(User.id == member.id)) > version
    suggestions.suggestions(member)
    assert stored(member.id) == matched_in_full(member.id)
    assert any(row[0] == matching.PROBABLY_NOT and any(r["kind"] == "pregnancy" and r["outcome"] == "not_met"
                                                      for r in row[2]) for row in stored(member.id).values())


def test_a_study_that_stops_recruiting_leaves_the_lists_and_one_that_starts_joins_them(community):
    _rng, trial_ids, member_ids = community
    recruiting = db.session.scalar(select(Trial.id).where(Trial.id.in_(trial_ids),
                                                          Trial.overall_status == "RECRUITING").limit(1))
    completed = db.session.scalar(select(Trial.id).where(Trial.id.in_(trial_ids),
                                                         Trial.overall_status == "COMPLETED").limit(1))
    db.session.execute(update(Trial).where(Trial.id == recruiting).values(overall_status="COMPLETED",
                                                                             updated_at=utcnow()))
    db.session.execute(update(Trial).where(Trial.id == completed).values(overall_status="RECRUITING",
                                                                            updated_at=utcnow()))
    db.session.commit()
    matching_runs.recompute_for_consenting_members()
    for user_id in member_ids:
        rows = stored(user_id)
        assert recruiting not in rows and completed in rows
        assert rows == matched_in_full(user_id)


def test_each_changed_study_gets_the_next_version_once(community):
    rng, trial_ids, _member_ids = community
    first = catalogue.current().version
    changed = change_some_studies(rng, trial_ids)
    second = catalogue.current().version
    assert second == first + 1  # the edits and the import, seen together by the first read after them
    imported = set(db.session.scalars(select(Trial.id).where(Trial.nct_id.in_(["NCT09700001", "NCT09700002"]))))
    newer = set(db.session.scalars(select(Trial.id).where(Trial.match_version > first)))
    # A change that leaves what matching reads as it was (a closed study's criteria) is no change.
    assert imported <= newer <= changed | imported and len(newer) >= 8
    assert catalogue.current().version == second  # read again, nothing new: no new version
    assert db.session.scalar(select(TrialCatalogue.version)) == second
    assert db.session.scalar(select(func.max(Trial.match_version))) == second


def test_after_an_import_unchanged_members_are_matched_from_their_kept_facts(community, app):
    rng, trial_ids, member_ids = community
    change_some_studies(rng, trial_ids)
    with counting_statements(app) as statements:
        assert matching_runs.recompute_for_consenting_members() == MEMBERS
    assert not [s for s in statements if "tracking_" in s], "their records are not read again"
    for user_id in member_ids:
        assert stored(user_id) == matched_in_full(user_id), f"member {user_id}"


def test_a_state_without_kept_facts_reads_the_records_once_and_keeps_them(community, app):
    rng, trial_ids, member_ids = community
    user_id = member_ids[3]
    db.session.execute(update(TrialMatchState).where(TrialMatchState.user_id == user_id).values(facts=None))
    db.session.commit()
    change_some_studies(rng, trial_ids)
    with counting_statements(app) as statements:
        assert matching_runs.recompute_members([user_id]) == [user_id]
    assert [s for s in statements if "tracking_" in s]
    state = db.session.get(TrialMatchState, user_id, populate_existing=True)
    assert evidence.from_snapshot(state.facts) == evidence.load_facts(
        user_id, consents.current_consent(db.session.get(User, user_id)).categories, state.matched_on)
    assert stored(user_id) == matched_in_full(user_id)


def _kept_results(user_id: int) -> set[str]:
    return set(db.session.scalars(select(TrialMatchResult.key).where(TrialMatchResult.user_id == user_id)))


def _used_results(user_id: int) -> set[str]:
    return {key for keys in db.session.scalars(select(TrialMatch.result_keys).where(TrialMatch.user_id == user_id))
            for key, _bullet in keys}


def test_each_distinct_result_is_stored_once_and_a_full_match_forgets_unused_ones(community):
    rng, trial_ids, member_ids = community
    user_id = member_ids[4]
    references = sum(map(len, db.session.scalars(select(TrialMatch.result_keys).where(TrialMatch.user_id == user_id))))
    kept = _kept_results(user_id)
    assert kept == _used_results(user_id)
    assert len(kept) < references  # one copy of what studies share (these generated ones share little)
    change_some_studies(rng, trial_ids)
    matching_runs.recompute_members([user_id])  # only the changed studies: words no longer used may stay
    assert _used_results(user_id) <= _kept_results(user_id)
    add_lab(user_id, "egfr", 20, "mL/min/1.73m²", date.today())  # a new record: a full match
    suggestions.suggestions(db.session.get(User, user_id))
    assert _kept_results(user_id) == _used_results(user_id)
    assert stored(user_id) == matched_in_full(user_id)


def test_withdrawing_consent_deletes_the_stored_results_too(community):
    _rng, _trial_ids, member_ids = community
    user_id = member_ids[5]
    assert _kept_results(user_id)
    suggestions.withdraw_consent(db.session.get(User, user_id))
    assert not _kept_results(user_id)
    assert db.session.get(TrialMatchState, user_id) is None
