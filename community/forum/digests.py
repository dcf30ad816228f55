"""Forum settings and the email digests of unread notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from community import mail
from community.db import db, utcnow
from community.errors import ValidationFailed
from community.forum.common import (
    insert,
)
from community.forum.notifications import NotificationRow, notification_rows
from community.models import User
from community.models.forum import (
    DigestFrequency,
    ForumPreference,
    Notification,
)


def get_preferences(user: User) -> ForumPreference:
    prefs = db.session.get(ForumPreference, user.id)
    return prefs or ForumPreference(user_id=user.id, digest=DigestFrequency.NONE.value)


def set_digest(user: User, frequency: str) -> None:
    """Choose the email digest: none, daily or weekly."""
    if frequency not in {f.value for f in DigestFrequency}:
        raise ValidationFailed("Please choose never, daily or weekly.", field="digest")
    statement = insert(ForumPreference).values(user_id=user.id, digest=frequency)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id"], set_={"digest": statement.excluded.digest}))
    db.session.commit()


DIGEST_PERIODS = {DigestFrequency.DAILY.value: timedelta(days=1),
                  DigestFrequency.WEEKLY.value: timedelta(days=7)}


def send_digests(frequency: str, now: datetime | None = None) -> int:
    """Queue a digest email of unread, not-yet-emailed notifications to each member due one.

    Each member commits on their own, so a re-run after a crash resumes
    without sending anyone the same notifications twice.
    """
    now = now or utcnow()
    period = DIGEST_PERIODS[frequency]
    # An hour's slack so a daily cron at a slightly earlier time still sends.
    due_before = now - period + timedelta(hours=1)
    members = db.session.execute(
        select(ForumPreference.user_id).join(User, ForumPreference.user_id == User.id)
        .where(ForumPreference.digest == frequency,
               or_(ForumPreference.last_digest_at.is_(None), ForumPreference.last_digest_at <= due_before),
               User.email_verified_at.is_not(None),
               or_(User.suspended_until.is_(None), User.suspended_until <= now))
        .order_by(ForumPreference.user_id)).scalars().all()
    db.session.commit()
    queued = 0
    for user_id in members:
        user = db.session.get(User, user_id)
        prefs = db.session.get(ForumPreference, user_id)
        if user is None or prefs is None:
            continue
        rows = db.session.execute(notification_rows(user).where(
            Notification.read_at.is_(None), Notification.emailed_at.is_(None))
            .order_by(Notification.id.desc()).limit(50)).all()
        items = [NotificationRow(*row) for row in rows]
        prefs.last_digest_at = now
        if items:
            mail.queue(user.email, "forum_digest", user=user, items=items, frequency=frequency,
                       post_url=lambda post_id: mail.external_url("forum.post", post_id=post_id),
                       notifications_url=mail.external_url("forum.notifications"),
                       settings_url=mail.external_url("forum.settings"))
            db.session.execute(update(Notification).where(
                Notification.id.in_([i.notification.id for i in items])).values(emailed_at=now))
            queued += 1
        db.session.commit()
    return queued
