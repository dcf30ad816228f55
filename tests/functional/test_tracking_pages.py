"""Tracking through the browser's eyes (test client, CSRF on): saves, bad input, exports, summary."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.db import db
from community.models import CheckIn, Flare, LabResult, OutboxMessage, Symptom, Treatment, User
from community.tracking import checkin_log, common, health_profile, preferences
from tests.support.tracking import seed_catalogues, symptom_id


@pytest.fixture
def member(app, auth):
    with app.app_context():
        seed_catalogues()
    user_id = auth.sign_in_as(time_zone="Europe/London")
    return user_id


def today(app, user_id) -> date:
    with app.app_context():
        return common.local_today(db.session.get(User, user_id))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def ids(app, *slugs) -> list[int]:
    with app.app_context():
        return [symptom_id(s) for s in slugs]


# -- check-in --------------------------------------------------------------------------------------
def test_member_checks_in_for_today(app, client, member):
    fatigue, joints = ids(app, "fatigue", "joint-pain")
    day = today(app, member)
    response = client.submit("/tracking/check-in", {
        "day": day.isoformat(), "wellbeing": "2", f"sym_{fatigue}": "3", f"sym_{joints}": "0",
        "sleep_hours": "6.5", "triggers": ["sun", "stress"], "notes": "Long day in the garden"})
    assert response.status_code == 302
    assert "Your check-in for today is saved" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        saved = checkin_log.checkin_for_day(db.session.get(User, member), day)
        assert (saved.wellbeing, saved.sleep_hours, saved.triggers) == (2, 6.5, ["sun", "stress"])
        assert {r.symptom_id: r.severity for r in saved.ratings} == {fatigue: 3, joints: 0}


def test_checkin_page_uses_words_for_the_scale_and_legends_for_each_symptom(client, member):
    page = client.get("/tracking/check-in").get_data(as_text=True)
    assert "How are you today?" in page
    for word in ("None", "Mild", "Moderate", "Severe", "Very severe"):
        assert f'<span class="scale-word">{word}</span>' in page
    assert "<legend>Fatigue" in page


def test_todays_checkin_reopens_filled_in_for_editing(app, client, member):
    (fatigue,) = ids(app, "fatigue")
    client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), f"sym_{fatigue}": "4",
                                         "notes": "Rough"})
    page = client.get("/tracking/check-in").get_data(as_text=True)
    assert "You checked in for today already" in page
    assert f'<input checked id="sym_{fatigue}-5" name="sym_{fatigue}" type="radio" value="4">' in page
    assert "Rough</textarea>" in page


def test_yesterdays_symptoms_are_offered_again_today(app, client, member):
    (headache,) = ids(app, "headache")
    yesterday = today(app, member) - timedelta(days=1)
    client.submit(f"/tracking/check-in?day={yesterday.isoformat()}",
                  {"day": yesterday.isoformat(), f"sym_{headache}": "2"})
    page = client.get("/tracking/check-in").get_data(as_text=True)
    first_group = page.split("More symptoms")[0]
    assert "<legend>Headache" in first_group
    assert "last time: moderate" in first_group


@pytest.mark.parametrize("fields, message", [
    ({"sleep_hours": "30"}, "Sleep must be between 0 and 24 hours."),
    ({"sleep_hours": "lots"}, "Please enter a number"),
    ({"wellbeing": "9"}, "Not a valid choice"),
    ({"sym_FATIGUE": "7"}, "Please choose from none (0) to very severe (4)."),
    ({"day": "2026-02-30"}, "Please enter a date like"),
    ({"custom_symptom": "Itchy ears"}, "Please rate your own symptom too"),
    ({"triggers": "full-moon"}, "Please choose from the options shown."),
])
def test_bad_checkin_input_is_explained_and_the_typed_notes_are_kept(app, client, member, fields, message):
    (fatigue,) = ids(app, "fatigue")
    data = {"day": today(app, member).isoformat(), "notes": "I typed this carefully",
            **{k.replace("FATIGUE", str(fatigue)): v for k, v in fields.items()}}
    response = client.submit("/tracking/check-in", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "I typed this carefully" in page
    assert count(app, CheckIn) == 0


def test_future_day_is_refused_beside_the_date(app, client, member):
    tomorrow = today(app, member) + timedelta(days=1)
    response = client.submit("/tracking/check-in", {"day": tomorrow.isoformat(), "notes": "x"})
    assert response.status_code == 400
    assert "is in the future" in response.get_data(as_text=True)
    assert count(app, CheckIn) == 0
    assert client.get(f"/tracking/check-in?day={tomorrow.isoformat()}").status_code == 302
    assert client.get("/tracking/check-in?day=not-a-date").status_code == 404


def test_a_second_new_checkin_for_the_same_day_does_not_overwrite_the_first(app, client, member):
    day = today(app, member).isoformat()
    client.submit("/tracking/check-in", {"day": day, "notes": "the first one"})
    # A second tab opened before the first was saved still posts as a new check-in.
    response = client.submit("/tracking/check-in", {"day": day, "notes": "the second one", "checkin_id": ""},
                             page="/tracking/flares")
    assert response.status_code == 400
    assert "You already have a check-in for" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(CheckIn.notes)).all() == ["the first one"]


def test_a_tampered_checkin_id_never_breaks_the_page_or_reaches_another_record(app, client, member):
    day = today(app, member).isoformat()
    assert client.submit("/tracking/check-in", {"day": day, "checkin_id": "abc", "notes": "x"}).status_code == 302
    response = client.submit("/tracking/check-in", {"day": day, "checkin_id": "999999", "notes": "y"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(CheckIn.notes)).all() == ["x"]


def test_own_symptom_is_added_and_offered_next_time(app, client, member):
    day = today(app, member)
    client.submit("/tracking/check-in", {"day": (day - timedelta(days=1)).isoformat(),
                                         "custom_symptom": "Tingling feet", "custom_severity": "2"},
                  page=f"/tracking/check-in?day={(day - timedelta(days=1)).isoformat()}")
    with app.app_context():
        own = db.session.scalar(select(Symptom).where(Symptom.owner_id == member))
    assert own.name == "Tingling feet"
    page = client.get("/tracking/check-in").get_data(as_text=True)
    assert "<legend>Tingling feet" in page.split("More symptoms")[0]


def test_medicines_taken_today_are_ticked_from_running_treatments(app, client, member):
    client.submit("/tracking/treatments/new", {"medication_id": "", "name": "Vitamin D", "dose": "1000",
                                               "unit": "units", "frequency": "once_daily",
                                               "start_date": (today(app, member) - timedelta(days=3)).isoformat()})
    with app.app_context():
        treatment_id = db.session.scalar(select(Treatment.id))
    page = client.get("/tracking/check-in").get_data(as_text=True)
    assert "Vitamin D" in page
    client.submit("/tracking/check-in", {"day": today(app, member).isoformat(),
                                         "medications_taken": str(treatment_id)})
    with app.app_context():
        assert db.session.scalar(select(CheckIn.medications_taken)) == [treatment_id]


def test_member_deletes_a_checkin(app, client, member):
    client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), "notes": "oops"})
    with app.app_context():
        checkin_id = db.session.scalar(select(CheckIn.id))
    response = client.submit(f"/tracking/check-ins/{checkin_id}/delete", {}, page="/tracking/check-in")
    assert response.status_code == 302
    assert count(app, CheckIn) == 0


# -- flares, treatments, labs ------------------------------------------------------------------------
def test_member_logs_a_flare_and_an_overlapping_one_is_refused(app, client, member):
    day = today(app, member)
    response = client.submit("/tracking/flares/new", {
        "start_date": (day - timedelta(days=5)).isoformat(), "severity": "moderate",
        "organs": ["joints", "skin"], "actions": ["called_doctor"], "symptoms": ["Fatigue"]})
    assert response.status_code == 302
    response = client.submit("/tracking/flares/new", {"start_date": (day - timedelta(days=2)).isoformat(),
                                                      "severity": "mild", "notes": "keep me"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This overlaps your flare from" in page and "still ongoing" in page
    assert "keep me" in page
    assert count(app, Flare) == 1
    assert "your own rating, not a clinical score" in client.get("/tracking/flares/new").get_data(
        as_text=True).lower()


def test_flare_ending_before_it_starts_is_refused(app, client, member):
    day = today(app, member)
    response = client.submit("/tracking/flares/new", {
        "start_date": (day - timedelta(days=2)).isoformat(), "end_date": (day - timedelta(days=5)).isoformat(),
        "severity": "mild"})
    assert response.status_code == 400
    assert "The end date is before the start date." in response.get_data(as_text=True)


def test_ending_an_ongoing_flare_from_the_dashboard(app, client, member):
    client.submit("/tracking/flares/new", {"start_date": today(app, member).isoformat(), "severity": "severe"})
    with app.app_context():
        flare_id = db.session.scalar(select(Flare.id))
    assert "You're in a" in client.get("/tracking/").get_data(as_text=True)
    client.submit(f"/tracking/flares/{flare_id}/end", {}, page="/tracking/")
    day = today(app, member)
    with app.app_context():
        assert db.session.get(Flare, flare_id).end_date == day


@pytest.mark.parametrize("dose, message", [("-5", "The dose must be more than 0."),
                                           ("a lot", "Please enter a number"),
                                           ("", "Please enter the dose")])
def test_bad_doses_are_explained(app, client, member, dose, message):
    response = client.submit("/tracking/treatments/new", {
        "medication_id": "", "name": "Prednisone", "dose": dose, "unit": "mg", "frequency": "once_daily",
        "start_date": today(app, member).isoformat()})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Treatment) == 0


def test_treatment_from_the_catalogue_then_a_dose_change_and_a_stop(app, client, member):
    day = today(app, member)
    with app.app_context():
        from tests.support.tracking import medication_id

        pred = medication_id("prednisone")
    client.submit("/tracking/treatments/new", {"medication_id": str(pred), "name": "", "dose": "20",
                                               "unit": "mg", "frequency": "once_daily",
                                               "start_date": (day - timedelta(days=10)).isoformat()})
    with app.app_context():
        first = db.session.scalar(select(Treatment))
    assert first.name == "Prednisone"
    response = client.submit(f"/tracking/treatments/{first.id}/change-dose", {
        "on": (day - timedelta(days=3)).isoformat(), "dose": "10", "unit": "mg", "frequency": "once_daily"})
    assert response.status_code == 302
    with app.app_context():
        second = db.session.scalar(select(Treatment).where(Treatment.previous_id == first.id))
    response = client.submit(f"/tracking/treatments/{second.id}/stop", {
        "stop_date": (day - timedelta(days=5)).isoformat(), "reason": "side_effects"})
    assert response.status_code == 400
    assert "The stop date is before the start date" in response.get_data(as_text=True)
    response = client.submit(f"/tracking/treatments/{second.id}/stop", {"stop_date": day.isoformat(),
                                                                        "reason": "side_effects"})
    assert response.status_code == 302
    page = client.get("/tracking/treatments").get_data(as_text=True)
    assert "Past treatments" in page and "Side effects" in page


def test_side_effect_is_noted_on_a_treatment(app, client, member):
    client.submit("/tracking/treatments/new", {"medication_id": "", "name": "Methotrexate", "dose": "15",
                                               "unit": "mg", "frequency": "once_weekly",
                                               "start_date": (today(app, member) - timedelta(days=30)).isoformat()})
    with app.app_context():
        treatment_id = db.session.scalar(select(Treatment.id))
    response = client.submit(f"/tracking/treatments/{treatment_id}/side-effects", {
        "noted_on": today(app, member).isoformat(), "description": "Nausea the day after", "severity": "2"},
        page=f"/tracking/treatments/{treatment_id}")
    assert response.status_code == 302
    assert "Nausea the day after" in client.get(f"/tracking/treatments/{treatment_id}").get_data(as_text=True)


@pytest.mark.parametrize("value, message", [("high", "Please enter a number, like 4.2"),
                                            ("-2", "be negative")])
def test_non_numeric_lab_values_are_explained(app, client, member, value, message):
    response = client.submit("/tracking/labs/new", {"lab_test_id": "", "name": "C3", "value": value,
                                                    "taken_on": today(app, member).isoformat()})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, LabResult) == 0


def test_lab_result_is_flagged_high_and_shown_as_a_trend(app, client, member):
    day = today(app, member)
    for n, value in enumerate(("18", "64")):
        client.submit("/tracking/labs/new", {"lab_test_id": "", "name": "Anti-dsDNA", "value": value,
                                             "taken_on": (day - timedelta(days=30 - n * 20)).isoformat(),
                                             "ref_low": "0", "ref_high": "30"})
    page = client.get("/tracking/labs").get_data(as_text=True)
    assert '<strong class="flag flag-high">high</strong>' in page
    assert "<svg" in page and "Anti-dsDNA results over time" in page


# -- charts, calendar, summary, exports ------------------------------------------------------------
def test_chart_shades_flares_marks_treatment_changes_and_has_a_table(app, client, member):
    (fatigue,) = ids(app, "fatigue")
    day = today(app, member)
    for n in range(10):
        d = day - timedelta(days=n)
        client.submit(f"/tracking/check-in?day={d.isoformat()}", {"day": d.isoformat(), f"sym_{fatigue}": str(n % 5)})
    client.submit("/tracking/flares/new", {"start_date": (day - timedelta(days=6)).isoformat(),
                                           "end_date": (day - timedelta(days=3)).isoformat(), "severity": "moderate"})
    client.submit("/tracking/treatments/new", {"medication_id": "", "name": "Prednisone", "dose": "20",
                                               "unit": "mg", "frequency": "once_daily",
                                               "start_date": (day - timedelta(days=5)).isoformat()})
    response = client.submit("/tracking/charts", {"range": "30", "symptoms": str(fatigue)})
    assert response.headers["Location"] == "/tracking/charts?range=30"  # no symptom in the address
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flare-band flare-moderate"' in page
    assert "Started Prednisone, 20 mg once a day" in page
    assert "The same data as a table" in page and "<th scope=\"col\">Fatigue</th>" in page
    assert client.get("/tracking/charts?range=9999&symptoms=abc").status_code == 200
    assert client.submit("/tracking/charts", {"range": "x", "symptoms": "abc"}).status_code == 302


def test_calendar_shows_the_month_and_a_timeline(app, client, member):
    client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), "wellbeing": "4"})
    page = client.get("/tracking/calendar").get_data(as_text=True)
    assert "Timeline" in page and "felt good" in page
    assert client.get("/tracking/calendar?month=2026-13").status_code == 404
    assert client.get("/tracking/calendar?month=2026-02").status_code == 200


def test_doctor_summary_for_a_chosen_period_with_questions(app, client, member):
    day = today(app, member)
    (fatigue,) = ids(app, "fatigue")
    client.submit("/tracking/check-in", {"day": day.isoformat(), f"sym_{fatigue}": "3"})
    client.submit("/tracking/labs/new", {"lab_test_id": "", "name": "C3", "value": "0.6",
                                         "taken_on": day.isoformat(), "ref_low": "0.9", "ref_high": "1.8"})
    client.submit("/tracking/summary/questions", {"questions": "Should I lower the steroid?"},
                  page="/tracking/summary")
    page = client.get(f"/tracking/summary?start={(day - timedelta(days=30)).isoformat()}&end={day.isoformat()}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Fatigue" in text and "Labs out of range" in text and "C3 0.6" in text
    assert "Should I lower the steroid?" in text
    bad = client.get(f"/tracking/summary?start={day.isoformat()}&end={(day - timedelta(days=3)).isoformat()}")
    assert bad.status_code == 400 and "The start is after the end." in bad.get_data(as_text=True)
    assert client.get("/tracking/summary?start=garbage&end=").status_code == 400


def test_csv_exports_are_spreadsheet_safe(app, client, member):
    (fatigue,) = ids(app, "fatigue")
    client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), f"sym_{fatigue}": "2",
                                         "notes": "=HYPERLINK(\"http://evil\")"})
    response = client.get("/tracking/export/check-ins.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 mark Excel needs to read emoji and Arabic
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["date", "wellbeing (1-5)", "sleep hours", "Fatigue"]
    assert rows[1][3] == "2"
    assert rows[1][-1].startswith("'=")
    assert client.get("/tracking/export/passwords.csv").status_code == 404


def test_account_json_export_includes_tracking(app, client, member):
    client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), "notes": "in the export"})
    document = json.loads(client.get("/account/export").get_data(as_text=True))
    assert document["sections"]["check_ins"][0]["notes"] == "in the export"


def test_profile_saves_and_rejects_an_impossible_year(app, client, member):
    response = client.submit("/tracking/profile", {"diagnoses": ["sle"], "nephritis_class": "III",
                                                   "diagnosed_year": "2150"})
    assert response.status_code == 400
    assert "Please enter a year between 1900" in response.get_data(as_text=True)
    response = client.submit("/tracking/profile", {"diagnoses": ["sle"], "nephritis_class": "III",
                                                   "diagnosed_year": "2016", "pregnancy": "no"})
    assert response.status_code == 302


def test_reminder_settings_and_the_scheduled_command(app, client, member, runner):
    response = client.submit("/tracking/reminders", {"reminder_enabled": "y", "reminder_time": "25:99"})
    assert response.status_code == 400 and "Please enter a time like 19:30." in response.get_data(as_text=True)
    client.submit("/tracking/reminders", {"reminder_enabled": "y", "reminder_time": "00:00"})
    result = runner.invoke(args=["tracking", "send-reminders"])
    assert "Queued 1 check-in reminder(s)." in result.output
    assert count(app, OutboxMessage) == 1
    result = runner.invoke(args=["tracking", "send-reminders"])
    assert "Queued 0" in result.output


def test_members_see_a_track_link_and_a_home_card(client, member):
    home = client.get("/").get_data(as_text=True)
    assert ">Track</a>" in home and "Check in for today" in home


@pytest.mark.parametrize("zone, local_day, refused_day", [
    ("Pacific/Auckland", "2026-03-18", "2026-03-19"),  # 00:30 on the 18th there
    ("America/Los_Angeles", "2026-03-17", "2026-03-18"),  # still 16:30 on the 17th there
])
def test_the_checkin_day_is_the_members_own_local_date(app, client, auth, monkeypatch, zone, local_day,
                                                     refused_day):
    from datetime import UTC, datetime

    with app.app_context():
        seed_catalogues()
    auth.sign_in_as(time_zone=zone)
    monkeypatch.setattr(common, "utcnow", lambda: datetime(2026, 3, 17, 11, 30, tzinfo=UTC))
    page = client.get("/tracking/check-in").get_data(as_text=True)
    assert f'value="{local_day}"' in page
    assert client.submit("/tracking/check-in", {"day": local_day}).status_code == 302
    response = client.submit("/tracking/check-in", {"day": refused_day})
    assert response.status_code == 400 and "is in the future" in response.get_data(as_text=True)
    with app.app_context():
        assert [d.isoformat() for d in db.session.scalars(select(CheckIn.day))] == [local_day]


def test_deleting_the_account_erases_every_tracking_record(app, client, member):
    from tests.support.factories import PASSWORD

    day = today(app, member)
    client.submit("/tracking/check-in", {"day": day.isoformat(), "custom_symptom": "Tingling", "custom_severity": "1"})
    client.submit("/tracking/flares/new", {"start_date": day.isoformat(), "severity": "mild"})
    client.submit("/tracking/treatments/new", {"medication_id": "", "name": "Vitamin D", "dose": "1000",
                                               "unit": "units", "frequency": "once_daily",
                                               "start_date": day.isoformat()})
    client.submit("/tracking/labs/new", {"lab_test_id": "", "name": "CRP", "value": "4",
                                         "taken_on": day.isoformat()})
    client.submit("/tracking/profile", {"diagnoses": ["sle"]})
    client.submit("/tracking/reminders", {"reminder_enabled": "y", "reminder_time": "19:00"})
    assert count(app, CheckIn) == count(app, Flare) == count(app, Treatment) == count(app, LabResult) == 1
    response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    from community.models import HealthProfile, SymptomRating, TrackingSettings

    for model in (CheckIn, SymptomRating, Flare, Treatment, LabResult, HealthProfile, TrackingSettings, User):
        assert count(app, model) == 0, model.__name__
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Symptom).where(Symptom.owner_id.is_not(None))) == 0


# -- long text: refused with a word, never cut ----------------------------------------------------
def test_ten_thousand_pasted_characters_in_checkin_notes_are_refused_and_kept_whole(app, client, member):
    pasted = "Slept badly, hands stiff. " * 385  # 10,010 characters
    response = client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), "notes": pasted})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Notes can be up to 5,000 characters; this is 10,010 (5,010 too many)." in page
    kept = re.search(r'<textarea[^>]*name="notes"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1)
    assert html.unescape(kept) == pasted
    assert count(app, CheckIn) == 0


def test_checkin_notes_at_the_limit_are_saved_whole_with_line_breaks_counted_once(app, client, member):
    # As a browser sends it: 4,950 letters and 50 line breaks (CRLF) are 5,000 characters on screen.
    notes = "\r\n".join(["a" * 99] * 50) + "\r\n"
    assert len(notes.replace("\r\n", "\n")) == 5000
    response = client.submit("/tracking/check-in", {"day": today(app, member).isoformat(), "notes": notes})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(CheckIn.notes))
    assert saved == notes.replace("\r\n", "\n").strip()


def test_long_text_boxes_show_their_limit_and_carry_maxlength_for_the_counter(client, member):
    page = client.get("/tracking/check-in").get_data(as_text=True)
    assert "Only you can see these. Up to 5,000 characters." in page
    assert 'data-counter="" id="notes" maxlength="5000" name="notes"' in page
    assert "js/char-counter.js" in page
    # A one-line box has no maxlength (the browser would cut a paste silently); its limit is written.
    assert re.search(r'<input (?![^>]*maxlength)[^>]*name="custom_trigger"', page)
    assert "Up to 80 characters." in page
    treatment_page = client.get("/tracking/treatments/new").get_data(as_text=True)
    assert 'maxlength="2000"' in treatment_page and "Up to 2,000 characters." in treatment_page


def test_treatment_notes_over_two_thousand_are_refused_and_at_the_limit_saved(app, client, member):
    fields = {"medication_id": "", "name": "Vitamin D", "dose": "1000", "unit": "units",
              "frequency": "once_daily", "start_date": today(app, member).isoformat()}
    response = client.submit("/tracking/treatments/new", {**fields, "notes": "n" * 2001})
    assert response.status_code == 400
    assert "Notes can be up to 2,000 characters; this is 2,001" in response.get_data(as_text=True)
    assert "n" * 2001 in response.get_data(as_text=True)
    assert count(app, Treatment) == 0
    assert client.submit("/tracking/treatments/new", {**fields, "notes": "n" * 2000}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Treatment.notes)) == "n" * 2000


def test_too_long_doctor_questions_are_shown_again_in_full_not_lost_in_a_redirect(app, client, member):
    client.submit("/tracking/summary/questions", {"questions": "Keep these"}, page="/tracking/summary")
    typed = "Why do my knees hurt? " * 150  # 3,300 characters
    response = client.submit("/tracking/summary/questions", {"questions": typed}, page="/tracking/summary")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your questions can be up to 3,000 characters; this is 3,300" in page
    assert typed in page
    with app.app_context():
        assert preferences.get_settings(db.session.get(User, member)).doctor_questions == "Keep these"


def test_the_service_refuses_long_notes_rather_than_cutting_them(app, member):
    from community.errors import ValidationFailed

    with app.app_context():
        user = db.session.get(User, member)
        with pytest.raises(ValidationFailed) as refused:
            checkin_log.save_checkin(user, checkin_log.CheckInData(day=common.local_today(user), notes="x" * 5001))
        assert refused.value.field == "notes"
        with pytest.raises(ValidationFailed):
            health_profile.save_profile(user, country="C" * 61)
    assert count(app, CheckIn) == 0


def test_the_six_starter_symptoms_stay_in_view_after_a_checkin_that_rated_one(app, client, member):
    (headache,) = ids(app, "headache")
    yesterday = today(app, member) - timedelta(days=1)
    client.submit(f"/tracking/check-in?day={yesterday.isoformat()}",
                  {"day": yesterday.isoformat(), f"sym_{headache}": "2"})
    first_group = client.get("/tracking/check-in").get_data(as_text=True).split("More symptoms")[0]
    for name in ("Fatigue", "Joint pain", "Brain fog", "Headache", "Butterfly (malar) rash", "Low mood"):
        assert f"<legend>{name}" in first_group, name


@pytest.mark.parametrize("kind", ["check-ins", "flares", "treatments", "labs"])
def test_every_csv_export_opens_in_excel_with_emoji_and_arabic_intact(app, client, member, kind):
    day = today(app, member).isoformat()
    words = "تعب شديد 😴"
    client.submit("/tracking/check-in", {"day": day, "notes": words})
    client.submit("/tracking/flares/new", {"start_date": day, "severity": "mild", "notes": words})
    client.submit("/tracking/treatments/new", {"medication_id": "", "name": "Vitamin D", "dose": "1000",
                                               "unit": "units", "frequency": "once_daily", "start_date": day,
                                               "notes": words})
    client.submit("/tracking/labs/new", {"lab_test_id": "", "name": "CRP", "value": "4", "taken_on": day,
                                         "notes": words})
    response = client.get(f"/tracking/export/{kind}.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    assert words in body.decode("utf-8-sig").splitlines()[1]


def test_doctor_summary_prints_full_dates_says_what_lately_compares_and_lists_what_was_tried(app, client,
                                                                                            member):
    day = today(app, member)
    client.submit("/tracking/treatments/new", {
        "medication_id": "", "name": "Azathioprine", "dose": "100", "unit": "mg", "frequency": "once_daily",
        "start_date": "2023-01-02", "stop_date": "2023-09-01", "stop_reason": "side_effects"})
    page = client.get("/tracking/summary").get_data(as_text=True)
    start = day - timedelta(days=89)
    assert f"{start.day} {start:%b %Y} – {day.day} {day:%b %Y} (90 days)" in page
    recent = day - timedelta(days=13)
    assert f"the last 14 days ({recent.day} {recent:%b %Y} – {day.day} {day:%b %Y})" in page
    assert "<h3>Tried before</h3>" in page
    assert "Azathioprine</strong> 100 mg once a day, 2 Jan 2023 – 1 Sep 2023; why stopped: side effects" in page


def test_labs_page_charts_c3_in_one_unit_and_anti_dsdna_titres_as_titres(app, client, member):
    day = today(app, member)
    with app.app_context():
        from tests.support.tracking import lab_test_id

        c3, dsdna = lab_test_id("c3"), lab_test_id("anti-dsdna")
    for n, (test, value, unit) in enumerate([(c3, "0.6", ""), (c3, "55", "mg/dL"), (dsdna, "1:160", ""),
                                             (dsdna, "1:320", "")]):
        response = client.submit("/tracking/labs/new", {"lab_test_id": str(test), "value": value, "unit": unit,
                                                        "taken_on": (day - timedelta(days=20 - n)).isoformat()})
        assert response.status_code == 302
    page = client.get("/tracking/labs").get_data(as_text=True)
    assert "In g/L; results reported in another unit are converted to it." in page
    assert "55 mg/dL = 0.55 g/L" in page
    assert "Titres (1:160, 1:320), on a dilution scale" in page
    assert "1:320 IU/mL" not in page and ">1:320<" in page.replace(" <", "<")
    refused = client.submit("/tracking/labs/new", {"lab_test_id": str(dsdna), "value": "1:640", "unit": "IU/mL",
                                                   "taken_on": day.isoformat()})
    assert refused.status_code == 400 and "A titre like 1:320 has no unit." in refused.get_data(as_text=True)
