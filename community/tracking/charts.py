"""Server-side chart geometry: plain numbers the SVG templates draw (no JavaScript, prints well).

Each builder returns positions in a fixed viewBox; the SVG scales to the page.
Every chart also returns the rows of its table equivalent.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from community.models.tracking import SEVERITY_MAX, SEVERITY_SCALE, SEVERITY_WORDS
from community.tracking import catalogue
from community.tracking.pages import ChartData

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 22, 40
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass
class Series:
    name: str
    index: int
    points: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title
    dots: list[tuple[float, float]] = field(default_factory=list)  # daily ratings, faint

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _t) in enumerate(self.points))

    @property
    def marker(self) -> str:
        return MARKERS[self.index % len(MARKERS)]

    # A year of daily dots is hundreds of elements: written here in one pass instead of a
    # template loop formatting every number through Jinja. Only numbers and escaped titles.
    @property
    def dots_svg(self) -> Markup:
        return Markup("".join(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>'  # noqa: S704
                              for x, y in self.dots))

    @property
    def points_svg(self) -> Markup:
        """The weekly points, each with its title, in the series' marker shape."""
        shape = _POINT_SHAPES[self.marker]
        between = "" if self.marker == "diamond" else "\n          "
        return Markup("".join(  # noqa: S704 - numbers formatted here, titles escaped
            "\n          " + shape.format(x=x, y=y, x_=x - 4.5, y_=y - 4.5, y6=y - 6, title=escape(t)) + between + "\n        "
            for x, y, t in self.points))


_POINT_SHAPES = {
    "circle": '<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>{title}</title></circle>',
    "square": '<rect class="point" x="{x_:.1f}" y="{y_:.1f}" width="9" height="9"><title>{title}</title></rect>',
    "triangle": '<path class="point" d="M{x:.1f},{y6:.1f} l6,10 h-12 z"><title>{title}</title></path>',
    "diamond": '<path class="point" d="M{x:.1f},{y6:.1f} l6,6 l-6,6 l-6,-6 z"><title>{title}</title></path>',
}


def _x(day: date, start: date, days: int) -> float:
    return LEFT + (day - start).days / max(days, 1) * (WIDTH - LEFT - RIGHT)


def _ticks(start: date, end: date) -> list[tuple[float, str]]:
    days = (end - start).days + 1
    ticks: list[tuple[float, str]] = []
    if days > 120:
        day = start.replace(day=1)
        while day <= end:
            if day >= start:
                ticks.append((_x(day, start, days), f"{day:%b}" if day.month != 1 else f"{day:%b %Y}"))
            day = (day + timedelta(days=32)).replace(day=1)
    else:
        step = 7 if days <= 45 else 14
        day = start + timedelta(days=(7 - start.weekday()) % 7)
        while day <= end:
            ticks.append((_x(day, start, days), f"{day.day} {day:%b}"))
            day += timedelta(days=step)
    return ticks


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_averages(pairs: list[tuple[date, int]]) -> dict[date, float]:
    """Average rating per week (weeks start on Monday)."""
    buckets: dict[date, list[int]] = defaultdict(list)
    for day, value in pairs:
        buckets[week_start(day)].append(value)
    return {week: sum(v) / len(v) for week, v in sorted(buckets.items())}


