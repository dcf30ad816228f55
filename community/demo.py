"""A small demo community so a newcomer sees a living site (`make demo`)."""

from __future__ import annotations

from sqlalchemy import select

from community.db import db, utcnow
from community.models import Role, User
from community.passwords import hash_password

DEMO_PASSWORD = "butterfly-garden-demo"  # noqa: S105 - printed for demo sign-in on purpose
DEMO_MEMBERS = [
    ("maya@demo.lupus-commons.invalid", "Maya", Role.MEMBER, "Diagnosed in 2016. Gardener, tea drinker.", 2016),
    ("sam@demo.lupus-commons.invalid", "Sam", Role.MEMBER, "Lupus nephritis class IV, in remission.", 2011),
    ("ines@demo.lupus-commons.invalid", "Ines", Role.MEMBER, "Mum of two, newly diagnosed.", 2025),
    ("rowan@demo.lupus-commons.invalid", "Rowan (moderator)", Role.MODERATOR, "Volunteer moderator.", None),
    ("admin@demo.lupus-commons.invalid", "Admin", Role.ADMIN, "", None),
]


def load_demo() -> list[str]:
    """Create the demo members if missing; return lines describing how to sign in."""
    existing = set(db.session.scalars(select(User.email).where(
        User.email.in_([m[0] for m in DEMO_MEMBERS]))))
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, role, bio, since in DEMO_MEMBERS:
        if email not in existing:
            db.session.add(User(email=email, display_name=name, role=role.value, bio=bio,
                                living_with_lupus_since=since, password_hash=password_hash,
                                email_verified_at=utcnow(), time_zone="Europe/London"))
    db.session.commit()
    from community.tracking.demo import load_demo_tracking

    tracking_lines = load_demo_tracking()
    lines = ["Demo sign-ins (password for all: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role.value:<9} {email}" for email, _n, role, _b, _s in DEMO_MEMBERS]
    return lines + tracking_lines
