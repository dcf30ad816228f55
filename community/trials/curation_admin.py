"""Admin curation of the trial catalogue: structured criteria, re-reading the registry text, bullet review.

Every change is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from community import audit
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models.trials import (
    Trial,
    TrialBullet,
    TrialCriterion,
)
from community.permissions import Guardian
from community.trials import curation
from community.trials.reading import reader, store
from community.trials.reading.reader import READER_VERSION
from community.trials.trial_pages import catalogue, get_trial


def _curator(user: Any) -> Guardian:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_curate_trials(), hide=True)
    return guardian


def curation_list(user: Any) -> list[tuple[Trial, int]]:
    """Every trial with how many curated criteria it has."""
    _curator(user)
    counts = dict(db.session.execute(select(TrialCriterion.trial_id, func.count())
                                     .where(TrialCriterion.source == "curated")
                                     .group_by(TrialCriterion.trial_id)).all())
    return [(t, counts.get(t.id, 0)) for t in catalogue()]


def curation_trial(user: Any, nct_id: str) -> Trial:
    """A trial and all its criteria, for the curation page."""
    _curator(user)
    return get_trial(nct_id)


def add_criterion(user: Any, nct_id: str, kind: str, params: dict) -> TrialCriterion:
    """Add a curated criterion (ranges checked) and audit it."""
    _curator(user)
    trial = get_trial(nct_id)
    clean = curation.clean_params(kind, params)
    position = max([c.position for c in trial.criteria] + [99]) + 1
    criterion = TrialCriterion(trial_id=trial.id, position=position, source="curated", kind=kind, params=clean)
    db.session.add(criterion)
    trial.updated_at = utcnow()
    audit.record(user, "trials.criterion_added", reason=trial.nct_id, after={"kind": kind, "params": clean})
    db.session.commit()
    return criterion


def _curated_criterion(user: Any, criterion_id: int) -> TrialCriterion:
    _curator(user)
    criterion = db.session.get(TrialCriterion, criterion_id)
    if criterion is None or criterion.source != "curated":
        raise NotFound()
    return criterion


def get_criterion(user: Any, criterion_id: int) -> tuple[TrialCriterion, Trial]:
    """A curated criterion and its trial, for the edit form."""
    criterion = _curated_criterion(user, criterion_id)
    return criterion, db.session.get(Trial, criterion.trial_id)


def update_criterion(user: Any, criterion_id: int, params: dict) -> TrialCriterion:
    """Change a curated criterion's values (its kind stays) and audit before/after."""
    criterion = _curated_criterion(user, criterion_id)
    trial = db.session.get(Trial, criterion.trial_id)
    clean = curation.clean_params(criterion.kind, params)
    before = {"kind": criterion.kind, "params": dict(criterion.params)}
    criterion.params = clean
    trial.updated_at = utcnow()
    audit.record(user, "trials.criterion_changed", reason=trial.nct_id, before=before,
                 after={"kind": criterion.kind, "params": clean})
    db.session.commit()
    return criterion


def delete_criterion(user: Any, criterion_id: int) -> str:
    """Remove a curated criterion; returns the trial's NCT number."""
    criterion = _curated_criterion(user, criterion_id)
    trial = db.session.get(Trial, criterion.trial_id)
    audit.record(user, "trials.criterion_removed", reason=trial.nct_id,
                 before={"kind": criterion.kind, "params": dict(criterion.params)})
    db.session.delete(criterion)
    trial.updated_at = utcnow()
    db.session.commit()
    return trial.nct_id


REVIEW_ACTIONS = ("confirm", "discard", "reread")


def reread_trial(user: Any, nct_id: str) -> Trial:
    """Read one study's eligibility text again with the current reader; reviewed bullets keep their review."""
    _curator(user)
    trial = get_trial(nct_id)
    store.read_trial(trial)
    trial.updated_at = utcnow()
    audit.record(user, "trials.text_reread", reason=trial.nct_id, after={"reader_version": trial.reader_version})
    db.session.commit()
    return trial


