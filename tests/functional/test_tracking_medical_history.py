"""Medical history in the health profile, the new lab tests, and what trials matching reads of them.

Through the test client with CSRF on, like a member's browser: what is saved, what is refused
(beside the field, with everything typed kept), who can see it, and where it goes on export and deletion.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from community.db import db
from community.models import HealthProfile, LabResult, User
from community.tracking import catalogue, common, health_profile, lab_log, treatment_log
from community.trials import evidence
from community.trials.matching import HistoryFact
from tests.support.factories import PASSWORD, make_user
from tests.support.tracking import lab_test_id, seed_catalogues

PROFILE = "/tracking/profile"
THIS_YEAR = date.today().year  # the service's limit is the member's local year; a test can't sit on New Year's Eve


@pytest.fixture
def member(app, auth):
    with app.app_context():
        seed_catalogues()
    return auth.sign_in_as(time_zone="Europe/London")


def stored(app, user_id) -> HealthProfile | None:
    with app.app_context():
        return db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user_id))


def answers(**history) -> dict:
    """Form data for the profile: every condition "Not answered" unless given, like an untouched page."""
    data = {f"history_{key}": "" for key in catalogue.HISTORY_KEYS}
    data.update(history)
    return data


def checked(page: str, name: str) -> str | None:
    """The value of the checked radio button called ``name`` on the page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def value_of(page: str, name: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None


def error_beside(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    assert found, f"no error beside {field_id}"
    return found.group(1)


# -- the form ---------------------------------------------------------------------------------------
def test_every_condition_is_asked_with_a_labelled_year_where_it_matters(client, member):
    page = client.get(PROFILE).get_data(as_text=True)
    assert 'id="medical-history"' in page and "Medical history (optional)" in page
    assert "allow &#34;medical history&#34;" in page or 'allow "medical history"' in page
    for key, label, _why, asks_year in catalogue.HISTORY_CONDITIONS:
        assert f"<legend>{label}</legend>".replace("'", "&#39;") in page, key
        assert checked(page, f"history_{key}") == ""  # "Not answered" until the member says
        year_label = re.search(rf'<label for="history_{key}_year">(.*?)</label>', page)
        if asks_year:
            assert year_label and catalogue.HISTORY_NAMES[key] in year_label.group(1), key
        else:
            assert year_label is None, key
    assert "Year of diagnosis or last treatment" in page and "Year of the last dialysis" in page
    assert "Are you pregnant, breastfeeding or planning a pregnancy?" in page
    assert "Planning a pregnancy in the next year" in page


def test_answers_and_years_are_saved_and_shown_again_on_reload(app, client, member):
    response = client.submit(PROFILE, answers(
        diagnoses=["sle"], history_hiv="no", history_hepatitis_b="no", history_cancer="yes",
        history_cancer_year="2019", history_thrombosis="yes", history_diabetes="yes"))
    assert response.status_code == 302
    assert stored(app, member).medical_history == {
        "hiv": {"answer": "no"}, "hepatitis_b": {"answer": "no"}, "cancer": {"answer": "yes", "year": 2019},
        "diabetes": {"answer": "yes"}, "thrombosis": {"answer": "yes"}}
    page = client.get(PROFILE).get_data(as_text=True)
    assert "Your health profile is saved." in page
    assert checked(page, "history_hiv") == "no" and checked(page, "history_cancer") == "yes"
    assert value_of(page, "history_cancer_year") == "2019"
    assert checked(page, "history_thrombosis") == "yes" and value_of(page, "history_thrombosis_year") == ""
    assert checked(page, "history_dialysis") == ""


def test_setting_an_answer_back_to_not_answered_removes_it(app, client, member):
    client.submit(PROFILE, answers(history_cancer="yes", history_cancer_year="2019", history_hiv="no"))
    response = client.submit(PROFILE, answers(history_hiv="no"))
    assert response.status_code == 302
    assert stored(app, member).medical_history == {"hiv": {"answer": "no"}}
    client.submit(PROFILE, answers())
    assert stored(app, member).medical_history == {}


BAD_HISTORY = [
    ({"history_cancer": "yes", "history_cancer_year": "1850"}, "history_cancer_year",
     f"Please enter a year between 1900 and {THIS_YEAR}."),
    ({"history_cancer": "yes", "history_cancer_year": str(THIS_YEAR + 1)}, "history_cancer_year",
     f"Please enter a year between 1900 and {THIS_YEAR}."),
    ({"history_dialysis": "no", "history_dialysis_year": "2020"}, "history_dialysis_year",
     "Please choose Yes, or leave the year empty."),
    ({"history_dialysis_year": "2020"}, "history_dialysis_year", "Please choose Yes, or leave the year empty."),
    ({"history_tuberculosis": "yes", "history_tuberculosis_year": "last spring"}, "history_tuberculosis_year",
     "Please enter a year like 2019."),
    ({"history_hiv": "maybe"}, "history_hiv", "Please choose Not answered, No or Yes."),
    ({"history_cancer": "yes", "history_cancer_year": "1980", "birth_year": "1990"}, "history_cancer_year",
     "That year is before the year of birth."),
]


@pytest.mark.parametrize("bad, field_id, message", BAD_HISTORY)
def test_bad_history_input_is_explained_beside_the_field_and_nothing_typed_or_saved_is_lost(
        app, client, member, bad, field_id, message):
    client.submit(PROFILE, answers(diagnoses=["sle"], history_hepatitis_c="no", history_kidney_transplant="yes",
                                   history_kidney_transplant_year="2015"))
    before = stored(app, member).medical_history
    response = client.submit(PROFILE, answers(
        diagnoses=["sle", "nephritis"], other_diagnosis="Discoid patches", country="Portugal",
        history_antiphospholipid="yes", history_hepatitis_c="no", **bad))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_beside(page, field_id) == message
    assert re.search(rf'aria-describedby="[^"]*\b{field_id}-error"', page)  # tied to the field for screen readers
    # what was typed is still there to correct
    assert value_of(page, "other_diagnosis") == "Discoid patches" and value_of(page, "country") == "Portugal"
    assert checked(page, "history_antiphospholipid") == "yes"
    assert 'value="nephritis" checked' in page or re.search(r'checked[^>]*value="nephritis"', page)
    # and nothing already saved was touched
    profile = stored(app, member)
    assert profile.medical_history == before and profile.other_diagnosis == "" and profile.diagnoses == ["sle"]


def test_a_hand_made_post_with_junk_never_breaks_the_page(app, client, member):
    response = client.submit(PROFILE, answers(history_cancer="<script>", history_cancer_year="1e400",
                                              history_dialysis_year="-0", history_nonsense="yes"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<script>" not in page
    assert stored(app, member) is None


def test_saving_the_rest_of_the_profile_keeps_the_history(app, client, member):
    """Other callers of save_profile (the demo, older code) leave medical history alone."""
    client.submit(PROFILE, answers(history_cancer="yes", history_cancer_year="2019"))
    with app.app_context():
        health_profile.save_profile(db.session.get(User, member), diagnoses=["sle"], country="Chile")
    profile = stored(app, member)
    assert profile.country == "Chile" and profile.medical_history == {"cancer": {"answer": "yes", "year": 2019}}


def test_planning_a_pregnancy_is_saved_and_reads_back(app, client, member):
    response = client.submit(PROFILE, answers(pregnancy="planning"))
    assert response.status_code == 302
    assert stored(app, member).pregnancy == "planning"
    assert checked(client.get(PROFILE).get_data(as_text=True), "pregnancy") == "planning"
    response = client.submit(PROFILE, answers(pregnancy="trying"))
    assert response.status_code == 400
    assert stored(app, member).pregnancy == "planning"


def test_the_doctor_summary_lists_the_answers_in_plain_words(client, member):
    client.submit(PROFILE, answers(diagnoses=["sle"], history_hepatitis_b="no", history_cancer="yes",
                                   history_cancer_year="2019"))
    page = client.get("/tracking/summary").get_data(as_text=True)
    assert "Medical history: Hepatitis B: no; Cancer: yes (2019)." in page


# -- who can see it ------------------------------------------------------------------------------
@pytest.mark.parametrize("visitor", ["other member", "moderator", "admin"])
def test_nobody_else_sees_a_members_medical_history(app, client, auth, visitor):
    with app.app_context():
        seed_catalogues()
        owner = make_user(email="owner@example.org")
        health_profile.save_profile(owner, medical_history={"hiv": {"answer": "yes"}, "cancer": {"answer": "yes",
                                                                                            "year": 2011}})
    auth.sign_in_as({"other member": "member", "moderator": "moderator", "admin": "admin"}[visitor])
    page = client.get(PROFILE).get_data(as_text=True)
    assert checked(page, "history_hiv") == "" and "2011" not in page
    summary = client.get("/tracking/summary").get_data(as_text=True)
    assert "Medical history" not in summary
    document = json.loads(client.get("/account/export").get_data(as_text=True))
    assert not any(row.get("medical_history") for row in document["sections"].get("health_profile", []))


# -- labs ------------------------------------------------------------------------------------------
NEW_LABS = [("alt", "ALT (liver enzyme)", "U/L"), ("ast", "AST (liver enzyme)", "U/L"),
            ("neutrophils", "Neutrophils", "×10⁹/L"), ("lymphocytes", "Lymphocytes", "×10⁹/L"),
            ("urine-protein-24h", "24-hour urine protein", "g/day"), ("crcl", "Creatinine clearance", "mL/min"),
            ("anti-sm", "Anti-Smith (anti-Sm)", "U/mL")]


def test_the_lab_form_offers_the_new_tests_and_keeps_the_old_order(app, client, member):
    page = client.get("/tracking/labs/new").get_data(as_text=True)
    offered = re.findall(r'<option value="\d+">([^<]*)</option>', page)
    for _slug, name, _unit in NEW_LABS:
        assert name in offered, name
    old = ["Anti-dsDNA", "C3 complement", "C4 complement", "Urine protein/creatinine ratio (UPCR)", "eGFR",
           "Creatinine", "ESR", "CRP", "Haemoglobin", "White cells", "Platelets", "ANA titre"]
    assert [name for name in offered if name in old] == old


@pytest.mark.parametrize("slug, name, unit", NEW_LABS)
def test_each_new_lab_test_can_be_logged_with_its_usual_unit(app, client, member, slug, name, unit):
    with app.app_context():
        test_id = lab_test_id(slug)
        today = common.local_today(db.session.get(User, member))
    response = client.submit("/tracking/labs/new", {"lab_test_id": str(test_id), "value": "1.5",
                                                    "taken_on": today.isoformat(), "ref_low": "1", "ref_high": "2"})
    assert response.status_code == 302
    with app.app_context():
        result = db.session.scalar(select(LabResult))
        assert (result.name, result.unit, result.value) == (name, unit, 1.5)
    assert name in client.get("/tracking/labs").get_data(as_text=True)


# -- export and deletion ----------------------------------------------------------------------------
def test_the_account_export_includes_the_medical_history(client, member):
    client.submit(PROFILE, answers(history_cns_lupus="yes", history_cns_lupus_year="2021", history_hiv="no"))
    document = json.loads(client.get("/account/export").get_data(as_text=True))
    (profile,) = document["sections"]["health_profile"]
    assert profile["medical_history"] == {"hiv": {"answer": "no"}, "cns_lupus": {"answer": "yes", "year": 2021}}


def test_deleting_the_account_erases_the_medical_history(app, client, member):
    client.submit(PROFILE, answers(history_dialysis="yes", history_dialysis_year="2020"))
    with app.app_context():
        others = make_user()
        health_profile.save_profile(others, medical_history={"diabetes": {"answer": "yes"}})
    response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert stored(app, member) is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HealthProfile)) == 1  # the other member's


# -- what trials matching reads --------------------------------------------------------------------
@pytest.fixture
def recorded(app):
    """A member with a profile, medical history, a treatment and a lab with its range."""
    with app.app_context():
        seed_catalogues()
        user = make_user()
        today = common.local_today(user)
        health_profile.save_profile(user, diagnoses=["sle"], diagnosed_year=2015, diagnosed_month=4,
                              medical_history={"hiv": {"answer": "no"},
                                               "cancer": {"answer": "yes", "year": 2019}})
        treatment_log.save_treatment(user, treatment_log.TreatmentData(
            medication_id=None, name="Prednisone", dose=7.5, unit="mg", frequency="twice_daily",
            start_date=date(2025, 1, 1)))
        lab_log.save_lab(user, lab_log.LabData(lab_test_id=lab_test_id("alt"), name="", value="52",
                                                 unit="", taken_on=date(2025, 6, 1), ref_low=7, ref_high=40))
        return user.id, today


def test_matching_reads_history_only_when_the_member_allowed_it(app, recorded):
    user_id, today = recorded
    with app.app_context():
        allowed = evidence.load_facts(user_id, ["profile", "history"], today)
        assert allowed.history == {"hiv": HistoryFact("no"), "cancer": HistoryFact("yes", 2019)}
        assert evidence.load_facts(user_id, ["profile", "treatments", "labs"], today).history is None
        only_history = evidence.load_facts(user_id, ["history"], today)
        assert only_history.history == allowed.history
        assert only_history.diagnosed_year is None and not only_history.has_profile


def test_matching_ignores_junk_in_a_stored_history(app, recorded):
    user_id, today = recorded
    with app.app_context():
        profile = db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user_id))
        profile.medical_history = {"hiv": {"answer": "maybe"}, "gout": {"answer": "yes"}, "cancer": "yes",
                                   "dialysis": {"answer": "yes", "year": "2020"}, "diabetes": {"answer": "no"}}
        db.session.commit()
        facts = evidence.load_facts(user_id, ["history"], today)
        assert facts.history == {"dialysis": HistoryFact("yes", None), "diabetes": HistoryFact("no")}


def test_matching_reads_diagnosis_date_doses_and_lab_ranges(app, recorded):
    user_id, today = recorded
    with app.app_context():
        facts = evidence.load_facts(user_id, ["profile", "treatments", "labs"], today)
        assert (facts.diagnosed_year, facts.diagnosed_month) == (2015, 4)
        (prednisone,) = facts.treatments
        assert (prednisone.dose, prednisone.unit, prednisone.frequency) == (7.5, "mg", "twice_daily")
        alt = facts.labs["alt"]
        assert (alt.value, alt.ref_low, alt.ref_high) == (52, 7, 40)


def test_reading_the_history_costs_no_extra_query(app, recorded):
    from tests.support.observe import counting_statements

    user_id, today = recorded
    with counting_statements(app) as without, app.app_context():
        evidence.load_facts(user_id, ["profile", "treatments", "labs"], today)
    with counting_statements(app) as with_history, app.app_context():
        evidence.load_facts(user_id, ["profile", "history", "treatments", "labs"], today)
    with counting_statements(app) as history_alone, app.app_context():
        evidence.load_facts(user_id, ["history"], today)

    def selects(statements):
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    assert len(selects(without)) == 3 and len(selects(history_alone)) == 1
    assert len(selects(with_history)) == len(selects(without))
