"""Per-member trial recompute for the job queue.

Uses ``matching_runs.recompute_member`` / ``members_needing_recompute`` when the trials
package provides them (incremental matching); until then, thin versions over
``matching_runs.refresh(user, consent)``, which itself re-checks staleness, so a job that
runs twice changes nothing the second time.
"""

from __future__ import annotations

from sqlalchemy import func, select

from community.db import db
from community.models import User
from community.models.trials import TrialConsent
from community.trials import consents, matching_runs


def consenting_member_ids() -> list[int]:
    """Members whose latest consent decision is a current "given"."""
    latest_ids = select(func.max(TrialConsent.id)).group_by(TrialConsent.user_id)
    return list(db.session.scalars(
        select(TrialConsent.user_id).where(TrialConsent.id.in_(latest_ids), TrialConsent.action == "given",
                                           TrialConsent.version == consents.CONSENT_VERSION)
        .order_by(TrialConsent.user_id)))


def members_needing_recompute() -> list[int]:
    """Members a recompute run should visit (each job re-checks staleness itself)."""
    provided = getattr(matching_runs, "members_needing_recompute", None)
    return list(provided()) if provided else consenting_member_ids()


def recompute_member(user_id: int) -> bool:
    """Bring one member's matches up to date if stale; True when matching ran. Commits."""
    provided = getattr(matching_runs, "recompute_member", None)
    if provided:
        return bool(provided(user_id))
    db.writing()
    user = db.session.get(User, user_id)
    consent = consents.current_consent(user) if user is not None else None
    if consent is None:  # withdrew (or left) since the job was queued: nothing to match
        db.session.rollback()
        return False
    ran = matching_runs.refresh(user, consent)
    db.session.commit()
    return ran
