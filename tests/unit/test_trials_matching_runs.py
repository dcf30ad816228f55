"""Matching runs against the database: a bounded number of statements, only changed rows written, and
stored explanations identical to a from-scratch match."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from community.db import db
from community.models import TrialCatalogue, TrialMatch, TrialMatchState
from community.trials import catalogue, curation_admin, matching_runs, suggestions, trial_pages
from community.trials.importer import import_records, records_in
from tests.support.factories import make_user
from tests.support.observe import counting_statements
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues, study

ALL = ["profile", "treatments", "flares", "symptoms", "labs"]
WRITES_TO_MATCHES = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM) trial_matches\b", re.IGNORECASE)


def crafted_member(**history):
    user = make_user()
    give_history(user.id, birth_year=1990, **history)
    return user


def stored(user_id: int) -> list[tuple]:
    """What the member's pages show, in rank order."""
    return [(m.trial_id, m.grouping, m.rank, m.results, m.proximity) for m in matching_runs.with_results(
        user_id, db.session.scalars(select(TrialMatch).where(TrialMatch.user_id == user_id)
                                    .order_by(TrialMatch.rank)).all())]


def test_matching_one_member_needs_the_same_statements_for_5_or_60_trials(app):
    counts = []
    with app.app_context():
        seed_tracking_catalogues()
        db.session.merge(TrialCatalogue(id=1, version=0))  # as the migration leaves it (tests empty every table)
        db.session.commit()
        for total in (5, 60):
            import_records(records_in([study(f"NCT094{total:02d}{n:03d}") for n in range(total)]))
            user = crafted_member()
            with counting_statements(app) as first:
                suggestions.give_consent(user, categories=ALL, email_updates=False)
            import_records(records_in(study(f"NCT094{total:02d}000", max_age="30 Years")))
            with counting_statements(app) as again:
                suggestions.suggestions(user)
            assert len(stored(user.id)) >= total
            counts.append((len(first), len(again)))
    assert counts[0][0] == counts[1][0], counts
    # After the change, one insert more or less: whether the changed study's results were new words.
    assert abs(counts[0][1] - counts[1][1]) <= 1, counts
    assert max(max(pair) for pair in counts) <= 30, counts


def test_recomputing_when_nothing_changed_rewrites_no_match_row(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = crafted_member()
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        before = stored(user.id)
        db.session.execute(delete(TrialMatchState).where(TrialMatchState.user_id == user.id))  # as on a new day
        db.session.commit()
        with counting_statements(app) as statements:
            suggestions.suggestions(user)
        assert db.session.get(TrialMatchState, user.id) is not None  # it did recompute
        assert [s for s in statements if WRITES_TO_MATCHES.match(s)] == []
        assert stored(user.id) == before and len(before) > 5


def test_after_an_import_stored_matches_equal_a_fresh_members_from_scratch(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        import_records(records_in([study("NCT09600001", max_age="90 Years"), study("NCT09600002", status="COMPLETED")]))
        earlier = crafted_member()
        suggestions.give_consent(earlier, categories=ALL, email_updates=False)
        before = {row[0]: row for row in stored(earlier.id)}
        # One study now excludes them, one starts recruiting, one stops, and the rest stay as they were.
        import_records(records_in([study("NCT09600001", max_age="30 Years"), study("NCT09600002"),
                                   study("NCT05869955", status="COMPLETED", title="BREAKFREE-1")]))
        assert matching_runs.recompute_for_consenting_members() == 1
        later = crafted_member()
        suggestions.give_consent(later, categories=ALL, email_updates=False)
        assert stored(earlier.id) == stored(later.id)
        after = {row[0]: row for row in stored(earlier.id)}
        changed = {trial_id for trial_id in before.keys() & after.keys()
                   if before[trial_id][3] != after[trial_id][3]}
        assert len(changed) == 1 and after[changed.pop()][1] == "probably_not"
        assert len(after.keys() - before.keys()) == 1 and len(before.keys() - after.keys()) == 1


def test_a_curated_criterion_reaches_the_next_match(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = crafted_member(pregnancy="pregnant")
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        assert trial_pages.trial_for(user, "NCT06581198").match.grouping != "probably_not"
        admin = make_user(role="admin")
        curation_admin.add_criterion(admin, "NCT06581198", "pregnancy", {})
        match = trial_pages.trial_for(user, "NCT06581198").match
        assert match.grouping == "probably_not"
        assert any(r["kind"] == "pregnancy" and r["outcome"] == "not_met" for r in match.results)


def test_the_cached_catalogue_is_kept_out_of_garbage_collection(app):
    import gc

    with app.app_context():
        load_shipped()
        import_records(records_in(study("NCT09600001")))  # a catalogue this process has not read yet
        frozen_before = gc.get_freeze_count()
        specs = catalogue.current().specs
        assert specs, "the shipped catalogue has suggestible trials"
        # Frozen objects sit in the permanent generation, which no collection walks.
        assert gc.get_freeze_count() > frozen_before
        assert not any(tracked is specs for tracked in gc.get_objects())
        again = catalogue.current().specs  # unchanged catalogue: served from the cache
        assert again is specs


def test_the_job_queue_entry_points_visit_consenting_members_and_recompute_a_batch_at_a_time(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        member, other, never = crafted_member(), crafted_member(), crafted_member()
        suggestions.give_consent(member, categories=ALL, email_updates=False)
        suggestions.give_consent(other, categories=ALL, email_updates=False)
        assert matching_runs.consenting_member_ids() == sorted([member.id, other.id])
        everyone = [member.id, other.id, never.id]
        assert matching_runs.recompute_members(everyone) == []  # current: nothing to re-match
        assert db.session.get(TrialMatchState, never.id) is None  # no consent: nothing derived
        import_records(records_in(study("NCT09600001", max_age="90 Years")))
        assert matching_runs.recompute_members([member.id]) == [member.id]
        assert matching_runs.recompute_members(everyone) == [other.id]  # the member is already current
        suggestions.withdraw_consent(other)
        assert matching_runs.consenting_member_ids() == [member.id]
        import_records(records_in(study("NCT09600001", max_age="80 Years")))
        assert matching_runs.recompute_members(everyone) == [member.id]
        assert db.session.get(TrialMatchState, other.id) is None
        fresh = crafted_member()
        suggestions.give_consent(fresh, categories=ALL, email_updates=False)
        assert stored(member.id) == stored(fresh.id)


def test_a_batch_reads_the_catalogue_once_for_all_its_members(app, monkeypatch):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        members = [crafted_member() for _ in range(3)]
        for member in members:
            suggestions.give_consent(member, categories=ALL, email_updates=False)
        import_records(records_in(study("NCT09600002", max_age="90 Years")))
        reads = []
        read_catalogue = catalogue.current
        monkeypatch.setattr(catalogue, "current", lambda: reads.append(1) or read_catalogue())
        assert matching_runs.recompute_members([m.id for m in members]) == [m.id for m in members]
        assert len(reads) == 1
        fresh = crafted_member()
        monkeypatch.undo()
        suggestions.give_consent(fresh, categories=ALL, email_updates=False)
        assert all(stored(m.id) == stored(fresh.id) for m in members)
