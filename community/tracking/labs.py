"""Lab results for reading and charting: titres apart from measured amounts, one unit per chart.

A titre ("1:320") is the last dilution that still reacts, not an amount: it has no unit,
reads as "1:320" and is charted on a dilution scale (each step doubles). Measured values
of one test reported in different units (C3 in g/L and in mg/dL) are converted to one unit
with the trials matcher's conversions before they share an axis; a unit that can't be
converted gets a chart of its own rather than a false jump on a shared one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from community.models import LabResult, LabTest
from community.tracking.charts import lab_chart
from community.trials import units


def is_titre(lab: LabResult) -> bool:
    """Whether the result was entered as a titre (stored as "1:<dilution>")."""
    return lab.value_text.startswith("1:")


def unit_of(lab: LabResult) -> str:
    """The result's unit; none for a titre (older titres were stored with the test's usual unit)."""
    return "" if is_titre(lab) else lab.unit


def shown(lab: LabResult) -> str:
    """The result as the member reads it: "1:320", "0.6 g/L"."""
    return f"{lab.value_text} {unit_of(lab)}".strip()


def normal_range(lab: LabResult) -> str:
    """The lab's normal range as printed: "0.9–1.8", "…–30"; for a titre "up to 1:80"."""
    low, high = lab.ref_low, lab.ref_high
    if low is None and high is None:
        return ""
    if is_titre(lab):
        if low is None:
            return f"up to 1:{high:g}"
        return f"1:{low:g}–1:{high:g}" if high is not None else f"1:{low:g} or more"
    return f"{_number(low) if low is not None else '…'}–{_number(high) if high is not None else '…'}"


@dataclass
class LabPoint:
    """One result placed on a chart: its value (and the lab's range) in the chart's unit."""

    result: LabResult
    value: float
    ref_low: float | None
    ref_high: float | None
    unit: str = ""  # the chart's unit
    converted: bool = False  # True when the value was reported in another unit

    @property
    def taken_on(self) -> date:
        return self.result.taken_on

    @property
    def flag(self) -> str:
        return self.result.flag

    @property
    def text(self) -> str:
        """What the member entered, with the converted value when it differs."""
        if not self.converted:
            return shown(self.result)
        return f"{shown(self.result)} = {_number(self.value)} {self.unit}"


@dataclass
class LabSeries:
    """Results of one test that can honestly share an axis: titres, or values in one unit."""

    titre: bool
    unit: str
    points: list[LabPoint] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        return any(p.converted for p in self.points)


def _number(value: float) -> str:
    return f"{round(value, 3):g}"


def _same_unit(test_key: str, value: float | None, unit: str, base_unit: str) -> float | None:
    """``value`` (in ``unit``) in ``base_unit``, or None when the two units can't be compared."""
    if value is None:
        return None
    if units.normal_unit(unit, test_key) == units.normal_unit(base_unit, test_key):
        return value
    if not unit or not base_unit:
        return None  # a missing unit is not "any unit"
    return units.comparable(test_key, value, unit, base_unit)


def series_of(results: list[LabResult], test: LabTest | None) -> list[LabSeries]:
    """Split one test's results (oldest first) into series that may share an axis.

    Measured values go into the test's usual unit (the catalogue's, else the latest
    result's); those in a unit that doesn't convert form a series per unit; titres form
    their own series.
    """
    # The conversions are keyed by catalogue slug; a typed "CRP" or "C3" finds its entry too.
    test_key = test.slug if test is not None else results[0].name.strip().lower() if results else ""
    measured = [r for r in results if not is_titre(r)]
    base_unit = test.unit if test is not None and test.unit else (measured[-1].unit if measured else "")
    by_unit: dict[str, LabSeries] = {}
    titres = LabSeries(titre=True, unit="")
    for r in results:
        if is_titre(r):
            titres.points.append(LabPoint(r, r.value, r.ref_low, r.ref_high))
            continue
        value = _same_unit(test_key, r.value, r.unit, base_unit)
        if value is not None:
            key, unit = "", base_unit
            low = _same_unit(test_key, r.ref_low, r.unit, base_unit)
            high = _same_unit(test_key, r.ref_high, r.unit, base_unit)
        else:
            key, unit, value, low, high = units.normal_unit(r.unit, test_key), r.unit, r.value, r.ref_low, r.ref_high
        series = by_unit.setdefault(key, LabSeries(titre=False, unit=unit))
        series.points.append(LabPoint(r, value, low, high, unit=unit, converted=value != r.value))
    found = list(by_unit.values()) + ([titres] if titres.points else [])
    return [s for s in found if s.points]


def trends(results: list[LabResult], tests: list[LabTest], say_day) -> list[tuple[str, list, list]]:
    """Per test name: its results (oldest first) and its charts, one per series with two or more points."""
    tests_by_id = {t.id: t for t in tests}
    groups: dict[str, list[LabResult]] = {}
    for result in results:
        groups.setdefault(result.name, []).append(result)
    out = []
    for name, rows in groups.items():
        test = next((tests_by_id[r.lab_test_id] for r in rows if r.lab_test_id in tests_by_id), None)
        charts: list[dict[str, Any]] = []
        for series in series_of(rows, test):
            if len(series.points) > 1:
                charts.append({"series": series, "chart": lab_chart(series, say_day)})
        out.append((name, rows, charts))
    return out
