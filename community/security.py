"""Sign-ins and sessions, security headers, and no-store for private pages."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, or_, select, update

from community.db import db, utcnow
from community.models.user import SignIn, User, hash_sign_in_token

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def start_session() -> None:
    """At login: drop everything the pre-login session held (no fixation) and stamp it."""
    session.clear()
    now = utcnow().timestamp()
    session["started_at"] = now
    session["seen_at"] = now
    session.permanent = False


def sign_in_lifetime() -> timedelta:
    """How long a sign-in can be used at most: its remember-me cookie's life (or one session)."""
    config = current_app.config
    return max(config["REMEMBER_COOKIE_DURATION"], config["SESSION_ABSOLUTE_TIMEOUT"])


def sign_in(user: User, *, remember: bool = False) -> None:
    """Sign the member in on this device: a fresh session tied to a new sign-in record.

    The session and the remember-me cookie both carry ``user.get_id()``, which names
    this sign-in, so a session restored from the cookie continues the same sign-in
    and ``sign_out`` ends both, on every instance, however the cookies were copied.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Ended or outlived sign-ins can never open a session again: keep the table small.
    db.session.execute(delete(SignIn).where(
        SignIn.user_id == user.id,
        or_(SignIn.ended_at.is_not(None), SignIn.created_at < now - sign_in_lifetime())))
    db.session.add(SignIn(user_id=user.id, token_hash=hash_sign_in_token(token), created_at=now))
    db.session.commit()
    user.sign_in_token = token
    start_session()
    login_user(user, remember=remember)


def sign_out() -> None:
    """End this device's sign-in for good, then continue with an empty anonymous session."""
    token = getattr(current_user, "sign_in_token", None)
    if token is not None:
        db.session.execute(update(SignIn)
                           .where(SignIn.token_hash == hash_sign_in_token(token), SignIn.ended_at.is_(None))
                           .values(ended_at=utcnow()))
        db.session.commit()
    logout_user()
    start_session()


def load_signed_in_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the member, only while both halves of the id are live.

    One query, as before sign-ins were recorded: pages keep their statement counts.
    """
    session_token, _, sign_in_token = user_id.partition(".")
    if not sign_in_token:
        return None  # a cookie from before sign-ins were recorded
    user = db.session.scalar(
        select(User).join(SignIn, SignIn.user_id == User.id)
        .where(User.session_token == session_token,
               SignIn.token_hash == hash_sign_in_token(sign_in_token),
               SignIn.ended_at.is_(None),
               SignIn.created_at > utcnow() - sign_in_lifetime()))
    if user is None or not user.is_active:
        return None
    user.sign_in_token = sign_in_token
    return user


def _expired(now: float, app: Flask) -> str | None:
    started = session.get("started_at")
    seen = session.get("seen_at")
    if started is None or seen is None:
        return None
    if now - started > app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds():
        return "For your privacy you were signed out after a long session. Please sign in again."
    if now - seen > app.config["SESSION_IDLE_TIMEOUT"].total_seconds():
        return "For your privacy you were signed out after a period of inactivity."
    return None


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce_session_lifetime():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        now = utcnow().timestamp()
        if "started_at" not in session:
            # Restored from a remember-me cookie: a fresh session starts now.
            session["started_at"] = now
        reason = _expired(now, app)
        if reason:
            # End the sign-in record too, so a copied remember-me cookie dies with it.
            db.writing()  # even when the request is a GET
            sign_out()
            flash(reason, "info")
            return
        session["seen_at"] = now

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SECURITY_HSTS"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Anything shown to a signed-in member may be personal, and sign-in pages
        # carry tokens in their address: never cache either.
        if current_user.is_authenticated or request.blueprint == "auth":
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response


def local_time(value: datetime | None, tz_name: str, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """Show a UTC timestamp the way people say it, in the member's own time zone."""
    from zoneinfo import ZoneInfo

    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz_name)).strftime(fmt)
