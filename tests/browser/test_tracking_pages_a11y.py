"""Every tracking page a member can reach, with records in it, passes axe (desktop width)."""

from __future__ import annotations

from datetime import time, timedelta

from community.db import db
from community.models import User
from community.tracking import (
    checkin_log,
    common,
    flare_log,
    health_profile,
    lab_log,
    preferences,
    treatment_log,
)
from tests.support.factories import PASSWORD, make_user
from tests.support.tracking import seed_catalogues, symptom_id


def test_every_tracking_page_with_records_is_accessible(page, live_server, check_a11y):
    with live_server.app.app_context():
        seed_catalogues()
        user = make_user(email="sam@example.org", time_zone="America/New_York")
        today = common.local_today(user)
        user = db.session.get(User, user.id)
        pred = treatment_log.save_treatment(user, treatment_log.TreatmentData(
            medication_id=None, name="Prednisone", dose=20, unit="mg", frequency="once_daily",
            start_date=today - timedelta(days=40)))
        treatment_log.add_side_effect(user, pred, noted_on=today - timedelta(days=3), description="Poor sleep",
                                 severity=2)
        for n in range(35):
            checkin_log.save_checkin(user, checkin_log.CheckInData(
                day=today - timedelta(days=n), ratings={symptom_id("fatigue"): n % 5, symptom_id("headache"): 1},
                wellbeing=1 + n % 5, medications_taken=[pred.id]))
        flare = flare_log.save_flare(user, flare_log.FlareData(start_date=today - timedelta(days=20),
                                                             end_date=today - timedelta(days=12), severity="severe"))
        for n, value in enumerate(("1.1", "0.7")):
            lab = lab_log.save_lab(user, lab_log.LabData(lab_test_id=None, name="C3", value=value, unit="g/L",
                                                           taken_on=today - timedelta(days=30 - n * 20),
                                                           ref_low=0.9, ref_high=1.8))
        health_profile.save_profile(user, diagnoses=["sle", "nephritis"], nephritis_class="IV")
        preferences.save_reminder(user, enabled=True, at=time(19, 0))
        ids = {"t": pred.id, "f": flare.id, "l": lab.id}

    page.goto("/auth/login")
    page.fill("#email", "sam@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    for path in ["/tracking/", "/tracking/check-in", "/tracking/calendar", "/tracking/charts?range=90",
                 "/tracking/charts?range=365", "/tracking/flares", "/tracking/flares/new",
                 f"/tracking/flares/{ids['f']}/edit", "/tracking/treatments", "/tracking/treatments/new",
                 f"/tracking/treatments/{ids['t']}", f"/tracking/treatments/{ids['t']}/edit",
                 f"/tracking/treatments/{ids['t']}/stop", f"/tracking/treatments/{ids['t']}/change-dose",
                 "/tracking/labs", "/tracking/labs/new", f"/tracking/labs/{ids['l']}/edit", "/tracking/profile",
                 "/tracking/reminders", "/tracking/summary", "/tracking/export"]:
        response = page.goto(path)
        assert response.status == 200, path
        check_a11y(page)
    # A page showing errors beside fields is checked too.
    page.goto("/tracking/check-in")
    page.fill("#sleep_hours", "30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").click()
    assert "Sleep must be between 0 and 24 hours." in page.inner_text("main")
    check_a11y(page)
