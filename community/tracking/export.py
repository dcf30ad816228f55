"""CSV exports of the member's own records (check-ins, flares, treatments, labs)."""

from __future__ import annotations

import csv
import io
from typing import Any

from community.tracking import catalogue
from community.tracking.charts import format_number
from community.tracking.labs import unit_of
from community.tracking.pages import ExportRows

KINDS = {
    "check-ins": "Daily check-ins: one row a day, one column per symptom (0 none … 4 very severe)",
    "flares": "Flares: dates, your own severity rating, symptoms, triggers and what you did",
    "treatments": "Treatments: medicine, dose, dates, why stopped, and side effects noted",
    "labs": "Lab results: value, unit, date, the lab's range and high/low flags",
}


def _cell(value: Any) -> Any:
    """Spreadsheets run cells that start with = + - @ as formulas: keep member text inert."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _labels(keys) -> str:
    return "; ".join(catalogue.label(k) for k in keys or [])


def to_csv(kind: str, data: ExportRows) -> str:
    """One kind of record as CSV text, starting with a UTF-8 byte-order mark."""
    out = io.StringIO()
    # Without the mark, Excel reads the file in the local code page and mangles emoji, Arabic, é…
    out.write("\ufeff")
    writer = csv.writer(out)
    rows: list[list[Any]]
    if kind == "check-ins":
        symptoms = data.symptoms
        used = sorted({r.symptom_id for c in data.checkins for r in c.ratings if r.symptom_id in symptoms},
                      key=lambda sid: (symptoms[sid].sort_order, symptoms[sid].name))
        names = {t.id: t.name for t in data.treatments}
        header = ["date", "wellbeing (1-5)", "sleep hours"] + [symptoms[sid].name for sid in used] + [
            "triggers", "other trigger", "medicines taken", "notes"]
        rows = []
        for c in data.checkins:
            ratings = {r.symptom_id: r.severity for r in c.ratings}
            rows.append([c.day.isoformat(), c.wellbeing if c.wellbeing is not None else "",
                         format_number(c.sleep_hours)] + [ratings.get(sid, "") for sid in used] + [
                _labels(c.triggers), c.custom_trigger,
                "; ".join(names.get(t, "") for t in c.medications_taken or []), c.notes])
    elif kind == "flares":
        header = ["start", "end", "severity (your own rating)", "symptoms", "organs", "triggers", "actions",
                  "notes"]
        rows = [[f.start_date.isoformat(), f.end_date.isoformat() if f.end_date else "ongoing", f.severity,
                 "; ".join(f.symptoms or []), _labels(f.organs), _labels(f.triggers), _labels(f.actions),
                 f.notes] for f in data.flares]
    elif kind == "treatments":
        effects: dict[int, list] = {}
        for e in data.side_effects:
            effects.setdefault(e.treatment_id, []).append(e)
        header = ["medicine", "dose", "unit", "how often", "started", "stopped", "why stopped",
                  "side effects", "notes"]
        rows = [[t.name, format_number(t.dose), catalogue.label(t.unit), catalogue.label(t.frequency),
                 t.start_date.isoformat(), t.stop_date.isoformat() if t.stop_date else "",
                 catalogue.label(t.stop_reason) if t.stop_reason else "",
                 "; ".join(f"{e.noted_on.isoformat()}: {e.description}"
                           + (f" ({e.severity}/4)" if e.severity is not None else "")
                           for e in effects.get(t.id, [])), t.notes] for t in data.treatments]
    else:
        header = ["date", "test", "value", "unit", "lowest normal", "highest normal", "flag", "notes"]
        rows = [[lab.taken_on.isoformat(), lab.name, lab.value_text, unit_of(lab), format_number(lab.ref_low),
                 format_number(lab.ref_high), lab.flag, lab.notes] for lab in data.labs]
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
