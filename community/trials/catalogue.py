"""The suggestible catalogue as matcher specs, cached per process, and which studies changed since when.

Every study carries a fingerprint of what matching reads of it (status, criteria, sites) and the
catalogue version at which that last changed. Whoever first reads the catalogue after an import
or a curation (``current``) compares fingerprints and gives the studies that changed the next
version of the one-row counter. A member's stored matches remember the version they reflect, so
a re-match after an import evaluates only the studies newer than that (``Catalogue.changed_since``).
"""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update

from community.db import db
from community.models.trials import Trial, TrialBullet, TrialCatalogue, TrialCriterion
from community.trials import matching


@dataclass(frozen=True)
class Changed:
    """The studies whose matching inputs changed after some version: specs to re-match, ids to forget."""

    specs: list[matching.TrialSpec]
    trial_ids: list[int]


@dataclass(frozen=True)
class Catalogue:
    key: tuple
    version: int
    specs: list[matching.TrialSpec]
    ids: dict[str, int]  # row id by NCT number, for the suggestible studies
    # changed_since's answers, per starting version: most members start from the same one.
    _changed: dict[int, Changed] = field(default_factory=dict, compare=False)

    def changed_since(self, version: int) -> Changed:
        """The studies whose matching inputs changed after ``version`` (suggestible now or not)."""
        found = self._changed.get(version)
        if found is None:
            rows = db.session.execute(select(Trial.id, Trial.nct_id).where(Trial.match_version > version)).all()
            by_nct = {spec.nct_id: spec for spec in self.specs} if rows else {}
            found = self._changed[version] = Changed([by_nct[r.nct_id] for r in rows if r.nct_id in by_nct],
                                                     [r.id for r in rows])
        return found


# This process's catalogue for the newest state it has seen. Building the specs (reading and
# decoding every criterion, grouping sites by country) costs far more than matching one member;
# the catalogue changes only on imports and curation, which bump Trial.updated_at (a count
# catches additions). Each call reads that key in one statement, so every process and instance
# sees a change on its next match.
_cached: Catalogue | None = None


def current() -> Catalogue:
    """The suggestible catalogue now, every changed study given a new version first."""
    global _cached
    count, newest, version = db.session.execute(select(
        func.count(Trial.id), func.max(Trial.updated_at),
        select(TrialCatalogue.version).where(TrialCatalogue.id == 1).scalar_subquery())).one()
    # The counter belongs in the key: if a transaction that raised it rolled back, the next
    # call sees the old number, reads again and raises it again.
    key = (str(db.engine.url), count, newest, version or 0)
    catalogue = _cached
    if catalogue is None or catalogue.key != key:
        catalogue = _cached = _read(key)
        keep_out_of_garbage_collection()
    return catalogue


def keep_out_of_garbage_collection() -> None:
    """Stop the cyclic garbage collector walking the cached specs in every full collection.

    Thousands of trials make tens of thousands of long-lived objects; a full collection that
    lands inside a matching run walked them all, adding ~100 ms to one run in ten (measured:
    p95 166 → 68 ms for 5,000 trials). Collecting first means only live objects are frozen;
    the catalogue changes only on imports and curation, so this runs rarely.
    """
    gc.collect()
    gc.freeze()


def _read(key: tuple) -> Catalogue:
    """Only the columns matching needs, in two queries (whole trial rows carry long registry text)."""
    trials = db.session.execute(select(Trial.id, Trial.nct_id, Trial.overall_status, Trial.locations,
                                       Trial.match_fingerprint)).all()
    criteria: dict[int, list[matching.CriterionSpec]] = {t.id: [] for t in trials}
    for c in db.session.execute(select(TrialCriterion.trial_id, TrialCriterion.kind, TrialCriterion.params,
                                       TrialCriterion.source, TrialBullet.position.label("bullet"))
                                .join(Trial, Trial.id == TrialCriterion.trial_id)
                                .outerjoin(TrialBullet, TrialBullet.id == TrialCriterion.bullet_id)
                                .where(Trial.overall_status.in_(matching.SUGGESTED_STATUSES))
                                .order_by(TrialCriterion.trial_id, TrialCriterion.position, TrialCriterion.id)):
        criteria[c.trial_id].append(matching.CriterionSpec(c.kind, c.params, c.source, bullet=c.bullet))
    specs, ids, changed = [], {}, []
    for t in trials:
        suggested = t.overall_status in matching.SUGGESTED_STATUSES
        spec = matching.TrialSpec(t.nct_id, t.overall_status, _matched_on(criteria[t.id]), t.locations) \
            if suggested else None
        if spec is not None:
            specs.append(spec)
            ids[t.nct_id] = t.id
        fingerprint = _fingerprint(t.overall_status, spec)
        if fingerprint != t.match_fingerprint:
            changed.append({"id": t.id, "match_fingerprint": fingerprint})
    version = key[3]
    if changed:
        version = _raise_version()
        db.session.execute(update(Trial), [{**row, "match_version": version} for row in changed])
        key = (*key[:3], version)
    return Catalogue(key, version, specs, ids)


def _fingerprint(status: str, spec: matching.TrialSpec | None) -> str:
    """What matching reads of a study. A study that is not suggested is not matched at all: its
    status is all that can change its members' lists (when it starts or stops recruiting)."""
    inputs: list = [status]
    if spec is not None:
        inputs += [[[c.kind, c.params, c.source, c.bullet] for c in spec.criteria], spec.locations]
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _raise_version() -> int:
    """The counter's next value, under the counter row's lock (taken until this transaction ends)."""
    db.writing()  # a page visit (GET) may be the first to see an import
    raised = db.session.execute(update(TrialCatalogue).where(TrialCatalogue.id == 1)
                                .values(version=TrialCatalogue.version + 1)
                                .returning(TrialCatalogue.version)).scalar()
    if raised is None:  # a database created from the models rather than the migrations
        db.session.execute(insert(TrialCatalogue).values(id=1, version=1))
        raised = 1
    return raised


def _matched_on(criteria: list[matching.CriterionSpec]) -> list[matching.CriterionSpec]:
    """The criteria a study is matched on, in position order."""
    # A study an admin curated by hand (the shipped ones) is matched on that curation, written from the
    # same text; its bullets are still shown, read, to the member.
    if any(spec.source == "curated" and spec.bullet is None for spec in criteria):
        return [spec for spec in criteria if spec.bullet is None]
    return criteria


def trial_spec(trial: Trial) -> matching.TrialSpec:
    """One study (criteria and bullets loaded) as a matcher spec, whatever its status."""
    positions = {b.id: b.position for b in trial.bullets}
    criteria = [matching.CriterionSpec(c.kind, c.params, c.source, bullet=positions.get(c.bullet_id))
                for c in sorted(trial.criteria, key=lambda c: (c.position, c.id))]
    return matching.TrialSpec(trial.nct_id, trial.overall_status, _matched_on(criteria), trial.locations)
