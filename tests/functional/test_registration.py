"""Joining: registration, email verification, and not leaking who is a member."""

from sqlalchemy import func, select

from community.db import db
from community.models import User
from tests.support.factories import PASSWORD, make_user
from tests.support.observe import emails_to, last_email, link_in

GOOD = {"email": "Maya@Example.org", "display_name": "Maya", "password": "violet tea at dawn",
        "time_zone": "Europe/London", "agree": "y"}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_new_member_registers_and_is_sent_a_confirmation_link(app, client):
    response = client.submit("/auth/register", GOOD)
    assert response.status_code == 302
    assert "/auth/check-email" in response.headers["Location"]
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "maya@example.org"  # addresses are stored lower-cased
        assert user.time_zone == "Europe/London"
        assert not user.is_verified
        assert user.password_hash.startswith("$argon2id$")
    message = last_email(app, "maya@example.org")
    assert message.subject == "Confirm your email for Lupus Commons"
    assert "/auth/verify/" in message.body


def test_following_the_link_verifies_once_and_then_signing_in_works(app, client, auth):
    client.submit("/auth/register", GOOD)
    link = link_in(last_email(app, "maya@example.org"), "/auth/verify/")
    response = client.get(link)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(User)).is_verified
    assert auth.login("maya@example.org", GOOD["password"]).status_code == 302
    assert "How are you today, Maya?" in client.get("/").get_data(as_text=True)


def test_tampered_or_foreign_verification_links_are_refused(app, client):
    client.submit("/auth/register", GOOD)
    link = link_in(last_email(app, "maya@example.org"), "/auth/verify/")
    response = client.get(link[:-3] + "xyz", follow_redirects=True)
    assert "expired or was already used" in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(select(User)).is_verified


def test_unverified_member_with_right_password_is_sent_a_new_link_not_signed_in(app, client, auth):
    client.submit("/auth/register", GOOD)
    response = auth.login("maya@example.org", GOOD["password"])
    assert "/auth/check-email" in response.headers["Location"]
    assert len(emails_to(app, "maya@example.org")) == 2
    assert client.get("/account/").status_code == 302  # still signed out


def test_registering_a_known_address_looks_the_same_and_tells_the_owner(app, client):
    with app.app_context():
        make_user(email="sam@example.org", display_name="Sam")
    response = client.submit("/auth/register", {**GOOD, "email": "SAM@example.org"})
    assert response.status_code == 302
    assert "/auth/check-email" in response.headers["Location"]
    assert count_users(app) == 1
    assert "already have an account" in last_email(app, "sam@example.org").body


def test_taken_display_name_is_explained_beside_the_field_and_typed_values_kept(app, client):
    with app.app_context():
        make_user(display_name="Maya")
    response = client.submit("/auth/register", {**GOOD, "display_name": "maya"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That display name is taken" in page
    assert 'value="Maya@Example.org"' in page  # what was typed stays
    assert GOOD["password"] not in page  # never the password
    assert count_users(app) == 1


def test_common_passwords_are_refused_with_a_helpful_message(app, client):
    response = client.submit("/auth/register", {**GOOD, "password": "password123"})
    assert "too common" in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_every_registration_field_answers_bad_input_with_a_message(app, client):
    bad = {"email": "not-an-email", "display_name": "<", "password": "short",
           "time_zone": "Mars/Olympus", "agree": ""}
    page = client.submit("/auth/register", bad).get_data(as_text=True)
    assert "Please enter an email address like name@example.com." in page
    assert "Use between 2 and 40 characters." in page
    assert "Not a valid choice" in page
    assert "Please agree to the terms" in page
    assert count_users(app) == 0
    page = client.submit("/auth/register", {**GOOD, "password": "x" * 129}).get_data(as_text=True)
    assert "Use at most 128 characters." in page


def test_resend_verification_answers_the_same_for_unknown_addresses(app, client):
    known = client.submit("/auth/resend-verification", {"email": "nobody@example.org"},
                          page="/auth/check-email", follow_redirects=True)
    assert "If that address has an account waiting for confirmation" in known.get_data(as_text=True)
    assert emails_to(app, "nobody@example.org") == []


def test_signed_in_members_are_sent_home_from_the_registration_page(auth, client):
    auth.sign_in_as()
    response = client.get("/auth/register")
    assert response.status_code == 302


def test_new_members_passwords_are_stored_as_argon2id(app):
    with app.app_context():
        user = make_user(password=PASSWORD)
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_joining_from_a_page_returns_there_after_confirming_and_signing_in(app, client):
    client.submit("/auth/register?next=/members/1", GOOD)
    link = link_in(last_email(app, "maya@example.org"), "/auth/verify/")
    assert "next=%2Fmembers%2F1" in link or "next=/members/1" in link
    response = client.get(link)
    assert "next=" in response.headers["Location"]
    login_page = response.headers["Location"]
    response = client.submit(login_page, {"email": "maya@example.org", "password": GOOD["password"],
                                          "next": "/members/1"})
    assert response.headers["Location"] == "/members/1"


def test_joining_with_an_outside_next_address_drops_it(app, client):
    client.submit("/auth/register?next=https://evil.example/", GOOD)
    assert "evil" not in link_in(last_email(app, "maya@example.org"), "/auth/verify/")
