"""The member's tracking settings: the daily reminder and the questions for their doctor."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy import select

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    TrackingSettings,
)
from community.tracking.common import (
    clean_text,
    guard,
)


def get_settings(user: Any) -> TrackingSettings:
    """The member's tracking settings (an unsaved default when they have none yet)."""
    guard(user)
    settings = db.session.scalar(select(TrackingSettings).where(TrackingSettings.user_id == user.id))
    return settings or TrackingSettings(user_id=user.id, reminder_enabled=False, doctor_questions="")


def _settings_row(user: Any) -> TrackingSettings:
    settings = db.session.scalar(select(TrackingSettings).where(TrackingSettings.user_id == user.id))
    if settings is None:
        settings = TrackingSettings(user_id=user.id, reminder_enabled=False, doctor_questions="")
        db.session.add(settings)
    return settings


def save_reminder(user: Any, *, enabled: bool, at: time | None) -> TrackingSettings:
    """Turn the daily check-in email on or off, at a local time."""
    guard(user)
    if enabled and at is None:
        raise ValidationFailed("Please choose a time for the reminder.", field="reminder_time")
    settings = _settings_row(user)
    settings.reminder_enabled = enabled
    if at is not None:
        settings.reminder_time = at.replace(second=0, microsecond=0)
    db.session.commit()
    return settings


def save_questions(user: Any, questions: str) -> TrackingSettings:
    """Keep the member's questions for their next appointment."""
    guard(user)
    questions = clean_text(questions, 3000, "questions", "Your questions")
    settings = _settings_row(user)
    settings.doctor_questions = questions
    db.session.commit()
    return settings


