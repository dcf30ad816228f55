"""Security headers, session lifetime, and no-store for private pages."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, flash, request, session
from flask_login import current_user, logout_user

from community.db import utcnow

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
            logout_user()
            session.clear()
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
