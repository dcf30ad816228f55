"""A member's own account: profile, privacy, email change, export and deletion."""

import json

from sqlalchemy import func, select

from community.db import db
from community.models import AuditEvent, OutboxMessage, User
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_user
from tests.helpers import last_email, link_in


def test_member_edits_their_profile_and_it_shows_publicly(app, client, auth):
    user_id = auth.sign_in_as(display_name="Maya")
    response = client.submit("/account/profile", {
        "display_name": "Maya R", "pronouns": "she/her", "bio": "Gardener.\nTea drinker.",
        "living_with_lupus_since": "2016", "time_zone": "America/Chicago"})
    assert response.status_code == 302
    page = client.get(f"/members/{user_id}").get_data(as_text=True)
    assert "Maya R" in page and "she/her" in page and "Living with lupus since 2016" in page


def test_profile_rejects_bad_input_beside_the_field_and_keeps_what_was_saved(app, client, auth):
    user_id = auth.sign_in_as(display_name="Maya")
    with app.app_context():
        make_user(display_name="Sam")
    page = client.submit("/account/profile", {
        "display_name": "Sam", "bio": "x" * 501, "living_with_lupus_since": "3020",
        "time_zone": "UTC"}).get_data(as_text=True)
    assert "Please keep it under 500 characters." in page
    assert "not in the future" in page
    page = client.submit("/account/profile", {"display_name": "sam", "time_zone": "UTC"}).get_data(as_text=True)
    assert "That display name is taken" in page
    page = client.submit("/account/profile", {"display_name": "Maya", "living_with_lupus_since": "soon",
                                              "time_zone": "UTC"}).get_data(as_text=True)
    assert "Please enter a year" in page or "Not a valid integer value." in page
    with app.app_context():
        assert db.session.get(User, user_id).display_name == "Maya"


def test_privacy_setting_hides_the_lupus_year_from_the_public_page(app, client, auth):
    user_id = auth.sign_in_as(living_with_lupus_since=2011)
    assert "Living with lupus since 2011" in client.get(f"/members/{user_id}").get_data(as_text=True)
    client.submit("/account/privacy", {})  # box unticked
    assert "Living with lupus since" not in app.test_client().get(f"/members/{user_id}").get_data(as_text=True)


def test_public_profile_never_shows_the_email_address(app, client, auth):
    user_id = auth.sign_in_as(email="private@example.org")
    assert "private@example.org" not in app.test_client().get(f"/members/{user_id}").get_data(as_text=True)
    assert app.test_client().get("/members/999999").status_code == 404


def test_email_change_waits_for_the_new_address_to_confirm(app, client, auth):
    user_id = auth.sign_in_as(email="old@example.org")
    response = client.submit("/account/email", {"email": "New@Example.org", "current_password": PASSWORD})
    assert response.status_code == 302
    assert "asked to change its email address" in last_email(app, "old@example.org").body
    with app.app_context():
        assert db.session.get(User, user_id).email == "old@example.org"
    client.get(link_in(last_email(app, "new@example.org"), "/account/confirm-email/"))
    with app.app_context():
        assert db.session.get(User, user_id).email == "new@example.org"


def test_email_change_needs_the_password_and_does_not_reveal_taken_addresses(app, client, auth):
    auth.sign_in_as(email="old@example.org")
    page = client.submit("/account/email", {"email": "new@example.org", "current_password": "nope"})
    assert "That password isn" in page.get_data(as_text=True)
    with app.app_context():
        make_user(email="taken@example.org")
    response = client.submit("/account/email", {"email": "taken@example.org", "current_password": PASSWORD})
    assert response.status_code == 302  # same answer as for a free address
    with app.app_context():
        sent_to_taken = db.session.scalar(select(func.count(OutboxMessage.id))
                                          .where(OutboxMessage.recipient == "taken@example.org"))
    assert sent_to_taken == 0


def test_export_is_a_json_download_of_the_members_data_without_secrets(app, client, auth):
    auth.sign_in_as(display_name="Maya", bio="Hello")
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    account = document["sections"]["account"][0]
    assert account["display_name"] == "Maya" and account["bio"] == "Hello"
    assert "password_hash" not in account and "session_token" not in account


def test_deleting_the_account_needs_the_password_and_the_tick(app, client, auth):
    user_id = auth.sign_in_as()
    page = client.submit("/account/delete", {"current_password": "wrong", "confirm": "y"}).get_data(as_text=True)
    assert "That password isn" in page
    page = client.submit("/account/delete", {"current_password": PASSWORD}).get_data(as_text=True)
    assert "Please tick the box" in page
    with app.app_context():
        assert db.session.get(User, user_id) is not None


def test_deleting_the_account_erases_it_and_signs_out(app, client, auth):
    user_id = auth.sign_in_as(email="gone@example.org")
    response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id) is None
        assert db.session.scalar(select(func.count(OutboxMessage.id))
                                 .where(OutboxMessage.recipient == "gone@example.org")) == 0
    assert client.get("/account/").status_code == 302
    assert AuthActions(app, client).login("gone@example.org").status_code == 200


def test_staff_log_rows_about_a_deleted_member_are_kept(app, client, auth):
    user_id = auth.sign_in_as()
    with app.app_context():
        admin = make_user(role="admin")
        from community.admin.services import set_role
        set_role(admin, user_id, "moderator", "trusted helper")
    client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 1
