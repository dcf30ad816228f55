"""The doctor summary prints on one sheet; the char counter, past treatments and labs work in a real browser."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from community.db import db
from community.models import User
from community.tracking import (
    checkin_log,
    common,
    flare_log,
    health_profile,
    preferences,
    treatment_log,
)
from tests.support.factories import PASSWORD, make_user
from tests.support.tracking import lab, medication_id, seed_catalogues, symptom_id, treatment

SYMPTOMS = ("fatigue", "joint-pain", "brain-fog", "headache", "malar-rash", "low-mood", "hair-loss", "ulcers")


def sign_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF as Chromium writes it: one "/Type /Page" object each (not "/Pages")."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def ninety_full_days(email: str) -> None:
    """A busy quarter: a check-in every day rating eight symptoms, two flares, dose changes,
    treatments tried before, a dozen labs, a medical history and questions for the doctor."""
    seed_catalogues()
    user = make_user(email=email, display_name="Amira Haddad", time_zone="Europe/London")
    today = common.local_today(user)
    user = db.session.get(User, user.id)
    for slug, start, stop, reason in (("azathioprine", date(2021, 2, 1), date(2021, 11, 5), "side_effects"),
                                      ("methotrexate", date(2022, 1, 10), date(2023, 6, 30), "not_effective"),
                                      ("belimumab", date(2023, 8, 1), date(2024, 12, 2), "cost")):
        treatment(user, slug=slug, start=start, today=today, stop_date=stop, stop_reason=reason)
    hcq = treatment(user, slug="hydroxychloroquine", start=date(2020, 5, 1), today=today)
    pred = treatment(user, slug="prednisone", dose=10, start=today - timedelta(days=70), today=today)
    treatment_log.change_dose(user, pred, on=today - timedelta(days=40), dose=20, unit="mg",
                         frequency="once_daily", today=today)
    mmf = treatment_log.save_treatment(user, treatment_log.TreatmentData(
        medication_id=medication_id("mycophenolate"), name="", dose=1000, unit="mg", frequency="twice_daily",
        start_date=today - timedelta(days=35)), today=today)
    for n in range(90):
        day = today - timedelta(days=n)
        checkin_log.save_checkin(user, checkin_log.CheckInData(
            day=day, ratings={symptom_id(s): (n + i) % 5 for i, s in enumerate(SYMPTOMS)},
            wellbeing=1 + n % 5, sleep_hours=5 + n % 4, triggers=["stress", "sun"][: n % 3],
            medications_taken=[hcq.id, mmf.id] if n < 35 else [hcq.id]), today=today)
    flare_log.save_flare(user, flare_log.FlareData(start_date=today - timedelta(days=60),
                                                 end_date=today - timedelta(days=45), severity="severe",
                                                 symptoms=["Fatigue", "Joint pain"], actions=["called_doctor", "steroid_increase"]), today=today)
    flare_log.save_flare(user, flare_log.FlareData(start_date=today - timedelta(days=12), severity="moderate",
                                                 symptoms=["Butterfly (malar) rash"]), today=today)
    for n in range(6):
        taken = today - timedelta(days=5 + n * 14)
        lab(user, slug="c3", value=f"{0.6 + n * 0.05:.2f}", taken_on=taken, today=today, ref_low=0.9, ref_high=1.8)
        lab(user, slug="anti-dsdna", value=str(40 + n * 30), taken_on=taken, today=today, ref_high=30)
    health_profile.save_profile(user, today=today, diagnoses=["sle", "nephritis"], nephritis_class="IV",
                          diagnosed_year=2016, medical_history={"cancer": {"answer": "no"}})
    preferences.save_questions(user, "Can I lower the prednisone now the rash is settling? "
                                  "Is the hair loss from the mycophenolate? Should I have a kidney biopsy again? "
                                  "When should my eyes be checked for hydroxychloroquine? " * 2)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_ninety_busy_days_of_doctor_summary_print_on_one_sheet(page, live_server, paper):
    with live_server.app.app_context():
        ninety_full_days("amira@example.org")
    sign_in(page, "amira@example.org")
    assert page.goto("/tracking/summary").status == 200
    assert page.get_by_role("heading", name="Tried before").is_visible()
    page.emulate_media(media="print")
    pdf = page.pdf(format=paper, print_background=False)
    assert pdf_pages(pdf) == 1
    # Nothing of the summary was hidden to make it fit.
    text = page.inner_text(".summary")
    for words in ("Main symptoms", "Hair loss", "Flares", "Treatment changes", "Tried before", "Belimumab",
                  "Labs out of range", "My questions for the doctor", "kidney biopsy"):
        assert words in text, words


def test_the_page_count_sees_every_page(page, live_server):
    page.set_content("<p>one</p><p style='break-before: page'>two</p><p style='break-before: page'>three</p>")
    assert pdf_pages(page.pdf(format="A4")) == 3


def test_why_a_past_treatment_was_stopped_is_readable_on_a_390px_phone(phone_page, live_server):
    page = phone_page
    with live_server.app.app_context():
        seed_catalogues()
        user = make_user(email="lena@example.org", time_zone="Europe/London")
        today = common.local_today(user)
        treatment(db.session.get(User, user.id), slug="methotrexate", start=date(2022, 1, 10), today=today,
                  stop_date=date(2023, 6, 30), stop_reason="not_effective")
    sign_in(page, "lena@example.org")
    page.goto("/tracking/treatments")
    reason = page.get_by_text("It didn't work well enough")
    box = reason.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Stacked: the reason sits under the medicine's name, labelled with its column's name.
    assert box["y"] > page.get_by_role("link", name="Methotrexate").bounding_box()["y"]
    assert "Why stopped" in page.evaluate(
        "getComputedStyle(document.querySelector('td[data-label=\"Why stopped\"]'), '::before').content")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_character_counter_counts_as_you_type_and_keeps_a_too_long_paste_whole(page, live_server):
    with live_server.app.app_context():
        seed_catalogues()
        make_user(email="noor@example.org", time_zone="Europe/London")
    sign_in(page, "noor@example.org")
    page.goto("/tracking/check-in")
    notes = page.get_by_label("Notes (optional)")
    assert page.locator("#notes-counter").inner_text() == "0 of 5,000 characters"
    notes.fill("Hands stiff\nall morning")
    assert page.locator("#notes-counter").inner_text() == "23 of 5,000 characters"
    pasted = "x" * 5200
    notes.fill(pasted)  # the whole paste stays in the box, not silently cut at 5,000
    assert notes.input_value() == pasted
    assert page.locator("#notes-counter").inner_text() == "5,200 of 5,000 characters — 200 too many"
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-in").click()
    assert "Notes can be up to 5,000 characters; this is 5,200" in page.inner_text("main")
    assert page.get_by_label("Notes (optional)").input_value() == pasted
