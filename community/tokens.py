"""Signed, expiring, single-use tokens for emailed links.

Each purpose has its own salt, so a verification token can never reset a
password. Single use without a token table: each token carries a fingerprint
of the state it changes (the password hash, the email address); once used,
that state has changed and the token no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"  # noqa: S105 - a salt name, not a secret
CHANGE_EMAIL = "change-email"
SIGN_IN_LINK = "sign-in-link"


def fingerprint(*parts: str | None) -> str:
    """A short keyed digest of account state, so tokens reveal nothing about it."""
    key = current_app.config["SECRET_KEY"].encode()
    message = "\x1f".join(p or "" for p in parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"lupus-commons/{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: timedelta) -> dict | None:
    """The payload if the token is genuine, for this purpose and not expired; else None."""
    try:
        payload = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except BadSignature:  # SignatureExpired is a subclass
        return None
    return payload if isinstance(payload, dict) else None
