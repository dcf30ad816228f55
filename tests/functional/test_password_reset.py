"""Forgotten passwords: emailed single-use, expiring links that reveal nothing."""

import time

from community.db import db
from community.models import User
from tests.conftest import AuthActions
from tests.support.factories import make_user
from tests.support.observe import emails_to, last_email, link_in

NEW = "quiet garden lantern"


def ask_for_reset(client, email):
    return client.submit("/auth/forgot-password", {"email": email})


def test_reset_link_sets_a_new_password_once_and_signs_out_everywhere(app, client):
    with app.app_context():
        make_user(email="maya@example.org")
    other_device = app.test_client()
    AuthActions(app, other_device).login("maya@example.org")
    page = ask_for_reset(client, "maya@example.org").get_data(as_text=True)
    assert "If that address has an account" in page
    link = link_in(last_email(app, "maya@example.org"), "/auth/reset/")
    response = client.submit(link, {"password": NEW})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert other_device.get("/account/").status_code == 302
    assert AuthActions(app, client).login("maya@example.org", NEW).status_code == 302
    assert "password was just changed" in last_email(app, "maya@example.org").body
    # The same link again: refused, and the password stays as it is.
    again = app.test_client().get(link, follow_redirects=True)
    assert "expired or was already used" in again.get_data(as_text=True)


def test_unknown_address_gets_the_same_page_and_no_email(app, client):
    page = ask_for_reset(client, "nobody@example.org").get_data(as_text=True)
    assert "If that address has an account" in page
    assert emails_to(app, "nobody@example.org") == []


def test_reset_links_expire(app, client):
    with app.app_context():
        make_user(email="maya@example.org")
    ask_for_reset(client, "maya@example.org")
    link = link_in(last_email(app, "maya@example.org"), "/auth/reset/")
    app.config["RESET_TOKEN_MAX_AGE"] = app.config["RESET_TOKEN_MAX_AGE"].__class__(seconds=0)
    time.sleep(1.1)
    response = client.get(link, follow_redirects=True)
    assert "expired or was already used" in response.get_data(as_text=True)


def test_a_verification_link_cannot_be_used_to_reset_a_password(app, client):
    client.submit("/auth/register", {"email": "ines@example.org", "display_name": "Ines",
                                     "password": "violet tea at dawn", "time_zone": "UTC", "agree": "y"})
    token = link_in(last_email(app, "ines@example.org"), "/auth/verify/").rsplit("/", 1)[1]
    response = client.get(f"/auth/reset/{token}", follow_redirects=True)
    assert "expired or was already used" in response.get_data(as_text=True)


def test_weak_new_password_is_refused_and_the_link_still_works(app, client):
    with app.app_context():
        make_user(email="maya@example.org")
    ask_for_reset(client, "maya@example.org")
    link = link_in(last_email(app, "maya@example.org"), "/auth/reset/")
    page = client.submit(link, {"password": "qwerty123"}).get_data(as_text=True)
    assert "too common" in page
    assert client.submit(link, {"password": NEW}).status_code == 302


def test_resetting_also_confirms_an_unverified_address(app, client):
    with app.app_context():
        user_id = make_user(email="new@example.org", verified=False).id
    ask_for_reset(client, "new@example.org")
    client.submit(link_in(last_email(app, "new@example.org"), "/auth/reset/"), {"password": NEW})
    with app.app_context():
        assert db.session.get(User, user_id).is_verified
