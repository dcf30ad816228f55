"""Private messages in Chromium: two members converse, a third can't read it by its address,
a report shows the moderator only that part, and a block stops new messages. axe checks the pages."""

from datetime import timedelta

from playwright.sync_api import expect

from community.db import utcnow
from tests.browser.test_moderation_journey import sign_in, sign_out
from tests.support.factories import make_user
from tests.support.forum import make_old_member


def test_two_members_converse_a_third_cannot_read_a_report_shows_staff_only_that_part(
        page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        anne = make_old_member(display_name="Anne")
        ben = make_old_member(display_name="Ben")
        cara = make_old_member(display_name="Cara").email
        moderator = make_user(role="moderator", display_name="Rowan", created_at=utcnow() - timedelta(days=90)).email
        anne_email, ben_email, ben_id = anne.email, ben.email, ben.id

    # Anne writes to Ben from his profile.
    sign_in(page, anne_email)
    page.goto(f"/members/{ben_id}")
    page.get_by_role("link", name="Send a private message").click()
    expect(page.get_by_label("To")).to_have_value("Ben")
    check_a11y(page)
    page.get_by_label("Subject").fill("Hair loss")
    page.get_by_label("Your message").fill("Did your hair grow back after stopping methotrexate?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    conversation_url = page.url
    sign_out(page)

    # Ben sees the count in the header, reads and replies; then Anne writes something he reports.
    sign_in(page, ben_email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages 1 unread").click()
    check_a11y(page)
    page.get_by_role("link", name="Hair loss").click()
    expect(page.get_by_text("Did your hair grow back")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Your reply").fill("It did, slowly. Give it six months.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("It did, slowly.")).to_be_visible()
    sign_out(page)
    sign_in(page, anne_email)
    page.goto(conversation_url)
    page.get_by_label("Your reply").fill("Buy my herbal cure instead, only 99 pounds")
    page.get_by_role("button", name="Send reply").click()
    sign_out(page)
    sign_in(page, ben_email)
    page.goto(conversation_url)
    page.locator(".message").filter(has_text="herbal cure").get_by_role("link", name="Report this message").click()
    check_a11y(page)
    page.get_by_label("What is wrong?").select_option(label="Spam or advertising")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thank you for telling us")).to_be_visible()
    sign_out(page)

    # Cara, another member, gets "not found" at the conversation's address.
    sign_in(page, cara)
    response = page.goto(conversation_url)
    assert response.status == 404
    expect(page.get_by_text("Did your hair grow back")).to_have_count(0)
    sign_out(page)

    # The moderator sees the reported message in the queue, but not the conversation itself.
    sign_in(page, moderator)
    page.goto("/moderation/")
    page.get_by_role("link", name="Anne").first.click()
    expect(page.get_by_role("heading", name="The reported message")).to_be_visible()
    expect(page.locator(".snapshot")).to_contain_text("Buy my herbal cure")
    check_a11y(page)
    assert page.goto(conversation_url).status == 404


def test_a_block_stops_new_messages(page, live_server, check_a11y):
    app = live_server.app
    with app.app_context():
        anne = make_old_member(display_name="Anne")
        ben = make_old_member(display_name="Ben")
        anne_email, anne_id, ben_email = anne.email, anne.id, ben.email

    sign_in(page, ben_email)
    page.goto(f"/members/{anne_id}")
    page.get_by_role("button", name="Block Anne").click()
    expect(page.get_by_text("You have blocked Anne")).to_be_visible()
    check_a11y(page)
    sign_out(page)

    sign_in(page, anne_email)
    page.goto("/messages/new")
    page.get_by_label("To").fill("Ben")
    page.get_by_label("Subject").fill("Hello")
    page.get_by_label("Your message").fill("Why won't you answer?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Ben can't receive your messages")).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value("Why won't you answer?")
    check_a11y(page)


def test_on_a_phone_the_unread_count_stays_in_sight_with_the_menu_folded(phone_page, live_server, check_a11y):
    page = phone_page
    app = live_server.app
    with app.app_context():
        from community.messages.services import start_conversation

        anne = make_old_member(display_name="Anne")
        ben = make_old_member(display_name="Ben")
        start_conversation(anne, to="Ben", subject="Hello from Anne", body="How are you?")
        ben_email = ben.email
    sign_in(page, ben_email)
    count = page.locator(".header-counts").get_by_role("link", name="Messages: 1 unread")
    expect(count).to_be_visible()
    count.click()
    expect(page.get_by_role("link", name="Hello from Anne")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Hello from Anne").click()
    expect(page.get_by_label("Your reply")).to_be_visible()
    check_a11y(page)
