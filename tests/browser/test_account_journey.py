"""A newcomer's whole account life in Chromium: join, confirm, reset, export, delete."""

import json
from pathlib import Path

from playwright.sync_api import expect

from tests.support.observe import last_email, link_in

EMAIL = "juniper@example.org"
FIRST_PASSWORD = "violet tea at dawn"
NEW_PASSWORD = "quiet garden lantern"


def test_member_joins_confirms_resets_exports_and_leaves(page, live_server, check_a11y):
    app = live_server.app

    page.goto("/")
    check_a11y(page)
    page.get_by_role("link", name="Join free").first.click()
    expect(page.get_by_role("heading", name="Join Lupus Commons")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Display name").fill("Juniper")
    page.get_by_label("Password").fill("password")  # too common: refused, the rest kept
    page.get_by_label("I agree to the terms").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("too common")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(EMAIL)
    check_a11y(page)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_label("I agree to the terms").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_a11y(page)

    # Read the message the app sent and follow its link.
    page.goto(link_in(last_email(app, EMAIL), "/auth/verify/"))
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="How are you today, Juniper?")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You're signed out")).to_be_visible()

    # Forgotten password.
    page.goto("/auth/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    check_a11y(page)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_text("If that address has an account")).to_be_visible()
    check_a11y(page)
    page.goto(link_in(last_email(app, EMAIL), "/auth/reset/"))
    check_a11y(page)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="How are you today, Juniper?")).to_be_visible()

    # Download my data.
    page.get_by_role("link", name="Your account", exact=True).click()
    check_a11y(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    download = download_info.value
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert document["sections"]["account"][0]["email"] == EMAIL

    # Delete the account.
    page.get_by_role("link", name="Delete my account").click()
    check_a11y(page)
    expect(page.get_by_label("Also delete my posts in members-only topics")).to_be_checked()
    expect(page.get_by_label("Also delete my posts in public topics")).not_to_be_checked()
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account and your private records are deleted")).to_be_visible()
    check_a11y(page)
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("don't match an account")).to_be_visible()


def test_pages_fit_a_small_phone_without_sideways_scrolling(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ["/", "/auth/register", "/auth/login", "/terms"]:
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    context.close()
