"""Signing in and out, sessions, timeouts and revocation."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.account import services as account_services
from community.db import db, utcnow
from community.models import User
from tests.support.factories import PASSWORD, make_user

WRONG = "and password don&#39;t match an account"


@pytest.fixture
def maya(app):
    with app.app_context():
        return make_user(email="maya@example.org", display_name="Maya").id


def test_wrong_password_and_unknown_address_get_the_same_answer(client, auth, maya):
    wrong_password = auth.login("maya@example.org", "not her password").get_data(as_text=True)
    unknown = auth.login("nobody@example.org", "not her password").get_data(as_text=True)
    assert WRONG in wrong_password and WRONG in unknown
    assert 'value="maya@example.org"' in wrong_password  # typed email kept
    assert "not her password" not in wrong_password


def test_sign_in_starts_a_fresh_session(client, auth, maya):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("maya@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "started_at" in session


def test_sign_in_sends_to_a_local_next_page_only(client, auth, maya):
    response = client.submit("/auth/login?next=/account/profile",
                             {"email": "maya@example.org", "password": PASSWORD, "next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"
    auth.logout()
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.submit("/auth/login", {"email": "maya@example.org", "password": PASSWORD, "next": evil})
        assert response.headers["Location"] == "/", evil
        auth.logout()


def test_sign_out_needs_a_post_with_csrf(client, auth, maya):
    auth.login("maya@example.org")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    assert client.get("/account/").status_code == 200
    auth.logout()
    assert client.get("/account/").status_code == 302


def test_remember_me_sets_a_long_lived_cookie_only_when_asked(client, auth, maya):
    auth.login("maya@example.org")
    assert client.get_cookie("remember_token") is None
    auth.logout()
    auth.login("maya@example.org", remember="y")
    assert client.get_cookie("remember_token") is not None


def test_idle_session_ends_and_says_why(app, client, auth, maya):
    auth.login("maya@example.org")
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 5
    response = client.get("/account/", follow_redirects=True)
    assert "signed out after a period of inactivity" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_an_idle_timeout_also_ends_copies_of_the_remember_cookie(app, client, auth, maya):
    auth.login("maya@example.org", remember="y")
    thief = copy_of(client, app, "remember_token")
    with client.session_transaction() as session:
        session["seen_at"] -= app.config["SESSION_IDLE_TIMEOUT"].total_seconds() + 5
    assert client.get("/account/").status_code == 302
    assert thief.get("/account/").status_code == 302


def test_long_session_ends_even_when_active(app, client, auth, maya):
    auth.login("maya@example.org")
    with client.session_transaction() as session:
        session["started_at"] -= app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() + 5
    response = client.get("/account/", follow_redirects=True)
    assert "signed out after a long session" in response.get_data(as_text=True)


def test_sign_out_everywhere_ends_other_devices_and_remember_cookies(app, auth, maya):
    phone, laptop = app.test_client(), app.test_client()
    from tests.conftest import AuthActions
    AuthActions(app, phone).login("maya@example.org", remember="y")
    AuthActions(app, laptop).login("maya@example.org")
    laptop.submit("/account/sign-out-everywhere", page="/account/")
    assert laptop.get("/account/").status_code == 302
    assert phone.get("/account/").status_code == 302  # remember cookie no longer valid either


def test_password_change_keeps_this_device_and_ends_the_others(app, maya):
    from tests.conftest import AuthActions
    phone, laptop = app.test_client(), app.test_client()
    AuthActions(app, phone).login("maya@example.org")
    AuthActions(app, laptop).login("maya@example.org")
    response = laptop.submit("/account/password", {"current_password": PASSWORD,
                                                   "new_password": "lilac river morning"})
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302
    assert AuthActions(app, app.test_client()).login("maya@example.org", "lilac river morning").status_code == 302


def test_suspension_ends_sessions_at_once_and_blocks_sign_in(app, client, auth, maya):
    auth.login("maya@example.org")
    with app.app_context():
        admin = make_user(role="admin")
        from community.admin.services import suspend
        suspend(admin, maya, 7, "spam wave")
    assert client.get("/account/").status_code == 302
    assert WRONG in auth.login("maya@example.org").get_data(as_text=True)


def test_expired_suspension_lets_the_member_back_in(app, auth, maya):
    with app.app_context():
        user = db.session.get(User, maya)
        user.suspended_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert auth.login("maya@example.org").status_code == 302


def test_outdated_password_hashes_are_upgraded_at_sign_in(app, auth, maya):
    from argon2 import PasswordHasher
    with app.app_context():
        user = db.session.get(User, maya)
        user.password_hash = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
        db.session.commit()
    auth.login("maya@example.org")
    with app.app_context():
        new_hash = db.session.scalar(select(User.password_hash).where(User.id == maya))
        assert "m=1024" in new_hash


def test_sign_out_everywhere_service_rotates_the_session_token(app, maya):
    with app.app_context():
        user = db.session.get(User, maya)
        before = user.session_token
        account_services.sign_out_everywhere(user)
        assert db.session.get(User, maya).session_token != before


def copy_of(client, app, *names):
    """A second browser holding copies of ``client``'s cookies (a stolen or replayed cookie)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def test_a_copied_session_cookie_stops_working_once_its_owner_signs_out(app, client, auth, maya):
    auth.login("maya@example.org")
    thief = copy_of(client, app, "session")
    assert thief.get("/account/").status_code == 200
    auth.logout()
    assert client.get("/account/").status_code == 302
    assert thief.get("/account/").status_code == 302


