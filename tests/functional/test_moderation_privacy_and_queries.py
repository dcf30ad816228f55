"""Moderators never see a member's email address or health data; moderation pages cost a bounded
number of SQL statements whatever the amount of content."""

from __future__ import annotations

from datetime import date

import pytest

from community.db import db
from community.models import User
from community.models.moderation import QueueItem
from community.moderation import members, reports
from tests.support.factories import make_user
from tests.support.forum import first_post, make_category, make_old_member, make_topic
from tests.support.moderation import client_for, member, text
from tests.support.observe import counting_statements
from tests.support.tracking import checkin, seed_catalogues

SECRET_NOTE = "Prednisone 40mg tapering, kidney biopsy next week"
EMAIL = "private.person@example.org"


@pytest.fixture
def watched_member(app):
    """A member with an email, a private health log, a reported post and a warning."""
    with app.app_context():
        seed_catalogues()
        person = make_old_member(email=EMAIL, display_name="Private Person",
                                 living_with_lupus_since=2014, show_lupus_since=False)
        checkin(person, day=date(2026, 3, 17), today=date(2026, 3, 17), notes=SECRET_NOTE, wellbeing=2)
        topic = make_topic(person, make_category(members_only_default=False), title="Feeling rough today",
                           body="Anyone else tired all the time?")
        reports.report_post(make_user(), first_post(topic).id, "off_topic", "test")
        moderator = make_user(role="moderator")
        members.sanction_member(moderator, person.id, "warn", "Be gentle")
        return person.id, topic.id, first_post(topic).id


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_a_moderator_can_never_see_a_members_email_or_health_data(app, watched_member, role):
    person_id, topic_id, post_id = watched_member
    with app.app_context():
        _id, staff_email = member(role)
        item_id = db.session.query(QueueItem.id).scalar()
    staff = client_for(app, staff_email)
    pages = ["/moderation/", f"/moderation/items/{item_id}", "/moderation/members",
             "/moderation/members?q=private", f"/moderation/members/{person_id}", "/moderation/log",
             f"/moderation/posts/{post_id}", f"/moderation/topics/{topic_id}",
             "/moderation/log?member=Private+Person"]
    for page in pages:
        response = staff.get(page)
        assert response.status_code == 200, page
        body = text(response)
        if "members" in page or "log" in page or "items" in page:
            assert "Private Person" in body, page  # the page is about them...
        assert EMAIL not in body and "private.person" not in body, page
        assert SECRET_NOTE not in body and "Prednisone" not in body, page
        assert "2014" not in body, page  # living with lupus since: hidden by the member's choice
    # Searching by email finds nobody: the lookup only knows display names.
    assert "Private Person" not in text(staff.get(f"/moderation/members?q={EMAIL}"))
    # And the health log itself stays owner-only.
    assert staff.get("/tracking/").status_code == 200  # their own, empty
    with app.app_context():
        assert db.session.get(User, person_id).email == EMAIL


def test_the_member_card_has_no_email_field():
    assert "email" not in members.MemberCard.__dataclass_fields__


# -- query counts -----------------------------------------------------------------------------------------



def build(app, n: int) -> int:
    """n reported posts by n members, each reported by two members and warned once."""
    with app.app_context():
        category = make_category(members_only_default=False)
        moderator = make_user(role="moderator")
        reporters = [make_user() for _ in range(2)]
        last = None
        for i in range(n):
            author = make_old_member()
            topic = make_topic(author, category, title=f"Topic to review {i}", replies=1)
            for j, reporter in enumerate(reporters):
                reports.report_post(reporter, first_post(topic).id, ["spam", "member_at_risk"][j])
            members.sanction_member(moderator, author.id, "warn", f"Warning {i}")
            last = author.id
        return last


@pytest.mark.parametrize("page", ["/moderation/", "/moderation/?show=resolved", "/moderation/log",
                                  "/moderation/members", "/moderation/members/{member}",
                                  "/moderation/log?action=member.warn"])
def test_moderation_pages_use_a_bounded_number_of_queries(app, page):
    app.config["MODERATION_AUTO_HIDE_REPORTS"] = 0
    with app.app_context():
        _id, mod_email = member("moderator")
    moderator = client_for(app, mod_email)
    counts = []
    for n in (2, 12):
        someone = build(app, n)
        with counting_statements(app) as statements:
            response = moderator.get(page.format(member=someone))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements with a little content, {counts[1]} with more"
    assert counts[1] <= 12, f"{page}: {counts[1]} statements"
