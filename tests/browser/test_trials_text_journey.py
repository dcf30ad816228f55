"""On a phone, a member compares their records with a real imported study nobody curated, bullet by bullet,
answers an unknown from their medical history, and sees the comparison change. axe-core checks each page."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from community.db import db
from community.models import HealthProfile
from community.trials import suggestions
from community.trials.importer import import_records, records_in
from tests.support.factories import PASSWORD, make_user
from tests.support.trials import add_lab, seed_tracking_catalogues, study

CORPUS = {r["nctId"]: r for r in json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "ctgov-lupus-eligibility.json").read_text(encoding="utf-8"))}
STUDY = "NCT01639339"


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_member_reads_an_imported_study_bullet_by_bullet_and_answers_an_unknown(phone_page, live_server, check_a11y):
    page = phone_page
    app = live_server.app
    with app.app_context():
        seed_tracking_catalogues()
        import_records(records_in(study(STUDY, title="Belimumab in lupus nephritis", min_age=None,
                                        eligibility=CORPUS[STUDY]["eligibilityCriteria"])))
        user = make_user(email="ines@example.org", display_name="Inês")
        db.session.add(HealthProfile(user_id=user.id, diagnoses=["nephritis"], nephritis_class="IV",
                                     birth_year=date.today().year - 29, sex="female", country="United States",
                                     pregnancy="no", medical_history={"hepatitis_b": {"answer": "no"}}))
        db.session.commit()
        add_lab(user.id, "creatinine", 1.1, "mg/dL", date.today() - timedelta(days=5))
        suggestions.give_consent(user, categories=["profile", "history", "treatments", "labs"], email_updates=False)

    page.goto("/auth/login")
    page.fill("#email", "ines@example.org")
    page.fill("#password", PASSWORD)
    follow(page, page.locator("main button[type=submit]"))
    page.goto(f"/trials/studies/{STUDY}")
    expect(page.get_by_role("heading", name="Who the study cannot take")).to_be_visible()
    expect(page.locator(".outcome-counts")).to_contain_text("the study team checks")
    pregnant = page.locator("li.bullet", has_text="Pregnant or nursing.")
    expect(pregnant.locator(".bullet-outcome")).to_have_text("Met")
    hiv = page.locator("li.bullet", has_text="Tested positive for human immunodeficiency virus")
    expect(hiv.locator(".bullet-outcome")).to_have_text("Ask about")
    expect(page.get_by_text("eligible", exact=False)).to_have_count(0)
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off a phone screen

    follow(page, hiv.get_by_role("link", name="Answer it in your medical history"))
    assert page.url.endswith("/tracking/profile#medical-history")
    for condition in ("HIV", "Hepatitis C"):
        page.locator(".history-item", has_text=condition).get_by_label("No", exact=True).check()
    follow(page, page.get_by_role("button", name="Save profile"))
    expect(page.get_by_text("Your health profile is saved.")).to_be_visible()
    page.goto(f"/trials/studies/{STUDY}")
    expect(page.locator("li.bullet", has_text="Tested positive for human immunodeficiency virus")
           .locator(".bullet-outcome")).to_have_text("Met")
    check_a11y(page)
