"""Moderation in Chromium: reports reach the queue, moderators act with a reason, members appeal,
and every step is in the staff log. axe checks every page on the way."""

from datetime import timedelta

from playwright.sync_api import expect

from community.db import db, utcnow
from community.models.moderation import QueueItem
from community.moderation import reports
from tests.support.factories import PASSWORD, make_user
from tests.support.moderation import make_scene


def sign_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Attached, not visible: on a phone it sits in the folded site menu.
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_be_attached()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()


def report_post(page, check_a11y, topic_id: int, number: int, reason: str, note: str) -> None:
    page.goto(f"/forum/t/{topic_id}")
    check_a11y(page)
    page.locator(f"#p{number}").get_by_role("link", name="Report this post").click()
    expect(page.get_by_role("heading", name="Report a post")).to_be_visible()
    check_a11y(page)
    page.get_by_label("What is wrong?").select_option(label=reason)
    page.get_by_label("Anything a moderator should know").fill(note)
    page.get_by_role("button", name="Send report").click()


def test_misinformation_is_hidden_the_author_silenced_appeals_and_an_admin_decides(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        scene = make_scene()
        reporter = make_user(display_name="Rae").email
        moderator = make_user(role="moderator", display_name="Rowan").email
        admin = make_user(role="admin", display_name="Ada").email

    # A member reports the post as medical misinformation and is thanked.
    sign_in(page, reporter)
    report_post(page, check_a11y, scene.topic_id, 1, "Medical misinformation", "Telling people to stop HCQ")
    expect(page.get_by_text("Thank you for telling us")).to_be_visible()
    check_a11y(page)
    sign_out(page)

    # The moderator finds it in the queue, claims it and hides it with a reason.
    sign_in(page, moderator)
    page.get_by_role("link", name="Review queue").first.click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Post 1 in “Natural cures thread”").click()
    expect(page.get_by_text("Telling people to stop HCQ")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_text("You have claimed this item.").first).to_be_visible()
    page.get_by_label("What to do").select_option("hide")
    page.get_by_label("Reason (kept in the staff log)").fill("Advice to stop prescribed medicine")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("The item is resolved")).to_be_visible()
    expect(page.get_by_text("The queue is empty")).to_be_visible()
    check_a11y(page)

    # ...then silences the author for 3 days from the member page.
    page.goto(f"/moderation/members/{scene.author_id}")
    expect(page.get_by_role("heading", name="Author Anne")).to_be_visible()
    check_a11y(page)
    page.get_by_label("What to do").select_option("silence")
    page.get_by_label("For how many days").fill("3")
    page.get_by_label("Reason (kept in the staff log)").fill("Repeated medical misinformation")
    page.get_by_role("button", name="Do it").click()
    expect(page.get_by_text("Silenced until")).to_be_visible()
    check_a11y(page)
    sign_out(page)

    # The author sees why, can read but not reply, and appeals the silence.
    sign_in(page, scene.author_email)
    page.goto(f"/forum/t/{scene.topic_id}")
    expect(page.get_by_text("you can't post until")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="See why").click()
    expect(page.get_by_role("heading", name="Your moderation history")).to_be_visible()
    expect(page.get_by_text("Repeated medical misinformation")).to_be_visible()
    expect(page.get_by_text("Advice to stop prescribed medicine")).to_be_visible()
    expect(page.get_by_text("Rae")).to_have_count(0)  # never told who reported
    check_a11y(page)
    page.get_by_role("link", name="Appeal this silenced").click()
    check_a11y(page)
    page.get_by_label("Why should an admin look again?").fill("I was repeating what my rheumatologist said.")
    page.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_text("Your appeal is sent")).to_be_visible()
    expect(page.get_by_text("waiting for an admin")).to_be_visible()
    check_a11y(page)
    sign_out(page)

    # An admin reviews the appeal and keeps the decision.
    sign_in(page, admin)
    page.goto("/moderation/appeals")
    check_a11y(page)
    page.get_by_role("link", name="Author Anne").click()
    expect(page.get_by_text("I was repeating what my rheumatologist said.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Decision").select_option("upheld")
    page.get_by_label("Reason (the member sees this)").fill("The post still told people to stop HCQ")
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("The appeal is decided")).to_be_visible()

    # Every step is in the staff log.
    page.get_by_role("link", name="Staff log").click()
    expect(page.get_by_role("heading", name="Staff log")).to_be_visible()
    check_a11y(page)
    log = page.locator("table.log")
    for line in ["Took queue item", "Hid Author Anne's post in “Natural cures thread” — reason: Advice to stop",
                 "Resolved queue item", "Silenced Author Anne for 3 days — reason: Repeated medical misinformation",
                 "Author Anne appealed against a silence — their message: I was repeating",
                 "Kept the silence that Author Anne appealed against"]:
        expect(log.get_by_text(line)).to_be_visible()
    expect(log.get_by_text("member.silence")).to_have_count(0)  # plain words, not codes
    page.get_by_label("Action").select_option(label="Member: silence")
    page.get_by_role("button", name="Filter").click()
    expect(log.get_by_text("Repeated medical misinformation")).to_be_visible()
    expect(log.get_by_text("Hid Author Anne's post")).to_have_count(0)
    check_a11y(page)


def test_member_at_risk_goes_to_the_top_and_is_resolved_with_a_reason(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        scene = make_scene()
        first_reporter = make_user(display_name="Early bird")
        reporter = make_user(display_name="Worried friend").email
        moderator = make_user(role="moderator", display_name="Rowan").email
        reports.report_post(first_reporter, scene.post_id, "spam")
        older = db.session.query(QueueItem).one()
        older.created_at = utcnow() - timedelta(days=1)
        db.session.commit()

    sign_in(page, reporter)
    report_post(page, check_a11y, scene.topic_id, 2, "Member at risk (they may harm themselves)",
                "They sound really low")
    expect(page.get_by_role("heading", name="Thank you for looking out for them")).to_be_visible()
    check_a11y(page)
    sign_out(page)

    sign_in(page, moderator)
    page.goto("/moderation/")
    check_a11y(page)
    items = page.locator(".queue-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Member at risk")
    expect(items.first).to_contain_text("Post 2 in")
    items.first.get_by_role("link").click()
    check_a11y(page)
    page.get_by_role("button", name="Claim").click()
    page.get_by_label("What to do").select_option("dismiss")
    page.get_by_label("Reason (kept in the staff log)").fill("Sent a kind message with the helplines")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".queue-item")).to_have_count(1)
    check_a11y(page)
    page.goto("/moderation/log")
    expect(page.get_by_text("Sent a kind message with the helplines")).to_be_visible()
    check_a11y(page)
