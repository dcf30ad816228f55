"""What every tracking service shares: the member's own date, the access guard, field checks, catalogues.

Rule breaks raise ValidationFailed naming the field, before anything is written.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm.attributes import set_committed_value

from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import (
    CheckIn,
    LabTest,
    Medication,
    Symptom,
    SymptomRating,
)
from community.permissions import Guardian

EARLIEST_DAY = date(1900, 1, 1)


def local_today(user: Any, now: datetime | None = None) -> date:
    """The member's own calendar date right now (after midnight where they live, it is tomorrow)."""
    return (now or utcnow()).astimezone(ZoneInfo(user.time_zone or "UTC")).date()


def say_day(day: date | None, today: date | None = None) -> str:
    """A date as people say it: "Tue 3 Mar", with the year when it isn't this year."""
    if day is None:
        return ""
    text = f"{day:%a} {day.day} {day:%b}"
    if today is None or day.year != today.year:
        text += f" {day.year}"
    return text


def say_date(day: date | None) -> str:
    """A date in full, year always, for paper that is read later: "3 Dec 2026"."""
    return f"{day.day} {day:%b %Y}" if day is not None else ""


def check_day(day: date | None, today: date, field_name: str, what: str = "That date") -> None:
    """A date was given, isn't in the member's future and has a believable year."""
    if day is None:
        raise ValidationFailed("Please enter a date.", field=field_name)
    if day > today:
        raise ValidationFailed(f"{what} is in the future. Please choose today or an earlier day.",
                               field=field_name)
    if day < EARLIEST_DAY:
        raise ValidationFailed("Please check the year of that date.", field=field_name)


def clean_text(text: str | None, limit: int, field_name: str, what: str = "This") -> str:
    """Typed text, trimmed, line breaks counted once; too long is refused, never cut to fit."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValidationFailed(f"{what} can be up to {limit:,} characters; this is {len(text):,}. "
                               "Please shorten it — nothing was saved.", field=field_name)
    return text


def check_choices(keys: list[str] | None, choices: list[tuple[str, str]], field_name: str) -> list[str]:
    """The chosen keys, each once, when every one is among ``choices`` (a tampered form is refused)."""
    allowed = {k for k, _ in choices}
    keys = list(dict.fromkeys(keys or []))
    if any(k not in allowed for k in keys):
        raise ValidationFailed("Please choose from the options shown.", field=field_name)
    return keys


def guard(user: Any) -> Guardian:
    """The member's Guardian, once it has confirmed they may track (404 otherwise)."""
    guardian = Guardian(user)
    guardian.ensure(guardian.can_track(), hide=True)
    return guardian


def own_record(user: Any, model, record_id: int):
    """Load one of the member's records; anyone else's (or a missing one) is simply not found."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return ensure_own(user, record)


def ensure_own(user: Any, record):
    """The record, when it is the member's; anyone else's is not found (no query: it is already loaded)."""
    guardian = guard(user)
    guardian.ensure(guardian.can_change_record(record), hide=True)
    return record


def catalogue_or_typed(model, entry_id: int | None, typed: str | None, id_field: str, what: str):
    """(catalogue entry or None, name): a chosen catalogue entry, or the member's own words."""
    entry = None
    if entry_id is not None:
        entry = db.session.get(model, entry_id)
        if entry is None:
            raise ValidationFailed(f"Please choose a {what} from the list.", field=id_field)
    name = entry.name if entry else " ".join((typed or "").split())
    if not name:
        raise ValidationFailed(f"Please choose a {what}, or type its name.", field="name")
    if len(name) > 80:
        raise ValidationFailed("Please keep the name under 80 characters.", field="name")
    return entry, name



def symptoms_for(user: Any) -> list[Symptom]:
    """The catalogue plus the member's own symptoms, catalogue order first."""
    return list(db.session.scalars(
        select(Symptom).where(or_(Symptom.owner_id.is_(None), Symptom.owner_id == user.id))
        .order_by(Symptom.owner_id.is_not(None), Symptom.sort_order, Symptom.name)))


def medications() -> list[Medication]:
    """The medicine catalogue, in its display order."""
    return list(db.session.scalars(select(Medication).order_by(Medication.sort_order)))


def lab_tests() -> list[LabTest]:
    """The lab-test catalogue, in its display order."""
    return list(db.session.scalars(select(LabTest).order_by(LabTest.sort_order)))



def load_ratings(checkins: list[CheckIn]) -> None:
    """Fill each check-in's ratings with one query (instead of one per check-in)."""
    by_id = {c.id: c for c in checkins}
    found: dict[int, list[SymptomRating]] = defaultdict(list)
    if by_id:
        for rating in db.session.scalars(select(SymptomRating).where(SymptomRating.checkin_id.in_(by_id))):
            found[rating.checkin_id].append(rating)
    for checkin_id, checkin in by_id.items():
        set_committed_value(checkin, "ratings", found[checkin_id])

