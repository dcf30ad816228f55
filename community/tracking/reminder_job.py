"""The check-in reminder job, run by a scheduler for every member at once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from community import mail
from community.db import db, utcnow
from community.models import (
    CheckIn,
    TrackingSettings,
    User,
)


def send_reminders(now: datetime | None = None) -> int:
    """Queue today's check-in email for every member whose local reminder time has passed.

    Safe to run as often as the scheduler likes: at most one email per member
    per local day, and none when that day's check-in already exists.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(TrackingSettings, User).join(User, User.id == TrackingSettings.user_id)
        .where(TrackingSettings.reminder_enabled.is_(True), TrackingSettings.reminder_time.is_not(None),
               User.email_verified_at.is_not(None))).all()
    due = []
    for settings, user in rows:
        if user.is_suspended(now):
            continue
        local = now.astimezone(ZoneInfo(user.time_zone or "UTC"))
        if settings.reminder_last_sent_on == local.date() or local.time() < settings.reminder_time:
            continue
        due.append((settings, user, local.date()))
    if not due:
        return 0
    checked_in = {tuple(row) for row in db.session.execute(
        select(CheckIn.user_id, CheckIn.day).where(
            CheckIn.user_id.in_({u.id for _s, u, _d in due}),
            CheckIn.day.in_({d for _s, _u, d in due})))}
    sent = 0
    for settings, user, day in due:
        if (user.id, day) in checked_in:
            continue
        mail.queue(user.email, "checkin_reminder", user=user,
                   checkin_url=mail.external_url("tracking.checkin"),
                   settings_url=mail.external_url("tracking.reminders"))
        settings.reminder_last_sent_on = day
        sent += 1
    db.session.commit()
    return sent


