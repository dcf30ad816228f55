"""Consent rules: opt-in, versioned, append-only, one-click withdrawal; nothing computed without it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from community.account.services import delete_account, export_data
from community.db import db
from community.errors import ValidationFailed
from community.models import (
    AuditEvent,
    OutboxMessage,
    TrialConsent,
    TrialInterest,
    TrialMatch,
    TrialMatchState,
    TrialNotification,
)
from community.trials import (
    consents,
    importer,
    interests,
    matching_runs,
    seed,
    suggestions,
    trial_pages,
)
from community.trials.importer import import_records, records_in
from tests.support.factories import PASSWORD, make_user
from tests.support.trials import (
    CAR_T_REFRACTORY_SLE,
    give_history,
    load_shipped,
    seed_tracking_catalogues,
    study,
)

ALL = ["profile", "treatments", "flares", "symptoms", "labs"]


def count(model, user_id) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.user_id == user_id))


@pytest.fixture
def catalogue(app):
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()


def crafted_member(**history):
    user = make_user()
    give_history(user.id, **history)
    return user


def test_no_match_is_computed_for_a_member_without_consent(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_year=1992)
        result = suggestions.suggestions(user)
        matching_runs.recompute_for_consenting_members()
        view = trial_pages.trial_for(user, "NCT05869955")
        assert result.consent is None and result.groups == {}
        assert view.match is None and not view.consented
        assert count(TrialMatch, user.id) == 0 and count(TrialMatchState, user.id) == 0
        with pytest.raises(ValidationFailed):
            interests.mark_interest(user, "NCT05869955")


def test_crafted_34_year_old_gets_refractory_sle_car_t_trials_from_their_own_records(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_date=date(date.today().year - 34, 1, 2))
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        groups = suggestions.suggestions(user).groups
        placed = {m.trial.nct_id: group for group, matches in groups.items() for m in matches}
        for nct_id in CAR_T_REFRACTORY_SLE:
            assert placed[nct_id] in ("may_fit", "worth_asking"), nct_id
        breakfree = next(m for m in groups["may_fit"] + groups["worth_asking"] if m.trial.nct_id == "NCT05869955")
        therapies = next(r for r in breakfree.results if r["kind"] == "prior_therapies")
        assert therapies["outcome"] == "met" and "because they were not effective" in therapies["evidence"]
        autograph = next(m for ms in groups.values() for m in ms if m.trial.nct_id == "NCT06581198")
        sledai = next(r for r in autograph.results if "SLEDAI-2K" in r["label"])
        assert sledai["outcome"] == "unknown"


def test_crafted_71_year_old_sees_trials_capped_at_65_as_probably_not(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_date=date(date.today().year - 72, 1, 2))
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        not_fitting = {m.trial.nct_id: m for m in suggestions.suggestions(user).groups["probably_not"]}
        assert {"NCT07053800", "NCT06947460"} <= set(not_fitting)
        reasons = [r["evidence"] for r in not_fitting["NCT07053800"].results if r["outcome"] == "not_met"]
        assert any("this study takes people up to 65" in reason for reason in reasons)


def test_crafted_pregnant_member_sees_pregnancy_exclusions_not_met(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_year=1990, pregnancy="pregnant", diagnoses=("nephritis",))
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        match = trial_pages.trial_for(user, "NCT07053800").match
        pregnancy = next(r for r in match.results if r["kind"] == "pregnancy")
        assert pregnancy["outcome"] == "not_met" and match.grouping == "probably_not"


def test_withdrawal_is_one_step_deletes_derived_data_and_keeps_an_append_only_record(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_year=1990)
        suggestions.give_consent(user, categories=ALL, email_updates=True)
        interests.mark_interest(user, "NCT05869955")
        assert count(TrialMatch, user.id) > 0 and count(TrialInterest, user.id) == 1
        suggestions.withdraw_consent(user)
        for model in (TrialMatch, TrialMatchState, TrialInterest, TrialNotification):
            assert count(model, user.id) == 0, model.__name__
        assert suggestions.suggestions(user).groups == {}
        assert count(TrialMatch, user.id) == 0  # looking again computes nothing
        actions = db.session.scalars(select(TrialConsent.action).where(TrialConsent.user_id == user.id)
                                     .order_by(TrialConsent.id)).all()
        assert actions == ["given", "withdrawn"]
        audited = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_user_id == user.id)
                                     .order_by(AuditEvent.id)).all()
        assert audited == []  # the consent rows are the record; the staff log never copies them
        consent = db.session.scalar(select(TrialConsent).where(TrialConsent.user_id == user.id).limit(1))
        consent.categories = ["labs"]
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()


def test_a_new_consent_text_version_asks_again_and_computes_nothing_meanwhile(app, catalogue, monkeypatch):
    with app.app_context():
        user = crafted_member(birth_year=1990)
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        monkeypatch.setattr(consents, "CONSENT_VERSION", consents.CONSENT_VERSION + 1)
        db.session.execute(TrialMatch.__table__.delete())
        db.session.commit()
        assert consents.current_consent(user) is None
        assert suggestions.suggestions(user).groups == {}
        matching_runs.recompute_for_consenting_members()
        assert count(TrialMatch, user.id) == 0


def test_consent_needs_at_least_one_known_category(app):
    with app.app_context():
        user = make_user()
        for bad in ([], ["everything"]):
            with pytest.raises(ValidationFailed) as error:
                suggestions.give_consent(user, categories=bad, email_updates=False)
            assert error.value.field == "categories"
        assert count(TrialConsent, user.id) == 0


def test_left_out_categories_are_not_read(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_year=1990)
        suggestions.give_consent(user, categories=["profile"], email_updates=False)
        match = trial_pages.trial_for(user, "NCT05869955").match
        therapies = next(r for r in match.results if r["kind"] == "prior_therapies")
        assert therapies["outcome"] == "unknown" and "chose not to use your treatments" in therapies["evidence"]


def test_a_new_may_fit_trial_notifies_in_app_and_by_email_only_when_chosen(app, catalogue):
    with app.app_context():
        emailed = crafted_member(birth_year=1990)
        quiet = crafted_member(birth_year=1990)
        suggestions.give_consent(emailed, categories=ALL, email_updates=True)
        suggestions.give_consent(quiet, categories=ALL, email_updates=False)
        assert count(TrialNotification, emailed.id) == 0  # the first suggestions are not "new"
        record = study("NCT09200001", title="Open study for everyone", min_age="18 Years", max_age="90 Years")
        import_records(records_in(record))
        matching_runs.recompute_for_consenting_members()
        for user in (emailed, quiet):
            notes = suggestions.suggestions(user).notifications
            assert [n.trial.nct_id for n in notes] == ["NCT09200001"]
        mails = db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.subject == "A study on Lupus Commons may fit you")).all()
        assert mails == [emailed.email]
        assert suggestions.mark_notifications_seen(emailed) == 1
        assert suggestions.suggestions(emailed).notifications == []


def test_changing_tracked_data_recomputes_on_the_next_look(app, catalogue):
    from community.models import HealthProfile

    with app.app_context():
        user = crafted_member(birth_year=1990, pregnancy="no", diagnoses=("nephritis",))
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        before = trial_pages.trial_for(user, "NCT07053800").match.grouping
        profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user.id))
        profile.pregnancy = "pregnant"
        db.session.commit()
        after = trial_pages.trial_for(user, "NCT07053800").match
        assert before != "probably_not" and after.grouping == "probably_not"


def test_trial_data_is_exported_and_erased_with_the_account(app, catalogue):
    with app.app_context():
        user = crafted_member(birth_year=1990)
        suggestions.give_consent(user, categories=ALL, email_updates=False)
        interests.mark_interest(user, "NCT05869955")
        sections = export_data(user)["sections"]
        assert sections["trial_consent"][0]["categories"] == ALL
        assert sections["trial_matches"] and sections["trial_interests"]
        user_id = user.id
        delete_account(user, PASSWORD)
        for model in (TrialConsent, TrialMatch, TrialMatchState, TrialInterest, TrialNotification):
            assert count(model, user_id) == 0


def test_the_product_never_reads_the_research_folder(app):
    from pathlib import Path

    package = Path(importer.__file__).resolve().parents[1]
    assert importer.SHIPPED_DIR.is_relative_to(package)
    design_notes = "/".join(["..", "shared"])  # spelled apart so this guard doesn't match itself
    offenders = [str(p) for p in package.rglob("*.py")
                 if "shared/data" in p.read_text() or design_notes in p.read_text()]
    assert not offenders, offenders
    with app.app_context():
        assert seed.load_shipped_trials() == 23
