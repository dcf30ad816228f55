"""Disclosure control: which aggregate numbers may be published, and how.

A cell (a number of distinct members) is published only when

- it counts at least ``minimum`` members (the cell-suppression rule public-health
  agencies use); smaller cells read "fewer than 11";
- subtracting it from the same cell of the wider cohort cannot isolate a small group:
  a diagnosis cohort against everyone, an age band against its diagnosis (every band of
  the split, "age not given" included, must be empty or large, or the cell is hidden in
  all of them);
- and it is rounded to ``step``, so that two pages compared still leave a margin of
  several members either way.

Everything shown (shares, averages) is derived from cells that passed, never from raw rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

FEW = "few"  # fewer than the minimum: shown as "fewer than 11"
HIDDEN = "hidden"  # large enough, but comparing pages would reveal a small group: "not shown"

# Age bands are coarse on purpose: narrow ones would make small cells.
AGE_BANDS = [("under-40", "under 40"), ("40-59", "40 to 59"), ("60-plus", "60 and over")]
UNKNOWN_AGE = "age-unknown"  # counted in the split's check, never published as a cohort
DIAGNOSES = [("sle", "Systemic lupus (SLE)"), ("nephritis", "Lupus nephritis"),
             ("cutaneous", "Cutaneous lupus")]


def cohorts_for(diagnoses: set[str], band: str) -> list[str]:
    """The cohorts one member counts in: everyone, each of their diagnoses, and diagnosis × age band."""
    out = ["all"]
    for dx, _ in DIAGNOSES:
        if dx in diagnoses:
            out += [dx, f"{dx}:{band}"]
    return out


def published_cohorts() -> list[str]:
    """Every cohort a page may be published for (never the "age not given" band)."""
    return ["all"] + [dx for dx, _ in DIAGNOSES] + [f"{dx}:{b}" for dx, _ in DIAGNOSES for b, _ in AGE_BANDS]


@dataclass
class Cells:
    """Distinct members per (cohort, cell key), and one value per member where a cell is an average."""

    members: dict[str, dict[str, set[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    values: dict[str, dict[str, dict[int, float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict)))

    def add(self, cohorts: list[str], key: str, user_id: int, value: float | None = None) -> None:
        for cohort in cohorts:
            self.members[cohort][key].add(user_id)
            if value is not None:
                self.values[cohort][key][user_id] = value

    def raw(self, cohort: str, key: str) -> int:
        return len(self.members.get(cohort, {}).get(key, ()))

    def keys(self, cohort: str, prefix: str) -> list[str]:
        return [k for k in self.members.get(cohort, {}) if k.startswith(prefix)]


@dataclass(frozen=True)
class Disclosure:
    minimum: int = 11
    step: int = 5

    def rounded(self, n: int) -> int:
        """To the nearest step (halves up); never 0 for a cell that passed the minimum."""
        return max(self.step, (n + self.step // 2) // self.step * self.step) if self.step > 1 else n

    def _small(self, n: int) -> bool:
        return 0 < n < self.minimum

    def _differencing_safe(self, cells: Cells, cohort: str, key: str) -> bool:
        if cohort == "all":
            return True
        dx, _, band = cohort.partition(":")
        if self._small(cells.raw("all", key) - cells.raw(dx, key)):
            return False
        if band:
            split = [b for b, _ in AGE_BANDS] + [UNKNOWN_AGE]
            return not any(self._small(cells.raw(f"{dx}:{b}", key)) for b in split)
        return True

    def count(self, cells: Cells, cohort: str, key: str, *, within: str | None = None) -> int | str:
        """The published count for a cell, or FEW / HIDDEN.

        ``within`` names a wider cell on the same page (members on it "now" within "ever"):
        when the two differ by a small group, the narrower one is hidden.
        """
        n = cells.raw(cohort, key)
        if n < self.minimum:
            return FEW
        if not self._differencing_safe(cells, cohort, key):
            return HIDDEN
        if within is not None and self._small(cells.raw(cohort, within) - n):
            return HIDDEN
        return self.rounded(n)

    def mean(self, cells: Cells, cohort: str, key: str) -> float | None:
        """The average of the members' values in a cell, to one decimal, when its count is published."""
        if not isinstance(self.count(cells, cohort, key), int):
            return None
        values = cells.values[cohort][key].values()
        return round(sum(values) / len(values), 1) if values else None

    def quartiles(self, cells: Cells, cohort: str, key: str) -> tuple[float, float, float] | None:
        """The middle half and median of the members' values (never the extremes, which are one person)."""
        if not isinstance(self.count(cells, cohort, key), int):
            return None
        ordered = sorted(cells.values[cohort][key].values())
        if not ordered:
            return None

        def at(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1) + 0.5))]

        return at(0.25), at(0.5), at(0.75)
