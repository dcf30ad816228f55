"""Test data builders. Call them inside ``with app.app_context():``; each commits."""

from __future__ import annotations

import itertools

from community.db import db, utcnow
from community.models import User
from community.passwords import hash_password

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(*, email: str | None = None, display_name: str | None = None, password: str = PASSWORD,
              role: str = "member", verified: bool = True, **fields) -> User:
    n = next(_counter)
    user = User(
        email=email or f"member{n}@example.org",
        display_name=display_name or f"Member {n}",
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utcnow() if verified else None,
        **fields,
    )
    db.session.add(user)
    db.session.commit()
    return user