def symptom_chart(data: ChartData, say_day) -> dict[str, Any]:
    """Weekly averages of the chosen symptoms, flares shaded, treatment changes marked."""
    start, end, days = data.start, data.end, data.days
    plot_h = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h - value / SEVERITY_MAX * plot_h

    series, table_weeks, averages = [], set(), {}
    for i, sid in enumerate(data.chosen):
        name = data.symptoms[sid].name
        s = Series(name=name, index=i)
        weekly = weekly_averages(data.series[sid])
        averages[sid] = weekly
        for week, avg in weekly.items():
            mid = min(max(week + timedelta(days=3), start), end)
            s.points.append((_x(mid, start, days) + 0.5 * _day_width(days), y(avg),
                             f"{name}, week of {say_day(week)}: {avg:.1f} of 4"))
            table_weeks.add(week)
        if days <= 90:
            s.dots = [(_x(d, start, days) + 0.5 * _day_width(days), y(v)) for d, v in data.series[sid]]
        series.append(s)
    flares = []
    for f in data.flares:
        a = max(f.start_date, start)
        b = min(f.end_date or end, end) + timedelta(days=1)
        x0 = _x(a, start, days)
        flares.append({"x": x0, "w": max(_x(b, start, days) - x0, 2), "severity": f.severity,
                       "title": f"Flare ({f.severity}) from {say_day(f.start_date)}"
                                + (f" to {say_day(f.end_date)}" if f.end_date else ", ongoing")})
    events = []
    for n, (day, kind, t) in enumerate(data.events, start=1):
        events.append({"n": n, "x": _x(day, start, days) + 0.5 * _day_width(days), "kind": kind,
                       "day": day, "treatment": t, "text": treatment_event_text(kind, t)})
    table = [{"week": week, "averages": [averages[sid].get(week) for sid in data.chosen]}
             for week in sorted(table_weeks)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "y_ticks": [(y(v), str(v), SEVERITY_WORDS[v]) for v in SEVERITY_SCALE],
        "x_ticks": _ticks(start, end), "series": series, "flares": flares, "events": events,
        "table": table, "names": [s.name for s in series],
    }


def _day_width(days: int) -> float:
    return (WIDTH - LEFT - RIGHT) / max(days, 1)


def treatment_event_text(kind: str, t) -> str:
    dose = f"{format_number(t.dose)} {catalogue.label(t.unit)} {catalogue.label(t.frequency).lower()}"
    if kind == "started":
        return f"Started {t.name}, {dose}"
    if kind == "changed":
        return f"{t.name} dose changed to {dose}"
    reason = catalogue.label(t.stop_reason).lower() if t.stop_reason else ""
    return f"Stopped {t.name}" + (f" ({reason})" if reason else "")


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"


def lab_chart(series, say_day) -> dict[str, Any] | None:
    """A trend line for one lab series (see labs.series_of), its latest reference range shaded.

    Measured values use a linear axis in the series' unit; titres a dilution axis, where
    each doubling (1:80 → 1:160) is one equal step.
    """
    points = series.points
    if not points:
        return None
    width, height, left, right, top, bottom = 520, 200, 64, 12, 14, 32
    scale = math.log2 if series.titre else float
    first, last = points[0].taken_on, points[-1].taken_on
    span = max((last - first).days, 1)
    latest = points[-1]
    bounds = [v for v in (latest.ref_low, latest.ref_high) if v is not None and (v > 0 or not series.titre)]
    values = [scale(p.value) for p in points] + [scale(v) for v in bounds]
    low, high = min(values), max(values)
    if series.titre:
        low, high = low - 0.5, high + 0.5
    else:
        pad = (high - low) * 0.15 or max(abs(high) * 0.15, 1)
        low, high = max(low - pad, 0), high + pad

    def x(day: date) -> float:
        if len(points) == 1:
            return (left + width - right) / 2
        return left + (day - first).days / span * (width - left - right)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (scale(v) - low) / (high - low))

    band = None
    if bounds:
        y0 = y(latest.ref_high) if latest.ref_high in bounds else top
        y1 = y(latest.ref_low) if latest.ref_low in bounds else height - bottom
        band = {"y": y0, "h": max(y1 - y0, 1)}
    plotted = [(x(p.taken_on), y(p.value), p) for p in points]
    if series.titre:
        dilutions = sorted({p.value for p in points} | set(bounds))
        dilutions = dilutions[::2] if len(dilutions) > 6 else dilutions
        y_ticks = [(y(v), f"1:{v:.0f}") for v in dilutions]
    else:
        y_ticks = [(y(v), format_number(round(v, 2))) for v in (low + (high - low) * k / 4 for k in range(5))]
    x_labels = [(x(p.taken_on), say_day(p.taken_on)) for p in (points[0], points[-1])] \
        if len(points) > 1 else [(x(first), say_day(first))]
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "bottom": height - bottom, "band": band, "points": plotted,
            "path": " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py, _r) in enumerate(plotted)),
            "y_ticks": y_ticks, "x_labels": x_labels}
