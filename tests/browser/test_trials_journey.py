"""A member opts in to trial suggestions, reads the explanations, marks interest, prints the summary,
and withdraws. axe-core checks every page on the way."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import func, select

from community.db import db
from community.models import TrialMatch
from tests.support.factories import PASSWORD, make_user
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_member_opts_in_reads_suggestions_marks_interest_prints_and_withdraws(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = make_user(email="rosa@example.org", display_name="Rosa", time_zone="America/Los_Angeles")
        give_history(user.id, birth_date=date(date.today().year - 34, 3, 4))
        user_id = user.id

    page.goto("/auth/login")
    check_a11y(page)
    page.fill("#email", "rosa@example.org")
    page.fill("#password", PASSWORD)
    follow(page, page.locator("main button[type=submit]"))
    check_a11y(page)

    follow(page, page.get_by_role("link", name="Trials", exact=True))
    expect(page.get_by_text("Suggestions are off")).to_be_visible()
    check_a11y(page)

    follow(page, page.get_by_role("link", name="Read how it works"))
    expect(page.get_by_role("heading", name="How trial suggestions work")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Your lab results").uncheck()
    page.get_by_label("I have read how matching works").check()
    follow(page, page.get_by_role("button", name="Turn on trial suggestions"))
    expect(page.get_by_text("Trial suggestions are on")).to_be_visible()
    expect(page.get_by_text("Only the study team decides who can take part")).to_be_visible()
    check_a11y(page)

    card = page.locator(".trial-card", has_text="Breakfree-1")
    card.locator("summary").click()
    expect(card.get_by_text("because they were not effective")).to_be_visible()
    follow(page, card.get_by_role("link", name="Breakfree-1"))
    expect(page.get_by_text("a summary — read the registry record")).to_be_visible()
    expect(page.get_by_role("link", name="check the registry record on ClinicalTrials.gov")).to_be_visible()
    check_a11y(page)

    follow(page, page.get_by_role("button", name="I'm interested"))
    expect(page.get_by_role("heading", name="Pre-screening summary")).to_be_visible()
    expect(page.locator(".flash-success")).to_contain_text("nothing has been sent to anyone")
    check_a11y(page)
    # Printing: the button appears with JavaScript and opens the print dialog (stubbed here).
    page.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }")
    page.get_by_role("button", name="Print this summary").click()
    assert page.evaluate("window.__printed") >= 1
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print this summary")).to_be_hidden()
    page.emulate_media(media="screen")

    follow(page, page.get_by_role("link", name="Trials", exact=True))
    check_a11y(page)
    follow(page, page.get_by_role("link", name="What matching uses, and how to turn it off"))
    check_a11y(page)
    follow(page, page.get_by_role("button", name="Turn off and delete my matches"))
    expect(page.get_by_text("Trial suggestions are off. Your matches")).to_be_visible()
    check_a11y(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrialMatch)
                                 .where(TrialMatch.user_id == user_id)) == 0