def test_a_copied_remember_cookie_stops_working_once_its_owner_signs_out(app, client, auth, maya):
    auth.login("maya@example.org", remember="y")
    thief = copy_of(client, app, "remember_token")
    assert thief.get("/account/").status_code == 200  # restores a session from the cookie alone
    auth.logout()
    assert copy_of(client, app, "session").get("/account/").status_code == 302
    assert thief.get("/account/").status_code == 302
    assert copy_of(thief, app, "session").get("/account/").status_code == 302


def test_signing_out_on_one_device_keeps_the_members_other_devices(app, maya):
    from tests.conftest import AuthActions
    phone, laptop = app.test_client(), app.test_client()
    AuthActions(app, phone).login("maya@example.org", remember="y")
    AuthActions(app, laptop).login("maya@example.org")
    AuthActions(app, laptop).logout()
    assert laptop.get("/account/").status_code == 302
    assert phone.get("/account/").status_code == 200
    assert copy_of(phone, app, "remember_token").get("/account/").status_code == 200


def test_signing_out_everywhere_also_ends_copies_of_this_devices_cookies(app, client, auth, maya):
    auth.login("maya@example.org", remember="y")
    thief = copy_of(client, app, "session", "remember_token")
    client.submit("/account/sign-out-everywhere", page="/account/")
    assert thief.get("/account/").status_code == 302


def test_a_sign_in_is_recorded_by_hash_only_ended_at_sign_out_and_pruned_at_the_next(app, client, auth, maya):
    from community.models import SignIn
    auth.login("maya@example.org")
    cookie_id = _session_user_id(client)
    with app.app_context():
        record = db.session.scalars(select(SignIn).where(SignIn.user_id == maya)).one()
        assert record.ended_at is None
        assert cookie_id.split(".")[1] not in record.token_hash  # the token itself is never stored
    auth.logout()
    with app.app_context():
        assert db.session.get(SignIn, record.id).ended_at is not None
    auth.login("maya@example.org")
    with app.app_context():
        live = db.session.scalars(select(SignIn).where(SignIn.user_id == maya)).all()
        assert [r.ended_at for r in live] == [None] and live[0].token_hash != record.token_hash


def test_a_sign_in_expires_on_the_server_after_its_longest_cookie_life(app, client, auth, maya):
    from community.models import SignIn
    auth.login("maya@example.org", remember="y")
    with app.app_context():
        record = db.session.scalars(select(SignIn).where(SignIn.user_id == maya)).one()
        record.created_at = utcnow() - app.config["REMEMBER_COOKIE_DURATION"] - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/account/").status_code == 302
    assert copy_of(client, app, "remember_token").get("/account/").status_code == 302


def test_a_session_from_before_sign_ins_were_recorded_is_signed_out(app, client, maya):
    with app.app_context():
        session_token = db.session.get(User, maya).session_token
    with client.session_transaction() as session:
        session["_user_id"] = session_token
    assert client.get("/account/").status_code == 302


def _session_user_id(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]
