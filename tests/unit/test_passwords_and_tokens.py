"""Password policy, hashing, emailed-link tokens and log redaction."""

from datetime import timedelta

import pytest

from community import tokens
from community.logging import redact
from community.passwords import hash_password, password_problem, verify_password


@pytest.mark.parametrize("password", ["password", "12345678", "iloveyou1", "Lupus2024!", "aaaaaaaaaaa",
                                      "maya@example.org", "dragon123"])
def test_common_or_personal_passwords_are_refused(password):
    assert password_problem(password, email="maya@example.org") is not None


@pytest.mark.parametrize("password", ["violet tea at dawn", "correct horse battery staple", "zq7-Hm2p"])
def test_ordinary_strong_passwords_pass_without_composition_rules(password):
    assert password_problem(password) is None


def test_length_limits():
    assert "at least 8" in password_problem("abc1234")
    assert "at most 128" in password_problem("a b" * 50)


def test_hash_verifies_only_the_right_password(app):
    with app.app_context():
        hashed = hash_password("violet tea at dawn")
        assert hashed.startswith("$argon2id$")
        assert verify_password(hashed, "violet tea at dawn")
        assert not verify_password(hashed, "violet tea at dusk")
        assert not verify_password(None, "anything")  # unknown account: still a full check
        assert not verify_password("not-a-hash", "anything")


def test_tokens_are_bound_to_their_purpose_and_expire(app):
    with app.app_context():
        token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": 1})
        assert tokens.read_token(tokens.VERIFY_EMAIL, token, timedelta(hours=1)) == {"uid": 1}
        assert tokens.read_token(tokens.RESET_PASSWORD, token, timedelta(hours=1)) is None
        assert tokens.read_token(tokens.VERIFY_EMAIL, token + "x", timedelta(hours=1)) is None
        assert tokens.read_token(tokens.VERIFY_EMAIL, token, timedelta(seconds=-1)) is None


def test_fingerprints_change_with_the_state_they_cover(app):
    with app.app_context():
        assert tokens.fingerprint("a@example.org", "h1") != tokens.fingerprint("a@example.org", "h2")
        assert "a@example.org" not in tokens.fingerprint("a@example.org")


def test_logs_never_carry_emailed_tokens_or_addresses():
    line = 'GET /auth/reset/eyJ1aWQiOjF9.abc.def HTTP/1.1 for maya@example.org'
    cleaned = redact(line)
    assert "eyJ1aWQiOjF9" not in cleaned and "maya@example.org" not in cleaned
    assert "/auth/reset/[token]" in cleaned
    assert redact("/account/confirm-email/tok123") == "/account/confirm-email/[token]"


def test_logs_never_carry_query_strings_such_as_search_words():
    line = '127.0.0.1 - - [02/Dec/2026 22:50:50] "GET /forum/search?q=nephritis+hair+loss&page=2 HTTP/1.1" 200 -'
    assert redact(line) == '127.0.0.1 - - [02/Dec/2026 22:50:50] "GET /forum/search?[query] HTTP/1.1" 200 -'
    assert redact("/tracking/summary?start=2026-01-01") == "/tracking/summary?[query]"
    assert redact("Are you sure? It is /forum/t/3 now") == "Are you sure? It is /forum/t/3 now"
