"""Consent to trial matching: the versioned record, what it allows, and the admins' view of it.

Matches are computed only for a member with current consent, from the categories they
allowed, and are deleted when they withdraw.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select

from community import audit
from community.db import db, utcnow
from community.errors import ValidationFailed
from community.models.trials import (
    TrialConsent,
    TrialInterest,
    TrialMatch,
    TrialMatchResult,
    TrialMatchState,
    TrialNotification,
)
from community.permissions import Guardian

# Bump when the consent text in templates/trials/consent.html changes in meaning:
# every member is asked again before anything more is computed.
CONSENT_VERSION = 1
CATEGORY_LABELS = {
    "profile": "Your health profile: age, sex, diagnoses and when they were made, kidney biopsy class, "
               "country and region, pregnancy or breastfeeding",
    "history": "Your medical history: the conditions you answered about (HIV, hepatitis, cancer, dialysis…)",
    "treatments": "Your treatments: what you took, when, at what dose, and why you stopped",
    "flares": "Your flares: when they started",
    "symptoms": "Your symptom ratings from daily check-ins (only how many days were severe)",
    "labs": "Your lab results: the latest value of each test, with your lab's normal range",
}


def guard(user: Any) -> Guardian:
    """The member's Guardian, once it has confirmed they may use trial suggestions (404 otherwise)."""
    guardian = Guardian(user)
    guardian.ensure(guardian.can_use_trial_suggestions(), hide=True)
    return guardian


def latest_consent(user: Any) -> TrialConsent | None:
    """The member's most recent consent decision (given or withdrawn, any version)."""
    guard(user)
    return db.session.scalar(select(TrialConsent).where(TrialConsent.user_id == user.id)
                             .order_by(TrialConsent.id.desc()).limit(1))


def current_consent(user: Any) -> TrialConsent | None:
    """Consent that allows matching right now: given, and to the current text version."""
    return allowing_matching(latest_consent(user))


def allowing_matching(decision: TrialConsent | None) -> TrialConsent | None:
    """The member's latest decision if it allows matching now (given, to the current text), else None."""
    if decision is None or decision.action != "given" or decision.version != CONSENT_VERSION:
        return None
    return decision


def consent_history(user: Any) -> list[TrialConsent]:
    """Every consent decision the member made, newest first."""
    guard(user)
    return list(db.session.scalars(select(TrialConsent).where(TrialConsent.user_id == user.id)
                                   .order_by(TrialConsent.id.desc())))



def consent_counts(viewer: Any, *, days: int = 30) -> dict[str, int]:
    """For admins: how many members have matching on now, and decisions lately — numbers only."""
    Guardian(viewer).ensure(Guardian(viewer).can_disclose_consent_record(), hide=True)
    latest = (select(TrialConsent.user_id, func.max(TrialConsent.id).label("id"))
              .group_by(TrialConsent.user_id).subquery())
    on_now = db.session.scalar(select(func.count()).select_from(TrialConsent)
                               .join(latest, latest.c.id == TrialConsent.id)
                               .where(TrialConsent.action == "given", TrialConsent.version == CONSENT_VERSION))
    since = utcnow() - timedelta(days=days)
    recent = dict(db.session.execute(select(TrialConsent.action, func.count())
                                     .where(TrialConsent.created_at >= since)
                                     .group_by(TrialConsent.action)).all())
    return {"on_now": on_now or 0, "given_recently": recent.get("given", 0),
            "withdrawn_recently": recent.get("withdrawn", 0), "days": days}


def disclose_consent_record(viewer: Any, member: Any, reason: str) -> list[TrialConsent]:
    """One member's consent record, for an admin answering that member's own request.

    The disclosure is logged (who, whose, why; never what), visible to admins only.
    """
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_disclose_consent_record(), hide=True)
    if not reason.strip():
        raise ValidationFailed("Say which request of the member's this answers.", field="reason")
    audit.record(viewer, "privacy.consent_record_shown", target=member, reason=reason.strip())
    db.session.commit()
    return list(db.session.scalars(select(TrialConsent).where(TrialConsent.user_id == member.id)
                                   .order_by(TrialConsent.id.desc())))


def delete_derived(user_id: int, *, keep_interests: bool = False) -> None:
    """Delete what matching derived for a member (and their interest marks unless ``keep_interests``)."""
    db.session.execute(delete(TrialMatch).where(TrialMatch.user_id == user_id))
    db.session.execute(delete(TrialMatchResult).where(TrialMatchResult.user_id == user_id))
    db.session.execute(delete(TrialMatchState).where(TrialMatchState.user_id == user_id))
    db.session.execute(delete(TrialNotification).where(TrialNotification.user_id == user_id))
    if not keep_interests:
        db.session.execute(delete(TrialInterest).where(TrialInterest.user_id == user_id))


