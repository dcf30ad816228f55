"""Accounts: registration, verification, sign-in and password reset.

None of these reveal whether an address has an account: the same outcome is
returned either way, and the owner of an existing address learns by email.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community import mail, tokens
from community.db import db, utcnow
from community.errors import ValidationFailed
from community.models import User
from community.passwords import hash_password, needs_rehash, password_problem, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def display_name_taken(name: str, except_user_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.display_name) == name.strip().lower())
    if except_user_id is not None:
        query = query.where(User.id != except_user_id)
    return db.session.scalar(query) is not None


def check_password_policy(password: str, email: str = "", display_name: str = "") -> None:
    """Raise ValidationFailed on the password field if the policy rejects it."""
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise ValidationFailed(problem, field="password")


DISPLAY_NAME_TAKEN = "That display name is taken. Please choose another."


def register(email: str, display_name: str, password: str, time_zone: str,
             next_path: str | None = None) -> User | None:
    """Create an unverified account and email a link; for a known address, email its owner instead.

    Whether the address has an account changes nothing the visitor sees or waits for: every
    check that can fail comes before the address is looked up, and both ways hash the password
    (the slow step), so the answer and its timing are the same.

    ``next_path`` (a local path) rides along in the confirmation link, so a visitor
    who joined from an article's trial comes back to that trial after signing in.
    """
    email = normalise_email(email)
    display_name = display_name.strip()
    check_password_policy(password, email, display_name)
    if display_name_taken(display_name):
        raise ValidationFailed(DISPLAY_NAME_TAKEN, field="display_name")
    password_hash = hash_password(password)
    existing = find_by_email(email)
    if existing is None:
        user = User(email=email, display_name=display_name, password_hash=password_hash,
                    time_zone=time_zone, terms_accepted_at=utcnow())
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:  # a concurrent registration won the race for the name or address
            db.session.rollback()
            existing = find_by_email(email)
            if existing is None:
                raise ValidationFailed(DISPLAY_NAME_TAKEN, field="display_name") from None
        else:
            queue_verification(user, next_path)
            db.session.commit()
            return user
    mail.queue(existing.email, "already_registered", user=existing,
               login_url=mail.external_url("auth.login"),
               reset_url=mail.external_url("auth.forgot_password"))
    db.session.commit()
    return None


def _user_for_token(purpose: str, token: str, max_age_setting: str, state) -> User | None:
    """The member an emailed link names, if the link is genuine, fresh, and the state it
    was made for (``state(user)``) has not changed since: that is what makes it single-use."""
    payload = tokens.read_token(purpose, token, current_app.config[max_age_setting])
    if payload is None:
        return None
    user = db.session.get(User, payload.get("uid"))
    if user is None or payload.get("fp") != state(user):
        return None
    return user


def queue_verification(user: User, next_path: str | None = None) -> None:
    token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": user.id, "fp": tokens.fingerprint(user.email)})
    mail.queue(user.email, "verify_email", user=user,
               verify_url=mail.external_url("auth.verify_email", token=token, next=next_path))


def resend_verification(email: str) -> None:
    """Send a fresh verification link if the address has an unverified account; silent otherwise."""
    user = find_by_email(email)
    if user is not None and not user.is_verified:
        queue_verification(user)
        db.session.commit()


def verify_email(token: str) -> User | None:
    """Mark the address verified; None when the link is invalid, expired or for another address."""
    db.writing()  # reached by following an emailed link, a GET
    user = _user_for_token(tokens.VERIFY_EMAIL, token, "EMAIL_TOKEN_MAX_AGE",
                           lambda u: tokens.fingerprint(u.email))
    if user is None:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
    return user


class NotVerified(Exception):
    """Right password, but the address has not been confirmed yet."""


def authenticate(email: str, password: str) -> User | None:
    """The member for these credentials, or None; always spends one password check."""
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None  # suspended: refused like a wrong password, told by email at suspension
    if not user.is_verified:
        queue_verification(user)
        db.session.commit()
        raise NotVerified()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.first_sign_in = user.last_login_at is None  # for the greeting: not "welcome back" yet
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _sign_in_link_fingerprint(user: User) -> str:
    # Changes at every sign-in and password change, so each link works once.
    return tokens.fingerprint(user.email, user.password_hash,
                              user.last_login_at.isoformat() if user.last_login_at else "never")


def send_sign_in_link(email: str) -> None:
    """Email a single-use sign-in link to a member who can sign in; silent otherwise.

    Proving the address is the way past the per-account sign-in limit, which otherwise
    lets anyone who knows an address keep its owner out by guessing wrong.
    """
    user = find_by_email(email)
    if user is None or not user.is_active or not user.is_verified:
        return
    token = tokens.make_token(tokens.SIGN_IN_LINK, {"uid": user.id, "fp": _sign_in_link_fingerprint(user)})
    mail.queue(user.email, "sign_in_link", user=user,
               sign_in_url=mail.external_url("auth.sign_in_with_link", token=token))
    db.session.commit()


def user_for_sign_in_link(token: str) -> User | None:
    """The member an emailed sign-in link is for, while it is fresh and unused."""
    user = _user_for_token(tokens.SIGN_IN_LINK, token, "SIGN_IN_LINK_MAX_AGE", _sign_in_link_fingerprint)
    return user if user is not None and user.is_active else None


def sign_in_with_link(token: str) -> User | None:
    """Spend a sign-in link: the member, marked as signed in now (which spends it), or None."""
    user = user_for_sign_in_link(token)
    if user is None:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _reset_fingerprint(user: User) -> str:
    # Changes when the password changes, so each reset link works once.
    return tokens.fingerprint(user.email, user.password_hash)


def request_password_reset(email: str) -> None:
    """Email a single-use reset link if the address has an account; silent otherwise."""
    user = find_by_email(email)
    if user is None:
        return
    token = tokens.make_token(tokens.RESET_PASSWORD, {"uid": user.id, "fp": _reset_fingerprint(user)})
    mail.queue(user.email, "reset_password", user=user,
               reset_url=mail.external_url("auth.reset_password", token=token))
    db.session.commit()


def user_for_reset_token(token: str) -> User | None:
    """The member a reset link is for, while it is fresh and unused."""
    return _user_for_token(tokens.RESET_PASSWORD, token, "RESET_TOKEN_MAX_AGE", _reset_fingerprint)


def reset_password(token: str, new_password: str) -> User | None:
    """Set a new password from a reset link; ends every other session. None if the link is spent."""
    user = user_for_reset_token(token)
    if user is None:
        return None
    check_password_policy(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    # Following the emailed link proves the address, as verification would.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    mail.queue(user.email, "password_changed", user=user,
               reset_url=mail.external_url("auth.forgot_password"))
    db.session.commit()
    return user
