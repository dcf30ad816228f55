"""Tracking rules, straight through the services: what is accepted, what is refused, what is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from community.db import db
from community.errors import NotFound, ValidationFailed
from community.models import CheckIn, Flare, LabResult, LabTest, SymptomRating, Treatment
from community.tracking import (
    catalogue,
    checkin_log,
    common,
    flare_log,
    health_profile,
    history,
    lab_log,
    pages,
    preferences,
    reminder_job,
    treatment_log,
    visit_summary,
)
from tests.support.factories import make_user
from tests.support.tracking import (
    TODAY,
    checkin,
    flare,
    lab,
    seed_catalogues,
    symptom_id,
    treatment,
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        seed_catalogues()
        yield app


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- local dates ---------------------------------------------------------------------------------
def test_after_midnight_in_auckland_it_is_already_tomorrow(ctx):
    user = make_user(time_zone="Pacific/Auckland")
    assert common.local_today(user, datetime(2026, 3, 17, 11, 30, tzinfo=UTC)) == date(2026, 3, 18)


def test_late_evening_in_los_angeles_is_still_yesterday_in_utc_terms(ctx):
    user = make_user(time_zone="America/Los_Angeles")
    assert common.local_today(user, datetime(2026, 3, 18, 5, 0, tzinfo=UTC)) == date(2026, 3, 17)


def test_dates_read_the_way_people_say_them():
    assert common.say_day(date(2026, 3, 3), date(2026, 5, 1)) == "Tue 3 Mar"
    assert common.say_day(date(2025, 3, 3), date(2026, 5, 1)) == "Mon 3 Mar 2025"


# -- check-ins -----------------------------------------------------------------------------------
def test_checkin_stores_ratings_wellbeing_sleep_triggers_and_notes(ctx):
    user = make_user()
    saved = checkin(user, ratings={symptom_id("fatigue"): 3, symptom_id("joint-pain"): 0}, wellbeing=2,
                    sleep_hours=6.5, triggers=["sun", "stress"], notes="Garden day")
    stored = checkin_log.get_checkin(user, saved.id)
    assert (stored.day, stored.wellbeing, stored.sleep_hours, stored.triggers, stored.notes) == (
        TODAY, 2, 6.5, ["sun", "stress"], "Garden day")
    assert {r.symptom_id: r.severity for r in stored.ratings} == {symptom_id("fatigue"): 3,
                                                                  symptom_id("joint-pain"): 0}


def test_second_checkin_for_the_same_day_is_refused_and_the_first_is_kept(ctx):
    user = make_user()
    first = checkin(user, notes="first")
    with pytest.raises(ValidationFailed) as error:
        checkin(user, notes="second")
    assert error.value.field == "day"
    assert "already have a check-in" in error.value.message
    assert count(CheckIn) == 1
    assert checkin_log.get_checkin(user, first.id).notes == "first"


def test_editing_a_checkin_replaces_its_ratings(ctx):
    user = make_user()
    saved = checkin(user, ratings={symptom_id("fatigue"): 3, symptom_id("headache"): 2})
    checkin_log.save_checkin(user, checkin_log.CheckInData(day=TODAY, ratings={symptom_id("fatigue"): 1}),
                          checkin_id=saved.id, today=TODAY)
    assert {r.symptom_id: r.severity for r in checkin_log.get_checkin(user, saved.id).ratings} == {
        symptom_id("fatigue"): 1}


@pytest.mark.parametrize("changes, field", [
    ({"day": TODAY + timedelta(days=1)}, "day"),
    ({"sleep_hours": 30}, "sleep_hours"),
    ({"sleep_hours": -1}, "sleep_hours"),
    ({"sleep_hours": float("nan")}, "sleep_hours"),
    ({"wellbeing": 9}, "wellbeing"),
    ({"triggers": ["full-moon"]}, "triggers"),
    ({"custom_symptom": "Itchy ears"}, "custom_severity"),
    ({"custom_severity": 2}, "custom_symptom"),
])
def test_impossible_checkins_are_refused_with_nothing_stored(ctx, changes, field):
    user = make_user()
    data = {"day": TODAY, "ratings": {symptom_id("fatigue"): 2}, **changes}
    with pytest.raises(ValidationFailed) as error:
        checkin_log.save_checkin(user, checkin_log.CheckInData(**data), today=TODAY)
    assert error.value.field == field
    assert count(CheckIn) == 0 and count(SymptomRating) == 0


def test_severity_seven_is_refused(ctx):
    user = make_user()
    with pytest.raises(ValidationFailed, match="0 \\(none\\) to 4"):
        checkin(user, ratings={symptom_id("fatigue"): 7})
    assert count(CheckIn) == 0


def test_custom_symptom_is_created_once_and_offered_again(ctx):
    user = make_user()
    checkin(user, day=TODAY - timedelta(days=1), ratings={}, custom_symptom="Itchy  ears", custom_severity=2)
    checkin(user, ratings={}, custom_symptom="itchy ears", custom_severity=1)
    mine = [s for s in common.symptoms_for(user) if s.owner_id == user.id]
    assert [s.name for s in mine] == ["Itchy ears"]
    assert checkin_log.last_ratings_before(user, TODAY) == {mine[0].id: 2}


def test_a_member_cannot_rate_another_members_custom_symptom(ctx):
    owner, other = make_user(), make_user()
    checkin(owner, ratings={}, custom_symptom="Itchy ears", custom_severity=2)
    theirs = next(s for s in common.symptoms_for(owner) if s.owner_id == owner.id)
    with pytest.raises(ValidationFailed):
        checkin(other, ratings={theirs.id: 1})
    assert theirs.id not in {s.id for s in common.symptoms_for(other)}


def test_medicines_taken_must_be_the_members_own_running_treatments(ctx):
    user, other = make_user(), make_user()
    mine = treatment(user)
    theirs = treatment(other)
    checkin(user, medications_taken=[mine.id])
    with pytest.raises(ValidationFailed) as error:
        checkin(user, day=TODAY - timedelta(days=1), medications_taken=[theirs.id])
    assert error.value.field == "medications_taken"


def test_another_members_checkin_is_not_found(ctx):
    owner, other = make_user(), make_user()
    saved = checkin(owner)
    with pytest.raises(NotFound):
        checkin_log.get_checkin(other, saved.id)
    with pytest.raises(NotFound):
        checkin_log.delete_checkin(other, saved)
    assert count(CheckIn) == 1


# -- flares --------------------------------------------------------------------------------------
def test_overlapping_flares_are_rejected_with_the_dates_of_the_other(ctx):
    user = make_user()
    flare(user, date(2026, 3, 1), date(2026, 3, 6))
    with pytest.raises(ValidationFailed) as error:
        flare(user, date(2026, 3, 5), date(2026, 3, 10))
    assert error.value.field == "start_date"
    assert "Sun 1 Mar to Fri 6 Mar" in error.value.message
    assert count(Flare) == 1


def test_an_ongoing_flare_blocks_a_later_one_until_it_ends(ctx):
    user = make_user()
    ongoing = flare(user, date(2026, 3, 1))
    with pytest.raises(ValidationFailed, match="still ongoing"):
        flare(user, date(2026, 3, 10))
    flare_log.end_flare(user, ongoing, today=date(2026, 3, 8))
    flare(user, date(2026, 3, 10))
    assert count(Flare) == 2


def test_back_to_back_flares_are_fine_and_editing_does_not_clash_with_itself(ctx):
    user = make_user()
    first = flare(user, date(2026, 3, 1), date(2026, 3, 4))
    flare(user, date(2026, 3, 5), date(2026, 3, 8))
    flare_log.save_flare(user, flare_log.FlareData(start_date=date(2026, 3, 1), end_date=date(2026, 3, 4),
                                                 severity="severe"), flare=first, today=TODAY)
    assert flare_log.get_flare(user, first.id).severity == "severe"


@pytest.mark.parametrize("start, end, severity, field", [
    (date(2026, 3, 10), date(2026, 3, 5), "mild", "end_date"),
    (TODAY + timedelta(days=1), None, "mild", "start_date"),
    (date(2026, 3, 1), TODAY + timedelta(days=2), "mild", "end_date"),
    (date(2026, 3, 1), None, "apocalyptic", "severity"),
])
def test_impossible_flares_are_refused(ctx, start, end, severity, field):
    user = make_user()
    with pytest.raises(ValidationFailed) as error:
        flare(user, start, end, severity=severity)
    assert error.value.field == field
    assert count(Flare) == 0


def test_other_members_flares_do_not_count_as_overlaps(ctx):
    one, two = make_user(), make_user()
    flare(one, date(2026, 3, 1))
    flare(two, date(2026, 3, 1))
    assert count(Flare) == 2


# -- treatments ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dose", [-5, 0, float("inf"), 10_000_000])
def test_impossible_doses_are_refused(ctx, dose):
    user = make_user()
    with pytest.raises(ValidationFailed) as error:
        treatment(user, dose=dose)
    assert error.value.field == "dose"
    assert count(Treatment) == 0


def test_free_entry_medicine_is_kept_in_the_members_words(ctx):
    user = make_user()
    saved = treatment_log.save_treatment(user, treatment_log.TreatmentData(
        medication_id=None, name="  Vitamin   D ", dose=1000, unit="units", frequency="once_daily",
        start_date=date(2026, 1, 1)), today=TODAY)
    assert saved.name == "Vitamin D" and saved.medication_id is None


def test_stop_before_start_and_stop_without_reason_are_refused(ctx):
    user = make_user()
    saved = treatment(user, start=date(2026, 2, 1))
    with pytest.raises(ValidationFailed) as error:
        treatment_log.stop_treatment(user, saved, stop_date=date(2026, 1, 1), reason="cost", today=TODAY)
    assert error.value.field == "stop_date"
    with pytest.raises(ValidationFailed) as error:
        treatment_log.stop_treatment(user, saved, stop_date=date(2026, 3, 1), reason="", today=TODAY)
    assert error.value.field == "reason"
    assert treatment_log.get_treatment(user, saved.id).stop_date is None


def test_pregnancy_is_a_reason_to_stop_a_treatment(ctx):
    # Mycophenolate and methotrexate are stopped before a pregnancy: members must be able to say so,
    # and community insights count it among the reasons.
    user = make_user()
    saved = treatment(user, slug="mycophenolate", dose=1000, start=date(2026, 1, 5))
    stopped = treatment_log.stop_treatment(user, saved, stop_date=date(2026, 3, 1), reason="pregnancy", today=TODAY)
    assert stopped.stop_reason == "pregnancy"
    assert catalogue.label("pregnancy") == "Pregnancy, or planning one"
    with pytest.raises(ValidationFailed):
        treatment_log.stop_treatment(user, treatment(user, start=date(2026, 1, 5)), stop_date=date(2026, 3, 1),
                                     reason="vacation", today=TODAY)


def test_a_dose_change_keeps_the_old_dose_in_history(ctx):
    user = make_user()
    old = treatment(user, slug="prednisone", dose=20, start=date(2026, 2, 1))
    new = treatment_log.change_dose(user, old, on=date(2026, 3, 1), dose=10, unit="mg", frequency="once_daily",
                               today=TODAY)
    old = treatment_log.get_treatment(user, old.id)
    assert (old.stop_date, old.stop_reason) == (date(2026, 2, 28), "dose_changed")
    assert (new.dose, new.start_date, new.previous_id) == (10, date(2026, 3, 1), old.id)
    events = history.treatment_events_between(user, date(2026, 1, 1), TODAY)
    assert [(d, kind) for d, kind, _t in events] == [(date(2026, 2, 1), "started"), (date(2026, 3, 1), "changed")]


def test_side_effects_are_dated_and_not_before_the_treatment_started(ctx):
    user = make_user()
    saved = treatment(user, start=date(2026, 2, 1))
    with pytest.raises(ValidationFailed) as error:
        treatment_log.add_side_effect(user, saved, noted_on=date(2026, 1, 20), description="Nausea", severity=1,
                                 today=TODAY)
    assert error.value.field == "noted_on"
    treatment_log.add_side_effect(user, saved, noted_on=date(2026, 2, 10), description="Nausea", severity=1,
                             today=TODAY)
    assert [e.description for e in treatment_log.get_treatment(user, saved.id, with_side_effects=True).side_effects] \
        == ["Nausea"]


def test_deleting_a_treatment_keeps_the_next_dose_step(ctx):
    user = make_user()
    old = treatment(user, slug="prednisone", dose=20, start=date(2026, 2, 1))
    new = treatment_log.change_dose(user, old, on=date(2026, 3, 1), dose=10, unit="mg", frequency="once_daily",
                               today=TODAY)
    treatment_log.delete_treatment(user, old)
    assert treatment_log.get_treatment(user, new.id).previous_id is None


# -- labs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, value, shown", [
    ("4.2", 4.2, "4.2"), ("4,2", 4.2, "4.2"), (" 12 ", 12, "12"), ("1:320", 320, "1:320"),
    ("1 : 80", 80, "1:80"), (".5", 0.5, "0.5"),
])
def test_lab_values_are_read_as_typed(typed, value, shown):
    assert lab_log.parse_lab_value(typed) == (value, shown)


@pytest.mark.parametrize("typed", ["high", "", "4.2.1", "-3", "1e400", "nan", "1:0x", "10000001"])
def test_non_numeric_or_impossible_lab_values_are_refused(typed):
    with pytest.raises(ValidationFailed) as error:
        lab_log.parse_lab_value(typed)
    assert error.value.field == "value"


def test_labs_are_flagged_against_the_labs_own_range(ctx):
    user = make_user()
    low = lab(user, value="0.7", ref_low=0.9, ref_high=1.8)
    high = lab(user, slug="anti-dsdna", value="64", ref_low=0, ref_high=30)
    normal = lab(user, slug="egfr", value="96", ref_low=60)
    unknown = lab(user, slug="crp", value="3")
    assert (low.flag, high.flag, normal.flag, unknown.flag) == ("low", "high", "", "")
    assert low.unit == "g/L"  # the catalogue's usual unit when none was typed


def test_lab_range_upside_down_and_future_dates_are_refused(ctx):
    user = make_user()
    with pytest.raises(ValidationFailed) as error:
        lab(user, ref_low=2, ref_high=1)
    assert error.value.field == "ref_high"
    with pytest.raises(ValidationFailed) as error:
        lab(user, taken_on=TODAY + timedelta(days=1))
    assert error.value.field == "taken_on"
    assert count(LabResult) == 0


# -- profile -------------------------------------------------------------------------------------
def test_profile_is_all_optional_and_a_biopsy_class_implies_nephritis(ctx):
    user = make_user()
    profile = health_profile.save_profile(user, diagnoses=["sle"], nephritis_class="IV", today=TODAY)
    assert profile.diagnoses == ["sle", "nephritis"]
    empty = health_profile.save_profile(make_user(), today=TODAY)
    assert empty.diagnoses == [] and empty.birth_year is None


@pytest.mark.parametrize("values, field", [
    ({"birth_year": 1850}, "birth_year"),
    ({"diagnosed_year": 2030}, "diagnosed_year"),
    ({"diagnosed_month": 5}, "diagnosed_year"),
    ({"diagnosed_year": 1990, "birth_year": 2000}, "diagnosed_year"),
    ({"birth_date": TODAY + timedelta(days=3)}, "birth_date"),
    ({"organs": ["spleen-ish"]}, "organs"),
])
def test_impossible_profile_answers_are_refused(ctx, values, field):
    with pytest.raises(ValidationFailed) as error:
        health_profile.save_profile(make_user(), today=TODAY, **values)
    assert error.value.field == field


# -- reminders -----------------------------------------------------------------------------------
def outbox_subjects():
    from community.models import OutboxMessage

    return [m.recipient for m in db.session.scalars(select(OutboxMessage))]


def test_reminder_is_sent_once_after_the_local_time_and_only_without_a_checkin(ctx):
    maya = make_user(email="maya@example.org", time_zone="Europe/London")
    sam = make_user(email="sam@example.org", time_zone="America/New_York")
    done = make_user(email="done@example.org", time_zone="Europe/London")
    for user in (maya, sam, done):
        preferences.save_reminder(user, enabled=True, at=time(19, 0))
    checkin(done, day=date(2026, 3, 17), today=date(2026, 3, 17))
    evening_in_london = datetime(2026, 3, 17, 19, 5, tzinfo=UTC)  # 15:05 in New York
    assert reminder_job.send_reminders(evening_in_london) == 1
    assert outbox_subjects() == ["maya@example.org"]
    assert reminder_job.send_reminders(evening_in_london + timedelta(minutes=15)) == 0
    assert reminder_job.send_reminders(datetime(2026, 3, 17, 23, 1, tzinfo=UTC)) == 1  # 19:01 in New York
    assert outbox_subjects() == ["maya@example.org", "sam@example.org"]


def test_reminder_email_holds_no_health_details(ctx):
    from community.models import OutboxMessage

    user = make_user(email="maya@example.org")
    preferences.save_reminder(user, enabled=True, at=time(8, 0))
    checkin(user, day=date(2026, 3, 16), today=date(2026, 3, 16), notes="private note")
    reminder_job.send_reminders(datetime(2026, 3, 17, 9, 0, tzinfo=UTC))
    message = db.session.scalar(select(OutboxMessage))
    assert message.subject == "How are you today?"
    assert "private note" not in message.body and "fatigue" not in message.body.lower()
    assert "/tracking/check-in" in message.body


def test_turned_off_reminders_send_nothing_and_on_needs_a_time(ctx):
    user = make_user()
    preferences.save_reminder(user, enabled=False, at=time(8, 0))
    assert reminder_job.send_reminders(datetime(2026, 3, 17, 9, 0, tzinfo=UTC)) == 0
    with pytest.raises(ValidationFailed) as error:
        preferences.save_reminder(user, enabled=True, at=None)
    assert error.value.field == "reminder_time"


# -- read models ---------------------------------------------------------------------------------
def test_doctor_summary_shows_trends_flares_changes_and_out_of_range_labs(ctx):
    user = make_user()
    for n in range(14):
        day = TODAY - timedelta(days=13 - n)
        checkin(user, day=day, ratings={symptom_id("fatigue"): 1 if n < 7 else 3}, wellbeing=3)
    flare(user, TODAY - timedelta(days=6), TODAY - timedelta(days=2))
    pred = treatment(user, slug="prednisone", dose=20, start=TODAY - timedelta(days=5))
    lab(user, value="0.7", ref_low=0.9, ref_high=1.8, taken_on=TODAY - timedelta(days=3))
    preferences.save_questions(user, "Can I lower prednisone?")
    data = visit_summary.doctor_summary(user, visit_summary.Period(TODAY - timedelta(days=13), TODAY), today=TODAY)
    top = data.top[0]
    assert (top.symptom.slug, top.trend, top.worst) == ("fatigue", "worse", 3)
    assert len(data.flares) == 1
    assert [(kind, t.id) for _d, kind, t in data.events] == [("started", pred.id)]
    assert [r.flag for r in data.labs_out_of_range] == ["low"]
    assert data.settings.doctor_questions == "Can I lower prednisone?"


def test_summary_period_in_the_future_or_backwards_is_refused(ctx):
    user = make_user()
    with pytest.raises(ValidationFailed):
        visit_summary.doctor_summary(user, visit_summary.Period(TODAY, TODAY + timedelta(days=1)), today=TODAY)
    with pytest.raises(ValidationFailed):
        visit_summary.doctor_summary(user, visit_summary.Period(TODAY, TODAY - timedelta(days=1)), today=TODAY)


def test_weekly_averages_group_by_monday():
    from community.tracking.charts import weekly_averages

    pairs = [(date(2026, 3, 16), 4), (date(2026, 3, 17), 2), (date(2026, 3, 15), 1)]
    assert weekly_averages(pairs) == {date(2026, 3, 9): 1, date(2026, 3, 16): 3}


# -- export and erasure ---------------------------------------------------------------------------
def test_account_export_holds_every_tracking_record_and_deletion_erases_them(ctx):
    from community import userdata

    user = make_user()
    other = make_user()
    saved_treatment = treatment(user)
    checkin(user, custom_symptom="Itchy ears", custom_severity=2, medications_taken=[saved_treatment.id])
    flare(user, date(2026, 3, 1))
    lab(user)
    treatment_log.add_side_effect(user, saved_treatment, noted_on=date(2026, 2, 1), description="Nausea",
                             severity=1, today=TODAY)
    health_profile.save_profile(user, diagnoses=["sle"], today=TODAY)
    preferences.save_reminder(user, enabled=True, at=time(19, 0))
    checkin(other)
    sections = userdata.export_member(user)
    for section in ("health_profile", "tracking_settings", "custom_symptoms", "treatments",
                    "treatment_side_effects", "check_ins", "symptom_ratings", "flares", "lab_results"):
        assert sections[section], section
    assert len(sections["check_ins"]) == 1 and sections["check_ins"][0]["day"] == TODAY.isoformat()

    userdata.erase_member(user)
    db.session.commit()
    after = userdata.export_member(user)
    assert not any(after.get(s) for s in ("check_ins", "symptom_ratings", "flares", "treatments", "lab_results",
                                          "custom_symptoms", "health_profile"))
    assert count(CheckIn) == 1  # the other member's check-in is untouched


def test_the_calendar_draws_an_ongoing_flare_up_to_today_and_not_into_the_days_to_come(ctx):
    user = make_user()
    flare(user, start=TODAY - timedelta(days=3))  # still going on
    month = pages.calendar_month(user, TODAY.year, TODAY.month, today=TODAY)
    flare_days = [cell.day for week in month.weeks for cell in week if cell and cell.flare]
    assert flare_days == [TODAY - timedelta(days=n) for n in (3, 2, 1, 0)]
    # The month after holds only days to come: no flare drawn there at all.
    following = (TODAY.replace(day=28) + timedelta(days=4))
    later = pages.calendar_month(user, following.year, following.month, today=TODAY)
    assert not [cell for week in later.weeks for cell in week if cell and cell.flare]


def test_the_calendar_draws_an_ended_flare_over_its_own_days_only(ctx):
    user = make_user()
    flare(user, start=TODAY - timedelta(days=10), end=TODAY - timedelta(days=8))
    month = pages.calendar_month(user, TODAY.year, TODAY.month, today=TODAY)
    flare_days = [cell.day for week in month.weeks for cell in week if cell and cell.flare]
    assert flare_days == [TODAY - timedelta(days=n) for n in (10, 9, 8)]


def test_a_symptom_recovering_after_a_flare_reads_as_better_lately(ctx):
    # Mild for three weeks, severe through a two-week flare, moderate the last two weeks:
    # the later half of the days rated (flare and after) averages worse than the earlier half,
    # yet the symptom is recovering.
    user = make_user()
    fatigue = symptom_id("fatigue")
    ratings = {**{TODAY - timedelta(days=n): 1 for n in range(70, 90)},
               **{TODAY - timedelta(days=n): 4 for n in range(14, 28)},
               **{TODAY - timedelta(days=n): 2 for n in range(0, 14)}}
    for day, severity in ratings.items():
        checkin(user, day=day, ratings={fatigue: severity})
    period = visit_summary.Period(TODAY - timedelta(days=89), TODAY)
    data = visit_summary.doctor_summary(user, period, today=TODAY)
    row = data.top[0]
    assert (row.trend, row.earlier, row.recent) == ("better", 4, 2)
    windows = data.trend
    assert (windows.earlier_start, windows.earlier_end, windows.recent_start, windows.end) == (
        TODAY - timedelta(days=27), TODAY - timedelta(days=14), TODAY - timedelta(days=13), TODAY)


def test_lately_says_nothing_when_either_fortnight_has_too_few_ratings(ctx):
    user = make_user()
    for n in (0, 1, 2, 3, 20):
        checkin(user, day=TODAY - timedelta(days=n), ratings={symptom_id("fatigue"): 3})
    data = visit_summary.doctor_summary(user, visit_summary.Period(TODAY - timedelta(days=89), TODAY), today=TODAY)
    assert data.top[0].trend == ""


def test_summary_lists_treatments_tried_before_the_period_with_dates_and_why_stopped(ctx):
    user = make_user()
    period = visit_summary.Period(TODAY - timedelta(days=89), TODAY)
    mtx = treatment(user, slug="methotrexate", dose=10, start=date(2024, 3, 4), frequency="once_weekly")
    treatment_log.change_dose(user, mtx, on=date(2024, 6, 3), dose=15, unit="mg", frequency="once_weekly",
                         today=TODAY)
    treatment_log.stop_treatment(user, treatment_log.get_treatment(user, mtx.id + 1), stop_date=date(2025, 8, 9), reason="side_effects", today=TODAY)
    aza = treatment(user, slug="azathioprine", dose=100, start=date(2023, 1, 2))
    treatment_log.stop_treatment(user, aza, stop_date=date(2023, 9, 1), reason="not_effective", today=TODAY)
    treatment(user, slug="hydroxychloroquine", start=date(2022, 5, 1))  # still taken: not "tried before"
    rows = visit_summary.doctor_summary(user, period, today=TODAY).tried_before
    assert [(r.treatment.name.split()[0], r.started, r.stopped, r.reason, r.treatment.dose)
            for r in rows] == [("Methotrexate", date(2024, 3, 4), date(2025, 8, 9), "side_effects", 15),
                               ("Azathioprine", date(2023, 1, 2), date(2023, 9, 1), "not_effective", 100)]


def test_dates_on_paper_carry_the_year():
    assert common.say_date(date(2026, 12, 3)) == "3 Dec 2026"


# -- labs: one unit per chart, titres as titres ----------------------------------------------------
def test_c3_in_mg_per_dl_and_g_per_l_is_charted_in_one_unit_not_as_a_crash(ctx):
    from community.tracking import charts, labs

    user = make_user()
    lab(user, slug="c3", value="0.6", taken_on=TODAY - timedelta(days=30))
    lab(user, slug="c3", value="55", unit="mg/dL", taken_on=TODAY - timedelta(days=10))
    lab(user, slug="c3", value="0.7", taken_on=TODAY - timedelta(days=2), ref_low=0.9, ref_high=1.8)
    results = lab_log.list_labs(user)
    (series,) = labs.series_of(results, db.session.get(LabTest, results[0].lab_test_id))
    assert (series.titre, series.unit, series.converted) == (False, "g/L", True)
    assert [round(p.value, 3) for p in series.points] == [0.6, 0.55, 0.7]
    assert series.points[1].text == "55 mg/dL = 0.55 g/L"
    chart = charts.lab_chart(series, common.say_day)
    assert max(float(label) for _y, label in chart["y_ticks"]) < 2  # no axis stretched to 55


def test_units_that_cannot_be_converted_get_a_chart_each(ctx):
    from community.tracking import labs

    user = make_user()
    for n, (value, unit) in enumerate([("30", "ng/mL"), ("32", "ng/mL"), ("75", "nmol/L"), ("80", "nmol/L")]):
        lab_log.save_lab(user, lab_log.LabData(lab_test_id=None, name="Vitamin D", value=value, unit=unit,
                                                 taken_on=TODAY - timedelta(days=40 - n)), today=TODAY)
    series = labs.series_of(lab_log.list_labs(user), None)
    assert [(s.unit, [p.value for p in s.points]) for s in series] == [("ng/mL", [30, 32]), ("nmol/L", [75, 80])]


def test_an_anti_dsdna_titre_is_stored_and_shown_as_a_titre_and_charted_on_a_dilution_scale(ctx):
    from community.tracking import charts, labs

    user = make_user()
    for n, titre in enumerate(("1:80", "1:160", "1:320")):
        lab(user, slug="anti-dsdna", value=titre, taken_on=TODAY - timedelta(days=30 - n * 10), ref_high=80)
    lab(user, slug="anti-dsdna", value="45", taken_on=TODAY - timedelta(days=1))  # a measured value, in IU/mL
    results = lab_log.list_labs(user)
    titre = results[2]
    assert (titre.value_text, titre.unit, labs.shown(titre)) == ("1:320", "", "1:320")
    assert (titre.flag, labs.normal_range(titre)) == ("high", "up to 1:80")
    assert labs.shown(results[3]) == "45 IU/mL"
    measured, titres = labs.series_of(results, db.session.get(LabTest, results[0].lab_test_id))
    assert (measured.unit, [p.value for p in measured.points]) == ("IU/mL", [45])
    assert titres.titre and titres.unit == ""
    chart = charts.lab_chart(titres, common.say_day)
    ticks = dict((label, y) for y, label in chart["y_ticks"])
    assert set(ticks) == {"1:80", "1:160", "1:320"}
    # Each doubling is one equal step up.
    assert round(ticks["1:80"] - ticks["1:160"], 6) == round(ticks["1:160"] - ticks["1:320"], 6) > 0


def test_a_titre_with_a_unit_typed_is_refused_beside_the_unit(ctx):
    user = make_user()
    with pytest.raises(ValidationFailed) as refused:
        lab(user, slug="anti-dsdna", value="1:320", unit="IU/mL")
    assert refused.value.field == "unit"
    assert count(LabResult) == 0


def test_a_titre_stored_earlier_with_the_tests_unit_reads_and_exports_without_it(ctx):
    from community.tracking import export, labs

    user = make_user()
    old = lab(user, slug="anti-dsdna", value="1:320")
    old.unit = "IU/mL"  # as titres were stored before
    db.session.commit()
    assert labs.shown(old) == "1:320"
    body = export.to_csv("labs", pages.export_rows(user))
    assert "1:320," in body and "IU/mL" not in body
