"""A patient on a phone: check in, log a flare and a treatment change, see them charted and summarised,
and take the CSV home. axe-core checks every page on the way."""

from __future__ import annotations

from datetime import timedelta

from community.db import db
from community.models import User
from community.tracking import checkin_log, common
from tests.support.factories import PASSWORD, make_user
from tests.support.tracking import seed_catalogues, symptom_id


def follow(page, locator) -> None:
    """Tap a link or button that loads a new page, and wait for it."""
    with page.expect_navigation():
        locator.tap()


def test_patient_tracks_a_flare_and_a_dose_change_on_a_phone(phone_page, live_server, check_a11y, tmp_path):
    page = phone_page
    with live_server.app.app_context():
        seed_catalogues()
        user = make_user(email="maya@example.org", display_name="Maya", time_zone="Europe/London")
        today = common.local_today(user)
        fatigue = symptom_id("fatigue")
        # A few earlier days, so the chart has a line to draw.
        for n in range(1, 8):
            checkin_log.save_checkin(db.session.get(User, user.id), checkin_log.CheckInData(
                day=today - timedelta(days=n), ratings={fatigue: 1 + n % 3}))

    page.goto("/auth/login")
    page.fill("#email", "maya@example.org")
    page.fill("#password", PASSWORD)
    follow(page, page.locator("main button[type=submit]"))
    page.get_by_role("button", name="Menu").tap()  # on a phone the site links fold behind one button
    follow(page, page.get_by_role("link", name="Track"))
    check_a11y(page)

    # The daily check-in, with thumbs.
    follow(page, page.get_by_role("link", name="Check in now"))
    assert page.get_by_role("heading", level=1).inner_text() == "How are you today?"
    check_a11y(page)
    page.get_by_role("group", name="Overall, how are you today?").get_by_text("Okay").tap()
    page.get_by_role("group", name="Fatigue").get_by_text("Severe", exact=True).tap()
    # Yesterday's symptoms come first; the rest of the catalogue is one tap away.
    page.get_by_text("More symptoms").tap()
    page.get_by_role("group", name="Joint pain").get_by_text("Mild", exact=True).tap()
    page.get_by_label("Hours of sleep last night").fill("6.5")
    page.get_by_label("Stress").check()
    page.get_by_label("Notes (optional)").fill("Tired after the school run")
    follow(page, page.get_by_role("button", name="Save check-in"))
    assert "Your check-in for today is saved" in page.locator(".flashes").inner_text()
    check_a11y(page)

    # A flare that started five days ago.
    page.goto("/tracking/flares/new")
    check_a11y(page)
    page.get_by_label("When did it start?").fill((today - timedelta(days=5)).isoformat())
    page.get_by_role("group", name="How bad is it, in your own view?").get_by_text("Moderate").tap()
    page.get_by_label("Joints").check()
    page.get_by_label("Called my doctor").check()
    follow(page, page.get_by_role("button", name="Save flare"))
    assert "Your flare is logged" in page.locator(".flashes").inner_text()
    check_a11y(page)

    # Prednisone started for the flare, then the dose changed.
    page.goto("/tracking/treatments/new")
    check_a11y(page)
    page.get_by_label("Medicine", exact=True).select_option(label="Prednisone")
    page.get_by_label("Dose", exact=True).fill("20")
    page.get_by_label("Started on").fill((today - timedelta(days=4)).isoformat())
    follow(page, page.get_by_role("button", name="Add treatment"))
    assert "Prednisone is added" in page.locator(".flashes").inner_text()
    check_a11y(page)
    follow(page, page.get_by_role("link", name="Change dose of Prednisone"))
    check_a11y(page)
    page.get_by_label("New dose", exact=True).fill("10")
    page.get_by_label("New dose from").fill((today - timedelta(days=1)).isoformat())
    follow(page, page.get_by_role("button", name="Save new dose"))
    assert "The new dose of Prednisone is saved" in page.locator(".flashes").inner_text()
    check_a11y(page)

    # The chart shows the flare shaded and both treatment events, with a table equivalent.
    follow(page, page.get_by_role("link", name="Charts"))
    chart = page.locator("figure.chart")
    assert chart.locator("svg[role=img] rect.flare-band").count() == 1
    events = chart.locator(".event-list").inner_text()
    assert "Started Prednisone, 20 mg once a day" in events
    assert "Prednisone dose changed to 10 mg once a day" in events
    assert page.get_by_role("table").filter(has_text="Weekly average rating").is_visible()
    check_a11y(page)

    # The doctor-visit summary for the last month.
    follow(page, page.get_by_role("link", name="Doctor summary"))
    page.get_by_label("From").fill((today - timedelta(days=30)).isoformat())
    follow(page, page.get_by_role("button", name="Show this period"))
    summary = page.locator("article.summary").inner_text()
    assert "moderate (own rating)" in summary
    assert "started Prednisone 20 mg once a day" in summary
    assert "Prednisone changed to 10 mg once a day" in summary
    assert "Fatigue" in summary
    check_a11y(page)

    # And the CSV to keep.
    follow(page, page.get_by_role("link", name="Export"))
    check_a11y(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download check-ins (CSV)").click()
    target = tmp_path / "check-ins.csv"
    download_info.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")  # the file starts with the mark Excel needs
    assert text.splitlines()[0].startswith("date,wellbeing (1-5),sleep hours,Fatigue,Joint pain")
    assert f"{today.isoformat()},3,6.5,3,1" in text
    assert "Tired after the school run" in text
