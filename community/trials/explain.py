"""A study explained bullet by bullet: the registry's own words beside what the member's records say.

Pure: stored bullets and stored match results in, a page's worth of plain data out. Each
bullet comes out as one of

- **met**: everything read from it is met by the member's records;
- **not met**: something read from it is not met (the reason is shown);
- **to ask about**: something is unknown — with what would answer it: a record the member
  can add (and where), or a question for their doctor;
- **the study team checks**: nothing in it could be read, or it is about taking part
  (consent, contraception, visits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MET, NOT_MET, ASK, TEAM = "met", "not_met", "ask", "team"
OUTCOME_ORDER = (NOT_MET, ASK, MET, TEAM)


@dataclass(frozen=True)
class BulletView:
    side: str
    text: str
    depth: int
    note: bool
    outcome: str  # met | not_met | ask | team ("" for a note)
    results: tuple[dict, ...] = ()

    @property
    def answers(self) -> tuple[str, ...]:
        """Where the member could answer this bullet's unknowns ("profile", "labs"…), each once."""
        return tuple(dict.fromkeys(r.get("answer") for r in self.results
                                   if r.get("outcome") == "unknown" and r.get("answer")))

    @property
    def ask_doctor(self) -> bool:
        """Whether some unknown here is for the member's doctor (a clinician-only measure)."""
        return any(r.get("outcome") == "unknown" and r.get("clinician_only") and r.get("kind") != "procedure"
                   for r in self.results)


@dataclass(frozen=True)
class Explanation:
    record: tuple[dict, ...]  # from the registry's fields (age, sex, condition) and the sites
    bullets: tuple[BulletView, ...]
    counts: dict[str, int] = field(default_factory=dict)

    def side(self, side: str) -> list[BulletView]:
        return [b for b in self.bullets if b.side == side]


def outcome_of(results: Sequence[dict]) -> str:
    """One bullet's outcome from the results read from it (all must hold)."""
    judged = [r for r in results if r.get("kind") != "procedure"]
    if not judged:
        return TEAM
    if any(r.get("outcome") == "not_met" for r in judged):
        return NOT_MET
    if all(r.get("outcome") == "met" for r in judged):
        return MET
    return ASK


def _record_outcome(result: dict) -> str:
    return {"met": MET, "not_met": NOT_MET}.get(result.get("outcome"), ASK)


def explain(bullets: Iterable, results: Sequence[dict] | None) -> Explanation:
    """Every bullet (objects with side, text, depth, note, position) beside the results read from it."""
    by_bullet: dict[int, list[dict]] = {}
    record: list[dict] = []
    for r in results or ():
        if r.get("bullet") is None:
            record.append(r)
        else:
            by_bullet.setdefault(r["bullet"], []).append(r)
    views = []
    for b in bullets:
        found = tuple(by_bullet.get(b.position, ()))
        views.append(BulletView(b.side, b.text, b.depth, b.note, "" if b.note else outcome_of(found), found))
    counts = {key: 0 for key in OUTCOME_ORDER}
    for view in views:
        if view.outcome:
            counts[view.outcome] += 1
    for r in record:
        counts[_record_outcome(r)] += 1
    return Explanation(tuple(record), tuple(views), counts)


def summary_counts(results: Sequence[dict]) -> dict[str, int]:
    """Met / not met / to ask about, counting each bullet once (for lists of many studies)."""
    groups: dict[object, list[dict]] = {}
    for index, r in enumerate(results or ()):
        key = ("bullet", r["bullet"]) if r.get("bullet") is not None else ("record", index)
        groups.setdefault(key, []).append(r)
    counts = {key: 0 for key in OUTCOME_ORDER}
    for items in groups.values():
        counts[outcome_of(items)] += 1
    return counts
