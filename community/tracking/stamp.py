"""The change stamp on a member's health records: ``users.records_version``, bumped on every write.

Trial matching compares the stamp with the one its stored matches were computed from, so a page
visit learns "nothing changed" from one number instead of re-reading the member's records. Every
ORM write to a record is caught by one flush hook (a new kind of record needs only adding to
``RECORDS``); the few bulk statements that delete records call ``records_changed`` themselves.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from community.db import db
from community.models import (
    CheckIn,
    Flare,
    HealthProfile,
    LabResult,
    SymptomRating,
    Treatment,
    TreatmentSideEffect,
    User,
)

RECORDS = (HealthProfile, Treatment, TreatmentSideEffect, CheckIn, SymptomRating, Flare, LabResult)


def init_app(app: Flask) -> None:
    """Stamp members' records in every session the app's database hands out."""
    event.listen(app.extensions["db"], "after_flush", _stamp_flushed_records)


def records_changed(*user_ids: int) -> None:
    """Bump the members' stamp: call after writing their records with a bulk statement."""
    _bump(db.session, set(user_ids))


def _stamp_flushed_records(session: Session, _context) -> None:
    owners = {obj.user_id for obj in (*session.new, *session.dirty, *session.deleted)
              if isinstance(obj, RECORDS) and (obj not in session.dirty or session.is_modified(obj))}
    _bump(session, owners)


def _bump(session: Session, user_ids: set[int]) -> None:
    if user_ids:
        # On the flush's own connection, as a plain statement: a session.execute here would flush again.
        session.connection().execute(update(User.__table__).where(User.__table__.c.id.in_(sorted(user_ids)))
                                     .values(records_version=User.__table__.c.records_version + 1))
