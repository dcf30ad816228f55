"""Bookmarks in Chromium: a member saves a post with a note and a reminder day, finds it on
their bookmarks page, and on that day the reminder email's link brings them back to the post."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from community.db import utcnow
from community.forum.bookmarks import send_reminders
from tests.browser.test_moderation_journey import sign_in
from tests.support.forum import make_category, make_old_member, make_topic
from tests.support.observe import last_email, link_in


def test_a_bookmark_reminder_email_goes_out_on_its_date(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        author = make_old_member(display_name="Tess")
        reader = make_old_member(display_name="Ida").email
        topic = make_topic(author, make_category(), title="Questions for the rheumatologist",
                           body="Ask about hydroxychloroquine eye checks", members_only=True)
        topic_id = topic.id
    day = (utcnow() + timedelta(days=7)).date()

    sign_in(page, reader)
    page.goto(f"/forum/t/{topic_id}")
    page.get_by_role("link", name="Bookmark this post").click()
    check_a11y(page)
    page.get_by_label("Note for yourself").fill("Bring this to my March appointment")
    page.get_by_label("Email me a reminder on").fill(day.isoformat())
    page.get_by_role("button", name="Save bookmark").click()
    expect(page.get_by_text("The post is in your bookmarks. We'll email you a reminder on that day.")).to_be_visible()

    page.goto("/forum/bookmarks")
    expect(page.get_by_text("Bring this to my March appointment")).to_be_visible()
    check_a11y(page)

    with app.app_context():
        assert send_reminders() == 0  # not before the day
        assert send_reminders(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)) == 1
    email = last_email(app, reader)
    assert "Bring this to my March appointment" in email.body
    page.goto(link_in(email, "/forum/posts/"))
    expect(page.get_by_text("Ask about hydroxychloroquine eye checks")).to_be_visible()
