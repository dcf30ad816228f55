"""A member's own account: profile, privacy, password, email, sessions, export and deletion."""

from __future__ import annotations

from typing import Any

from flask import current_app

from community import mail, tokens, userdata
from community.auth.services import (
    check_password_policy,
    display_name_taken,
    find_by_email,
    normalise_email,
)
from community.db import db, utcnow
from community.errors import ValidationFailed
from community.forum import members as forum_members
from community.models import User
from community.passwords import hash_password, verify_password

EXPORT_FORMAT_VERSION = 1


def _require_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise ValidationFailed("That password isn't right.", field="current_password")


def update_profile(user: User, *, display_name: str, pronouns: str, bio: str,
                   living_with_lupus_since: int | None, time_zone: str) -> None:
    """Save the public profile and the member's time zone."""
    display_name = display_name.strip()
    if display_name_taken(display_name, except_user_id=user.id):
        raise ValidationFailed("That display name is taken. Please choose another.", field="display_name")
    user.display_name = display_name
    user.pronouns = (pronouns or "").strip()
    user.bio = (bio or "").strip()
    user.living_with_lupus_since = living_with_lupus_since
    user.time_zone = time_zone
    db.session.commit()


def update_privacy(user: User, *, show_lupus_since: bool) -> None:
    """Save what the public profile shows."""
    user.show_lupus_since = show_lupus_since
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end every session of the member (the caller signs this one in again)."""
    _require_password(user, current_password)
    try:
        check_password_policy(new_password, user.email, user.display_name)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="new_password") from None
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    mail.queue(user.email, "password_changed", user=user,
               reset_url=mail.external_url("auth.forgot_password"))
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """End every session and remember-me cookie of this member, on every device."""
    user.rotate_session_token()
    db.session.commit()


def request_email_change(user: User, new_email: str, current_password: str) -> None:
    """Send a confirmation link to the new address; the old one is told. Nothing changes until confirmed."""
    _require_password(user, current_password)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ValidationFailed("That is already your email address.", field="email")
    if find_by_email(new_email) is None:
        token = tokens.make_token(tokens.CHANGE_EMAIL, {
            "uid": user.id, "new": new_email, "fp": tokens.fingerprint(user.email)})
        mail.queue(new_email, "confirm_new_email", user=user,
                   confirm_url=mail.external_url("account.confirm_email", token=token))
    # When the new address already has an account we send nothing there, and
    # answer the same way, so this form can't be used to probe for members.
    mail.queue(user.email, "email_change_requested", user=user)
    db.session.commit()


def confirm_email_change(user: User, token: str) -> bool:
    """Switch to the new address from its emailed link; False if the link is stale or not this member's."""
    db.writing()  # reached by following an emailed link, a GET
    payload = tokens.read_token(tokens.CHANGE_EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    if (payload is None or payload.get("uid") != user.id
            or payload.get("fp") != tokens.fingerprint(user.email)
            or find_by_email(payload.get("new", "")) is not None):
        return False
    user.email = payload["new"]
    user.email_verified_at = utcnow()
    db.session.commit()
    return True


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about the member, as one JSON-ready document."""
    return {
        "format": "lupus-commons-export",
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "sections": userdata.export_member(user),
    }


def delete_account(user: User, current_password: str, *, delete_members_only_posts: bool = False,
                   delete_public_posts: bool = False) -> None:
    """Erase the member's private data, delete the posts they chose, anonymise the rest, remove the account."""
    _require_password(user, current_password)
    forum_members.delete_own_posts(user, members_only=delete_members_only_posts, public=delete_public_posts)
    userdata.erase_member(user)  # the users row itself is registered, and goes last
    db.session.commit()
    db.scrub_erased()