def reread_catalogue(*, everything: bool = False) -> int:
    """Re-read every study read by an older reader (or every study): the `trials reread` command."""
    query = select(Trial)
    if not everything:
        query = query.where(Trial.reader_version < READER_VERSION)
    trials = list(db.session.scalars(query))
    for trial in trials:
        store.read_trial(trial)
        trial.updated_at = utcnow()
    db.session.commit()
    return len(trials)


def _own_bullet(user: Any, bullet_id: int) -> tuple[TrialBullet, Trial]:
    _curator(user)
    bullet = db.session.get(TrialBullet, bullet_id)
    if bullet is None:
        raise NotFound()
    return bullet, db.session.get(Trial, bullet.trial_id)


def _bullet_criteria(bullet: TrialBullet) -> list[dict]:
    return [{"kind": c.kind, "params": dict(c.params), "source": c.source} for c in db.session.scalars(
        select(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id).order_by(TrialCriterion.position))]


def _reviewed(user: Any, bullet: TrialBullet, trial: Trial, action: str, before: list[dict]) -> None:
    bullet.reviewed_at = utcnow()
    bullet.needs_review = False
    db.session.flush()
    trial.needs_review = db.session.scalar(select(func.count()).select_from(TrialBullet).where(
        TrialBullet.trial_id == trial.id, TrialBullet.needs_review.is_(True))) > 0
    trial.updated_at = utcnow()
    audit.record(user, f"trials.bullet_{action}", reason=trial.nct_id,
                 before={"bullet": bullet.position, "criteria": before},
                 after={"bullet": bullet.position, "review": bullet.review, "criteria": _bullet_criteria(bullet)})
    db.session.commit()


def review_bullet(user: Any, bullet_id: int, action: str) -> Trial:
    """Confirm a bullet's reading, discard it (the study team checks it), or read it afresh."""
    bullet, trial = _own_bullet(user, bullet_id)
    if action not in REVIEW_ACTIONS:
        raise ValidationFailed("Please choose confirm, discard or read again.")
    before = _bullet_criteria(bullet)
    if action == "confirm":
        bullet.review = "confirmed"
    elif action == "discard":
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id))
        bullet.review = "discarded"
    else:
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id))
        bullet.review = "auto"
        parent = db.session.scalar(select(TrialBullet.text).where(
            TrialBullet.trial_id == trial.id, TrialBullet.position < bullet.position,
            TrialBullet.depth < bullet.depth).order_by(TrialBullet.position.desc()).limit(1)) or ""
        reading = reader.read_bullet(bullet.side, bullet.text, parent) if not bullet.note else reader.Reading()
        for offset, criterion in enumerate(store.reading_criteria(reading)):
            db.session.add(TrialCriterion(trial_id=trial.id, position=1000 + bullet.position * 20 + offset,
                                          source="text", kind=criterion["kind"], params=criterion["params"],
                                          bullet_id=bullet.id))
    _reviewed(user, bullet, trial, action, before)
    return trial


def correct_bullet(user: Any, bullet_id: int, kind: str, params: dict) -> Trial:
    """Replace what was read from a bullet with an admin's criterion (or add one more to a correction)."""
    bullet, trial = _own_bullet(user, bullet_id)
    clean = curation.clean_params(kind, params)
    before = _bullet_criteria(bullet)
    if bullet.review != "corrected":
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id == bullet.id))
    bullet.review = "corrected"
    db.session.add(TrialCriterion(trial_id=trial.id, position=1000 + bullet.position * 20 + len(before),
                                  source="curated", kind=kind, params=clean, bullet_id=bullet.id))
    _reviewed(user, bullet, trial, "corrected", before)
    return trial


def get_bullet(user: Any, bullet_id: int) -> tuple[TrialBullet, Trial]:
    """A bullet and its trial, for the correction form."""
    return _own_bullet(user, bullet_id)


def bullet_readings(trial: Trial) -> dict[int, list[TrialCriterion]]:
    """The criteria read from (or corrected for) each bullet, by bullet id, for the curation page."""
    found: dict[int, list[TrialCriterion]] = {}
    for criterion in trial.criteria:
        if criterion.bullet_id is not None:
            found.setdefault(criterion.bullet_id, []).append(criterion)
    return found
