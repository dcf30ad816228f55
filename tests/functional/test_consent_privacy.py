"""Trial-consent records are the member's own: never in the staff log, shown to the member,
and to admins only as counts, or one member's record when that member asks (logged)."""

import pytest
from sqlalchemy import select

from community import audit
from community.db import db
from community.models import AuditEvent, User
from community.trials import suggestions
from tests.support.factories import make_user
from tests.support.moderation import client_for, member, text
from tests.support.trials import load_shipped, seed_tracking_catalogues


@pytest.fixture
def seeker(app):
    """A member who turned trial matching on and off, and an admin's trial curation events."""
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        person = make_user(display_name="Trial Seeker")
        suggestions.give_consent(person, categories=["profile", "labs"], email_updates=True)
        suggestions.withdraw_consent(person)
        suggestions.give_consent(person, categories=["profile"], email_updates=False)
        admin = make_user(role="admin", display_name="Curator")
        audit.record(admin, "trials.criterion_added", reason="curation")
        audit.record(admin, "privacy.consent_record_shown", target=person, reason="their request")
        db.session.commit()
        return person.id


def test_consent_decisions_are_not_written_to_the_staff_log(app, seeker):
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert not [a for a in actions if a.startswith("trials.consent")]


@pytest.mark.parametrize("page", ["/moderation/log", "/moderation/log?action=trials.consent_given",
                                  "/moderation/log?action=trials.criterion_added",
                                  "/moderation/log?action=privacy.consent_record_shown",
                                  "/moderation/log?member=Trial+Seeker"])
def test_moderators_see_no_trials_or_consent_event_in_the_log(app, seeker, page):
    with app.app_context():
        _id, email = member("moderator")
    body = text(client_for(app, email).get(page))
    assert "trials." not in body and "privacy." not in body
    assert body.count("Trial Seeker") == (1 if "member=" in page else 0)  # only the search box's echo
    assert "criterion" not in body.lower() and "consent" not in body.lower()


def test_admins_still_see_curation_and_disclosures_in_the_log(app, seeker):
    with app.app_context():
        _id, email = member("admin")
    body = text(client_for(app, email).get("/moderation/log"))
    assert "trials.criterion_added" in body or "criterion" in body.lower()


def test_the_member_sees_their_own_consent_record(app, seeker):
    with app.app_context():
        email = db.session.get(User, seeker).email
    member = client_for(app, email)
    assert "/trials/consent#consent-record" in text(member.get("/account/"))
    body = text(member.get("/trials/consent"))
    assert "Your consent record" in body
    assert body.count("turned on") == 2 and body.count("turned off") == 1


def test_admins_see_counts_not_names(app, seeker):
    with app.app_context():
        make_user(display_name="Never Asked")
        _id, email = member("admin")
    body = text(client_for(app, email).get("/admin/"))
    assert "Trial matching: 1 member has it on" in " ".join(body.split())
    assert "Trial Seeker" not in body.split("Trial matching")[1].split("</p>")[0]
    assert "turned on 2 and off 1 times" in " ".join(body.split())


def test_one_members_record_is_shown_to_an_admin_only_with_a_reason_and_logged(app, seeker):
    with app.app_context():
        admin_id, email = member("admin")
    admin = client_for(app, email)
    page = f"/admin/members/{seeker}"
    assert "turned on" not in text(admin.get(page))  # nothing shown until asked, with a reason
    refused = admin.submit(f"{page}/consent-record", {"reason": ""}, page=page)
    assert refused.status_code == 400 and "Please give a reason" in text(refused)
    shown = admin.submit(f"{page}/consent-record", {"reason": "Subject access request #12"}, page=page)
    assert shown.status_code == 200
    body = text(shown)
    assert body.count("turned on") == 2 and "using profile, labs" in body
    with app.app_context():
        logged = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == admin_id)).all()
        assert [(e.action, e.target_user_id, e.reason) for e in logged] == [
            ("privacy.consent_record_shown", seeker, "Subject access request #12")]
        assert logged[0].before is None and logged[0].after is None  # who, whose, why — never what


def test_a_moderator_cannot_open_a_consent_record(app, seeker):
    with app.app_context():
        _id, email = member("moderator")
    moderator = client_for(app, email)
    response = moderator.submit(f"/admin/members/{seeker}/consent-record", {"reason": "curious"},
                                page="/moderation/")
    assert response.status_code == 404
