"""Every other moderation page passes axe (the journeys cover the rest), on a phone-sized screen too."""

import pytest
from playwright.sync_api import expect

from community.moderation import reports, safety
from tests.browser.test_moderation_journey import sign_in
from tests.support.factories import make_user
from tests.support.moderation import make_scene


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_admin_and_tool_pages_have_no_serious_accessibility_problems(request, live_server, check_a11y, viewport):
    page = request.getfixturevalue(viewport)
    app = live_server.app
    with app.app_context():
        scene = make_scene()
        admin = make_user(role="admin", display_name="Ada")
        reports.report_member(make_user(), scene.author_id, "harassment", "Rude")
        safety.add_word(admin, "miracle cure", "block", "No miracle cures, please.")
        safety.add_resource(admin, "FR", "SOS Amitié", "09 72 39 40 50", "https://www.sos-amitie.com")
        admin_email = admin.email
    sign_in(page, admin_email)
    for path, heading in [
        ("/moderation/words", "Watched words"),
        ("/moderation/crisis-resources", "Crisis helplines"),
        (f"/moderation/topics/{scene.topic_id}", "Topic tools"),
        (f"/moderation/posts/{scene.post_id}", "Post 1 in"),
        ("/moderation/members?q=anne", "Look up a member"),
        ("/moderation/?show=resolved", "Recently resolved"),
        ("/moderation/support", "Support when things are hard"),
        (f"/moderation/report/member/{scene.author_id}", "Report Author Anne"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        check_a11y(page)
    page.goto("/moderation/")
    page.get_by_role("link", name="Member Author Anne").click()
    expect(page.get_by_text("Rude")).to_be_visible()
    check_a11y(page)
    # A form re-shown with errors stays accessible.
    page.goto("/moderation/words")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Please enter a word.")).to_be_visible()
    check_a11y(page)
