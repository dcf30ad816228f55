"""Writing a study's bullets and what was read from them, keeping every admin review that still applies.

A study is read when it is first imported, whenever the registry's eligibility text
changes, and when an admin asks for a re-read after the reader improved. A bullet an admin
confirmed, corrected or discarded keeps that decision while its words are unchanged; when
the words change a little, the decision moves to the new wording flagged for review; when
they are gone, the study is flagged for review.
"""

from __future__ import annotations

import difflib

from sqlalchemy import delete, select

from community.db import db
from community.models.trials import Trial, TrialBullet, TrialCriterion
from community.trials.matching import PROCEDURE_WORDS
from community.trials.reading.bullets import (
    MAX_READ_CHARS,
    Bullet,
    looks_binary,
    looks_like_markup,
    split_criteria,
)
from community.trials.reading.reader import (
    CLINICIAN_TOPICS,
    READER_VERSION,
    TOPIC_WORDS,
    Reading,
    read_study,
)

SIMILAR_ENOUGH = 0.8  # difflib ratio above which a changed bullet is the same bullet reworded


def skipped_because(text: str) -> str:
    """Why a text is shown verbatim without being read ("" when it can be read)."""
    if not text.strip():
        return "empty"
    if len(text) > MAX_READ_CHARS:
        return "too long"
    if looks_binary(text):
        return "binary"
    if looks_like_markup(text):
        return "markup"
    return ""


def topic_criterion(topic: str) -> dict:
    """A bullet's remaining topic as a criterion the matcher shows as "ask your doctor" or "the study team"."""
    if topic in CLINICIAN_TOPICS:
        return {"kind": "clinician", "params": {"topic": topic, "text": TOPIC_WORDS[topic]}}
    return {"kind": "procedure", "params": {"topic": topic, "text": PROCEDURE_WORDS.get(topic, TOPIC_WORDS[topic])}}


def reading_criteria(reading: Reading) -> list[dict]:
    """Everything a reading stores: its criteria, then its topic as one more."""
    return list(reading.criteria) + ([topic_criterion(reading.topic)] if reading.topic else [])


def read_trial(trial: Trial) -> None:
    """Split and read the trial's eligibility text into bullets and criteria (no commit)."""
    existing = list(db.session.scalars(select(TrialBullet).where(TrialBullet.trial_id == trial.id)
                                       .order_by(TrialBullet.position)))
    trial.reader_version = READER_VERSION
    trial.reading_skipped = skipped_because(trial.eligibility_text or "")
    bullets = [] if trial.reading_skipped else split_criteria(trial.eligibility_text)
    readings = read_study(bullets)
    reviewed = {(b.side, b.text): b for b in existing if b.review != "auto"}
    unmatched = dict(reviewed)
    placed: list[tuple[TrialBullet, Reading | None]] = []
    for position, (bullet, reading) in enumerate(zip(bullets, readings, strict=True)):
        keep = unmatched.pop((bullet.side, bullet.text), None)
        if keep is not None:
            _place(keep, bullet, position)
            placed.append((keep, None))  # the admin's decision stands: its criteria stay as they are
        else:
            placed.append((_new_bullet(trial, bullet, position), reading))
    _carry_reworded(unmatched, placed)
    trial.needs_review = any(b.needs_review for b, _ in placed) or bool(unmatched)
    stale = [b.id for b in existing if b not in {row for row, _ in placed}]
    fresh = [b.id for b, reading in placed if reading is not None and b.id is not None]
    if stale or fresh:
        db.session.execute(delete(TrialCriterion).where(TrialCriterion.bullet_id.in_(stale + fresh)))
    if stale:
        db.session.execute(delete(TrialBullet).where(TrialBullet.id.in_(stale)))
    db.session.flush()
    for row, reading in placed:
        if reading is None:
            continue
        for offset, criterion in enumerate(reading_criteria(reading)):
            db.session.add(TrialCriterion(trial_id=trial.id, position=1000 + row.position * 20 + offset,
                                          source="text", kind=criterion["kind"], params=criterion["params"],
                                          bullet_id=row.id))
    db.session.flush()


def _place(row: TrialBullet, bullet: Bullet, position: int) -> None:
    row.position, row.depth, row.note, row.group_name = position, bullet.depth, bullet.note, bullet.group[:200]


def _new_bullet(trial: Trial, bullet: Bullet, position: int) -> TrialBullet:
    row = TrialBullet(trial_id=trial.id, position=position, side=bullet.side, text=bullet.text, review="auto",
                      needs_review=False)
    _place(row, bullet, position)
    db.session.add(row)
    db.session.flush()
    return row


def _carry_reworded(unmatched: dict[tuple[str, str], TrialBullet],
                    placed: list[tuple[TrialBullet, Reading | None]]) -> None:
    """An admin's decision on a bullet whose words changed moves to its new wording, flagged for review."""
    for key, old in list(unmatched.items()):
        side, text = key
        best, best_ratio = None, SIMILAR_ENOUGH
        for index, (row, reading) in enumerate(placed):
            if reading is None or row.side != side:
                continue
            ratio = difflib.SequenceMatcher(None, text, row.text).ratio()
            if ratio >= best_ratio:
                best, best_ratio = index, ratio
        if best is None:
            continue
        row, _ = placed[best]
        # Keep the old row (and its corrected criteria) under the new words, for an admin to look at.
        old.text, old.needs_review = row.text, True
        _place(old, Bullet(row.side, row.text, row.depth, None, row.note, row.group_name), row.position)
        db.session.delete(row)
        placed[best] = (old, None)
        del unmatched[key]
