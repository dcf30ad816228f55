"""A member's trial suggestions: turning matching on and off, the list, and "may fit" notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import Select

from community.db import db, utcnow
from community.errors import ValidationFailed
from community.models.trials import (
    TrialConsent,
    TrialMatch,
    TrialNotification,
)
from community.permissions import Guardian
from community.trials import consents, matching
from community.trials.consents import (
    delete_derived,
    guard,
    latest_consent,
)
from community.trials.matching_runs import refresh, with_results


def give_consent(user: Any, *, categories: list[str], email_updates: bool) -> TrialConsent:
    """Turn matching on (or change what it may use) and compute the first suggestions."""
    guard(user)
    chosen = [c for c in matching.CATEGORIES if c in set(categories or [])]
    if len(chosen) != len(set(categories or [])):
        raise ValidationFailed("Please choose from the listed kinds of data.", field="categories")
    if not chosen:
        raise ValidationFailed("Please choose at least one kind of data to use, or leave matching off.",
                               field="categories")
    consent = TrialConsent(user_id=user.id, version=consents.CONSENT_VERSION, action="given", categories=chosen,
                           email_updates=bool(email_updates))
    db.session.add(consent)
    db.session.flush()
    # The consent row is the record, the member's own: it is not copied into the staff log.
    # Derived data from an earlier consent may use categories no longer allowed.
    delete_derived(user.id, keep_interests=True)
    refresh(user, consent, notify=False)
    db.session.commit()
    return consent


def withdraw_consent(user: Any) -> None:
    """Stop matching at once and delete every derived match, interest mark and notification."""
    guard(user)
    previous = latest_consent(user)
    if previous is None or previous.action == "withdrawn":
        return
    db.session.add(TrialConsent(user_id=user.id, version=previous.version, action="withdrawn",
                                categories=[], email_updates=False))
    delete_derived(user.id)
    db.session.commit()

@dataclass
class Suggestions:
    consent: TrialConsent | None
    latest: TrialConsent | None
    groups: dict[str, list[TrialMatch]]
    notifications: list[TrialNotification]


def suggestions(user: Any) -> Suggestions:
    """The member's ranked suggestions (recomputed first if anything changed)."""
    guard(user)
    latest = latest_consent(user)
    consent = consents.allowing_matching(latest)
    if consent is None:
        return Suggestions(None, latest, {}, [])
    if refresh(user, consent):
        db.session.commit()
    matches = with_results(user.id, db.session.scalars(
        select(TrialMatch).where(TrialMatch.user_id == user.id)
        .options(joinedload(TrialMatch.trial, innerjoin=True)).order_by(TrialMatch.rank)).all(), every_match=True)
    groups: dict[str, list[TrialMatch]] = {g: [] for g in matching.GROUP_ORDER}
    for m in matches:
        groups[m.grouping].append(m)
    notes = db.session.scalars(select(TrialNotification).where(TrialNotification.user_id == user.id,
                                                               TrialNotification.read_at.is_(None))
                               .options(joinedload(TrialNotification.trial, innerjoin=True))
                               .order_by(TrialNotification.id.desc())).all()
    return Suggestions(consent, latest, groups, list(notes))


def mark_notifications_seen(user: Any) -> int:
    """Clear the "new" list on the suggestions page."""
    guard(user)
    count = db.session.execute(update(TrialNotification)
                               .where(TrialNotification.user_id == user.id, TrialNotification.read_at.is_(None))
                               .values(read_at=utcnow())).rowcount
    db.session.commit()
    return count


def unread_notification_query(user: Any) -> Select | None:
    """How many new "may fit" notes the member hasn't seen (for the header's one query)."""
    if not Guardian(user).can_use_trial_suggestions():
        return None
    return select(func.count()).select_from(TrialNotification).where(
        TrialNotification.user_id == user.id, TrialNotification.read_at.is_(None))


