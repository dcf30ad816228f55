"""After too many wrong passwords the account's sign-in pauses; the page says for how long,
keeps the address, and offers a way in that proves the address: a single-use emailed link."""

import re
from datetime import timedelta

import pytest

from community.db import db, utcnow
from community.models import User
from tests.support.factories import PASSWORD, make_user
from tests.support.observe import emails_to, last_email, link_in

MAYA = "maya@example.org"


@pytest.fixture
def maya(app):
    with app.app_context():
        return make_user(email=MAYA, display_name="Maya").id


def make_user_in(app, email):
    with app.app_context():
        make_user(email=email)


def lock_out(client, email=MAYA):
    """Someone guesses wrong five times: the per-account limit is used up."""
    for _ in range(5):
        assert client.submit("/auth/login", {"email": email, "password": "a wrong guess"}).status_code == 200


def test_the_limit_page_keeps_the_address_says_when_and_offers_other_ways_in(client, maya):
    lock_out(client)
    response = client.submit("/auth/login", {"email": MAYA, "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert f'value="{MAYA}"' in page
    assert re.search(r"try your password again in about (10|9) minutes", page)
    assert "/auth/forgot-password" in page and "/auth/sign-in-link" in page
    assert PASSWORD not in page


def test_the_emailed_link_lets_the_owner_in_at_once_despite_the_limit(app, client, maya):
    lock_out(client)
    assert client.submit("/auth/sign-in-link", {"email": MAYA}, page="/auth/sign-in-link").status_code == 200
    link = link_in(last_email(app, MAYA), "/auth/sign-in-link/")
    landing = client.get(link)
    assert landing.status_code == 200 and "Sign in to Lupus Commons" in landing.get_data(as_text=True)
    assert client.get("/account/").status_code == 302  # opening the link alone signs nobody in
    response = client.submit(link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/").status_code == 200


def test_a_sign_in_link_works_once(app, client, auth, maya):
    client.submit("/auth/sign-in-link", {"email": MAYA})
    link = link_in(last_email(app, MAYA), "/auth/sign-in-link/")
    assert client.submit(link, {}).status_code == 302
    auth.logout()
    again = client.get(link, follow_redirects=True)
    assert "expired or was already used" in again.get_data(as_text=True)


def test_a_sign_in_link_expires_after_15_minutes(app, client, maya):
    client.submit("/auth/sign-in-link", {"email": MAYA})
    link = link_in(last_email(app, MAYA), "/auth/sign-in-link/")
    app.config["SIGN_IN_LINK_MAX_AGE"] = timedelta(seconds=-1)
    assert "expired" in client.get(link, follow_redirects=True).get_data(as_text=True)


def test_a_password_change_spends_outstanding_links(app, client, maya):
    client.submit("/auth/sign-in-link", {"email": MAYA})
    link = link_in(last_email(app, MAYA), "/auth/sign-in-link/")
    with app.app_context():
        user = db.session.get(User, maya)
        user.password_hash = "changed"
        db.session.commit()
    assert client.get(link).status_code == 302


def test_asking_for_a_link_looks_the_same_for_unknown_unverified_and_suspended(app, client):
    with app.app_context():
        make_user(email="new@example.org", verified=False)
        make_user(email="gone@example.org", suspended_until=utcnow() + timedelta(days=3))
    addresses = ("nobody@example.org", "new@example.org", "gone@example.org", MAYA)
    make_user_in(app, MAYA)
    pages = [client.submit("/auth/sign-in-link", {"email": email}).get_data(as_text=True) for email in addresses]
    assert all("If that address has an account" in page for page in pages)
    assert [len(emails_to(app, email)) for email in addresses] == [0, 0, 0, 1]


def test_a_tampered_link_is_refused(app, client, maya):
    client.submit("/auth/sign-in-link", {"email": MAYA})
    link = link_in(last_email(app, MAYA), "/auth/sign-in-link/")
    assert client.submit(link[:-3] + "abc", {}, page="/auth/sign-in-link").status_code == 302
    assert client.get("/account/").status_code == 302
