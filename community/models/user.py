"""Members and their account settings."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'moderator', 'admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Half of Flask-Login's "alternative id" (see get_id): rotating it ends every
    # session and remember-me cookie of this member at once.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # Moderation: a silenced member can read but not post until then.
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bio: Mapped[str] = mapped_column(Text, default="")
    pronouns: Mapped[str] = mapped_column(String(40), default="")
    living_with_lupus_since: Mapped[int | None] = mapped_column(Integer)
    show_lupus_since: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by tracking whenever one of the member's health records is written (community.tracking.stamp),
    # so trial matching notices a change by comparing one number instead of re-reading their records.
    records_version: Mapped[int] = mapped_column(Integer, server_default="0")

    # The token of the sign-in this request runs under: set by community.security
    # when it signs the member in or loads them for a request. Never stored.
    sign_in_token = None
    first_sign_in = False  # set by authenticate for the greeting; never stored

    def get_id(self) -> str:
        """What the session and the remember-me cookie carry: the member's session token
        (all their devices) and this device's sign-in token, so either ends the session."""
        if self.sign_in_token is None:
            raise RuntimeError("sign members in with community.security.sign_in")
        return f"{self.session_token}.{self.sign_in_token}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    def is_silenced(self, now: datetime | None = None) -> bool:
        return self.silenced_until is not None and self.silenced_until > (now or utcnow())

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.is_suspended()

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    def __repr__(self) -> str:  # never the email: reprs end up in logs
        return f"<User {self.id} {self.role}>"


from community import userdata  # noqa: E402 - registration follows the model it describes

userdata.register(User, owner_column="id", section="account",
                  exclude=("password_hash", "session_token"))


def hash_sign_in_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SignIn(Base):
    """One sign-in on one device: it lives until that device signs out (or its
    remember-me cookie could no longer be valid), so a copy of the cookie dies with it.
    Only a hash of the token is stored: the table alone cannot open a session."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


userdata.register(SignIn, owner_column="user_id", section="sign_ins", exclude=("token_hash",))
