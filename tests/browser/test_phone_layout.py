"""On a phone the header and section menus stay compact: each page's own heading is in the first 250 px,
the site menu sits behind one button that works by touch and keyboard, and counts stay in sight."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from community.db import db
from community.models import Trial, User
from community.models.forum import Notification, Post
from community.tracking import checkin_log, common
from community.trials import suggestions
from tests.support.factories import PASSWORD, make_user
from tests.support.forum import make_category, make_topic
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues

FIRST_SCREEN = 250  # px from the top of a 390×844 screen that must reach the page's own heading


def seed_member(app) -> dict[str, str]:
    """A member with a tracked history, trial suggestions on, and an unread forum reply.

    Returns the paths of the four pages a member on a phone opens most."""
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        user = make_user(email="lena@example.org", display_name="Lena", time_zone="Europe/Berlin")
        give_history(user.id, birth_date=date(date.today().year - 34, 3, 4))
        user = db.session.get(User, user.id)
        today = common.local_today(user)
        for n in range(1, 6):
            checkin_log.save_checkin(user, checkin_log.CheckInData(day=today - timedelta(days=n), ratings={},
                                                             wellbeing=2 + n % 3))
        suggestions.give_consent(user, categories=["profile", "history", "treatments", "labs"], email_updates=False)
        topic = make_topic(user, make_category(name="Living with lupus"), title="Fatigue after a flare",
                           body="How long did yours last?", replies=3, reply_author=make_user(display_name="Ana"))
        reply = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 4))
        db.session.add(Notification(user_id=user.id, kind="reply", topic_id=topic.id, post_id=reply.id,
                                    actor_id=reply.author_id))
        db.session.commit()
        trial = db.session.scalar(select(Trial).order_by(Trial.nct_id))
        return {"check-in": "/tracking/check-in", "dashboard": "/tracking/",
                "forum topic": f"/forum/t/{topic.id}", "trial explanation": f"/trials/studies/{trial.nct_id}"}


def sign_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def heading_top(page) -> float:
    return page.locator("main h1").first.bounding_box()["y"]


def test_on_a_phone_each_page_heading_is_on_the_first_screen(phone_page, live_server, check_a11y):
    page = phone_page
    paths = seed_member(live_server.app)
    sign_in(page, "lena@example.org")
    for name, path in paths.items():
        assert page.goto(path).status == 200, name
        assert heading_top(page) < FIRST_SCREEN, f"{name}: h1 starts at {heading_top(page):.0f}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        check_a11y(page)


def test_the_section_menu_is_one_row_that_scrolls_to_the_current_section(phone_page, live_server):
    page = phone_page
    seed_member(live_server.app)
    sign_in(page, "lena@example.org")
    page.goto("/tracking/labs")
    section = page.get_by_role("navigation", name="Tracking")
    first, current = section.get_by_role("link", name="Overview"), section.get_by_role("link", name="Labs")
    assert first.bounding_box()["y"] == current.bounding_box()["y"]  # one row, not wrapped
    expect(current).to_be_in_viewport()  # scrolled sideways to show where you are
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_site_menu_opens_by_touch_and_by_keyboard_and_closes_on_escape(phone_page, live_server, check_a11y):
    page = phone_page
    seed_member(live_server.app)
    sign_in(page, "lena@example.org")
    page.goto("/tracking/")
    menu_button = page.get_by_role("button", name="Menu")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(main_nav.get_by_role("link", name="Forums")).to_be_hidden()
    # The unread reply is announced without opening the menu.
    expect(page.get_by_role("banner").get_by_role("link", name="Notifications: 1 unread")).to_be_visible()

    menu_button.tap()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    for name in ["Forums", "Research news", "Track", "Your account"]:
        expect(main_nav.get_by_role("link", name=name)).to_be_visible()
    expect(main_nav.get_by_role("button", name="Sign out")).to_be_visible()
    check_a11y(page)
    # A tap outside closes it; Escape closes it and puts focus back on the button.
    page.locator("main h1").tap()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    menu_button.tap()
    main_nav.get_by_role("link", name="Forums").focus()
    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(main_nav.get_by_role("link", name="Forums")).to_be_hidden()
    expect(menu_button).to_be_focused()

    # Keyboard only: Enter opens, Tab walks into the links, Enter follows one.
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(main_nav.get_by_role("link", name="Forums")).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus shows
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/forum/")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_without_javascript_the_menu_links_are_still_reachable(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        main_nav = page.get_by_role("navigation", name="Main")
        for name in ["Forums", "Research news", "Sign in", "Join free"]:
            expect(main_nav.get_by_role("link", name=name)).to_be_attached()
        main_nav.get_by_role("link", name="Join free").scroll_into_view_if_needed()
        expect(main_nav.get_by_role("link", name="Join free")).to_be_in_viewport()
        assert heading_top(page) < FIRST_SCREEN
    finally:
        context.close()


def test_on_a_desktop_the_whole_menu_shows_without_a_button(page, live_server):
    seed_member(live_server.app)
    sign_in(page, "lena@example.org")
    page.goto("/tracking/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    main_nav = page.get_by_role("navigation", name="Main")
    for name in ["Forums", "Research news", "Track", "Trials", "Your account"]:
        expect(main_nav.get_by_role("link", name=name, exact=False).first).to_be_visible()
    expect(main_nav.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    boxes = [main_nav.get_by_role("link", name=n).first.bounding_box() for n in ["Forums", "Your account"]]
    assert boxes[0]["y"] == boxes[1]["y"]  # one tidy row
