"""Medical-history rules, straight through save_profile: the stored shape, and what is refused."""

from __future__ import annotations

import pytest

from community.errors import ValidationFailed
from community.tracking import catalogue, health_profile
from tests.support.factories import make_user
from tests.support.tracking import TODAY, seed_catalogues


@pytest.fixture
def ctx(app):
    with app.app_context():
        seed_catalogues()
        yield app


def test_the_condition_keys_other_code_depends_on():
    assert catalogue.HISTORY_KEYS == ("hiv", "hepatitis_b", "hepatitis_c", "tuberculosis", "cancer",
                                      "other_autoimmune", "cns_lupus", "dialysis", "kidney_transplant",
                                      "diabetes", "thrombosis", "antiphospholipid")
    asks_year = {key for key, _label, _why, asks in catalogue.HISTORY_CONDITIONS if asks}
    assert asks_year == {"tuberculosis", "cancer", "cns_lupus", "dialysis", "kidney_transplant", "thrombosis"}
    assert set(catalogue.HISTORY_YEAR_LABELS) == asks_year
    assert set(catalogue.HISTORY_NAMES) == set(catalogue.HISTORY_KEYS)


def test_history_is_stored_in_catalogue_order_without_unanswered_conditions(ctx):
    profile = health_profile.save_profile(make_user(), today=TODAY, medical_history={
        "thrombosis": {"answer": "yes", "year": 2024}, "hiv": {"answer": "no"}, "cancer": {"answer": ""},
        "diabetes": {}})
    assert profile.medical_history == {"hiv": {"answer": "no"}, "thrombosis": {"answer": "yes", "year": 2024}}
    assert list(profile.medical_history) == ["hiv", "thrombosis"]


def test_leaving_history_out_keeps_it_and_an_empty_one_clears_it(ctx):
    user = make_user()
    health_profile.save_profile(user, today=TODAY, medical_history={"hiv": {"answer": "no"}})
    assert health_profile.save_profile(user, today=TODAY, sex="female").medical_history == {"hiv": {"answer": "no"}}
    assert health_profile.save_profile(user, today=TODAY, medical_history={}).medical_history == {}
    assert health_profile.save_profile(make_user(), today=TODAY).medical_history == {}


@pytest.mark.parametrize("history, field, message", [
    ({"gout": {"answer": "yes"}}, "medical_history", "Please choose from the options shown."),
    (["hiv"], "medical_history", "Please choose from the options shown."),
    ({"hiv": {"answer": "maybe"}}, "history_hiv", "Please choose Not answered, No or Yes."),
    ({"hiv": "yes"}, "history_hiv", "Please choose Not answered, No or Yes."),
    ({"hiv": {"answer": "yes", "note": "x"}}, "history_hiv", "Please choose Not answered, No or Yes."),
    ({"cancer": {"answer": "yes", "year": 1899}}, "history_cancer_year", "Please enter a year between 1900 and 2026."),
    ({"cancer": {"answer": "yes", "year": 2027}}, "history_cancer_year", "Please enter a year between 1900 and 2026."),
    ({"cancer": {"answer": "yes", "year": "2019"}}, "history_cancer_year",
     "Please enter a year between 1900 and 2026."),
    ({"cancer": {"answer": "yes", "year": True}}, "history_cancer_year", "Please enter a year between 1900 and 2026."),
    ({"cancer": {"answer": "no", "year": 2019}}, "history_cancer_year", "Please choose Yes, or leave the year empty."),
    ({"cancer": {"year": 2019}}, "history_cancer_year", "Please choose Yes, or leave the year empty."),
    ({"hiv": {"answer": "yes", "year": 2019}}, "history_hiv_year", "This question has no year; please leave it out."),
])
def test_impossible_history_answers_are_refused_naming_the_field(ctx, history, field, message):
    user = make_user()
    health_profile.save_profile(user, today=TODAY, medical_history={"diabetes": {"answer": "no"}})
    with pytest.raises(ValidationFailed) as error:
        health_profile.save_profile(user, today=TODAY, other_diagnosis="kept?", medical_history=history)
    assert (error.value.field, error.value.message) == (field, message)
    profile = health_profile.get_profile(user)
    assert profile.medical_history == {"diabetes": {"answer": "no"}} and profile.other_diagnosis == ""


def test_a_history_year_cannot_come_before_birth(ctx):
    with pytest.raises(ValidationFailed) as error:
        health_profile.save_profile(make_user(), today=TODAY, birth_year=1990,
                              medical_history={"kidney_transplant": {"answer": "yes", "year": 1985}})
    assert error.value.field == "history_kidney_transplant_year"


def test_planning_is_a_pregnancy_answer(ctx):
    assert health_profile.save_profile(make_user(), today=TODAY, pregnancy="planning").pregnancy == "planning"
    assert catalogue.label("planning") == "Planning a pregnancy in the next year"


def test_history_lines_read_in_plain_words():
    assert catalogue.history_lines({"cancer": {"answer": "yes", "year": 2019}, "hepatitis_b": {"answer": "no"},
                                    "junk": {"answer": "yes"}, "hiv": {"answer": "?"}}) == [
        "Hepatitis B: no", "Cancer: yes (2019)"]
    assert catalogue.history_lines(None) == []
