"""The forums' "done when" journey in Chromium, with axe on every page visited.

Alice starts a members-only topic; Bob replies quoting her and mentioning her;
Alice sees the notification, reacts, and finds Bob's words by search; a
visitor who is not signed in finds the topic nowhere, and at its address is
offered sign-in, which leads back to it.
"""

import re

from playwright.sync_api import expect

from community.db import db
from community.forum.seed import load_categories
from tests.support.factories import PASSWORD, make_user

TITLE = "Does anyone else get worse in the cold?"


def sign_in(page, email):
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_members_only_topic_reply_quote_mention_notify_react_search(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        load_categories()
        alice = make_user(display_name="Alice Moon", email="alice@example.org")
        bob = make_user(display_name="Bob", email="bob@example.org")
        alice_email, bob_email = alice.email, bob.email
        db.session.close()

    # Alice starts a members-only topic.
    sign_in(page, alice_email)
    page.get_by_role("link", name="Forums").click()
    expect(page.get_by_role("heading", name="Forums", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Symptoms & flares").click()
    check_a11y(page)
    page.get_by_role("link", name="Start a topic").click()
    check_a11y(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Your post").fill("My fingers go white and my joints ache from November on.")
    expect(page.get_by_label("Members only")).to_be_checked()  # the default in a health category
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.get_by_label("Your post")).to_have_value(re.compile("fingers go white"))
    check_a11y(page)
    page.get_by_role("button", name="Post topic").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("Only signed-in members can see this topic.")).to_be_visible()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    check_a11y(page)
    topic_url = page.url
    sign_out(page)

    # Bob replies, quoting Alice and mentioning her.
    sign_in(page, bob_email)
    page.goto("/forum/latest")
    check_a11y(page)
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Quote this post").first.click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value(re.compile(r"^> \*\*Alice Moon\*\* \[wrote\]"))
    check_a11y(page)
    box.fill(box.input_value() + "@Alice Moon raynaud's too? Heated mittens and pacing rescued my winters.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    reply = page.locator("article#p2")
    expect(reply.locator("blockquote")).to_contain_text("fingers go white")
    expect(reply.get_by_role("link", name="@Alice Moon")).to_be_visible()
    check_a11y(page)
    sign_out(page)

    # Alice is told, reacts, and searches.
    sign_in(page, alice_email)
    notifications = page.get_by_role("link", name=re.compile(r"Notifications\s*1 unread"))
    expect(notifications).to_be_visible()
    notifications.click()
    check_a11y(page)
    page.get_by_role("link", name=f"Bob mentioned you in “{TITLE}”").click()
    expect(page.locator("article#p2")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Notifications$"))).to_be_visible()  # count cleared
    helpful = page.locator("article#p2").get_by_role("button", name=re.compile("Helpful"))
    expect(helpful).to_have_attribute("aria-pressed", "false")
    helpful.click()
    helpful = page.locator("article#p2").get_by_role("button", name=re.compile("Helpful"))
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.locator(".reaction-count")).to_have_text("1")
    check_a11y(page)
    page.goto("/forum/search")
    page.get_by_label("Words to look for").fill("mittens")
    page.get_by_role("button", name="Search").click()
    result = page.locator(".result").first
    expect(result.get_by_role("link", name=TITLE)).to_be_visible()
    expect(result.locator("mark")).to_have_text(re.compile("mittens", re.I))
    check_a11y(page)
    sign_out(page)

    # A visitor finds it nowhere: listings, search, feed, direct address.
    for path in ["/forum/latest", "/forum/c/symptoms-and-flares", "/forum/search?q=mittens",
                 "/forum/search?q=cold"]:
        page.goto(path)
        expect(page.get_by_text(TITLE)).to_have_count(0)
        check_a11y(page)
    feed = page.request.get("/forum/latest.atom")
    assert feed.ok and TITLE not in feed.text()
    # At its address it says only that it's for members, and signing in leads back to it.
    response = page.goto(topic_url)
    assert response.status == 403
    expect(page.get_by_text("This topic is for members. Sign in to read it.")).to_be_visible()
    expect(page.get_by_text("fingers go white")).to_have_count(0)
    check_a11y(page)
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(alice_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    assert page.url == topic_url


def test_composer_autosaves_a_draft_with_javascript(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        load_categories()
        email = make_user(email="drafty@example.org").email
    sign_in(page, email)
    page.goto("/forum/c/newly-diagnosed/new")
    page.get_by_label("Title").fill("Words I must not lose")
    page.get_by_label("Your post").fill("A long careful story about my diagnosis")
    expect(page.get_by_text(re.compile(r"Draft saved at"))).to_be_visible(timeout=8000)
    page.goto("/forum/")
    page.goto("/forum/c/newly-diagnosed/new")
    expect(page.get_by_label("Your post")).to_have_value("A long careful story about my diagnosis")
    expect(page.get_by_label("Title")).to_have_value("Words I must not lose")
    check_a11y(page)


def test_topic_page_is_usable_on_a_small_phone(browser, live_server, check_a11y):
    app = live_server.app
    from tests.support.forum import make_category, make_topic

    with app.app_context():
        topic_id = make_topic(make_user(), make_category(), replies=3,
                              body="A fairly long opening post " * 20).id
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"/forum/t/{topic_id}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a 360px phone ({width}px)"
    check_a11y(page)
    context.close()
