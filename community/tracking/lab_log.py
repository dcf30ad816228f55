"""Recording lab results: values and titres as typed, dates, the lab's own normal range."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    LabResult,
    LabTest,
)
from community.tracking.common import (
    catalogue_or_typed,
    check_day,
    clean_text,
    ensure_own,
    guard,
    local_today,
    own_record,
)

MAX_LAB_VALUE = 1_000_000
TITRE = re.compile(r"^1\s*:\s*(\d{1,7})$")
NUMBER = re.compile(r"^[+]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_lab_value(text: str | None) -> tuple[float, str]:
    """A lab value as typed ("4.2", "4,2", "1:320") → (number, tidy text); anything else is refused."""
    text = (text or "").strip().replace(" ", "")
    titre = TITRE.match(text)
    if titre:
        denominator = int(titre.group(1))
        if denominator < 1:
            raise ValidationFailed("A titre looks like 1:160.", field="value")
        return float(denominator), f"1:{denominator}"
    if text.startswith("-"):
        raise ValidationFailed("A lab value can't be negative.", field="value")
    if not NUMBER.match(text):
        raise ValidationFailed("Please enter a number, like 4.2 (or a titre, like 1:320).", field="value")
    value = float(text.replace(",", "."))
    if value > MAX_LAB_VALUE:
        raise ValidationFailed("That value looks too large. Please check it.", field="value")
    return value, f"{value:g}"


@dataclass
class LabData:
    lab_test_id: int | None
    name: str
    value: str
    unit: str
    taken_on: date | None
    ref_low: float | None = None
    ref_high: float | None = None
    notes: str = ""


def list_labs(user: Any) -> list[LabResult]:
    """The member's lab results, by test and then date."""
    guard(user)
    return list(db.session.scalars(select(LabResult).where(LabResult.user_id == user.id)
                                   .order_by(LabResult.name, LabResult.taken_on, LabResult.id)))


def get_lab(user: Any, lab_id: int) -> LabResult:
    """One of the member's lab results (404 for anyone else's)."""
    return own_record(user, LabResult, lab_id)


def save_lab(user: Any, data: LabData, *, lab: LabResult | None = None, today: date | None = None) -> LabResult:
    """Record or change a lab result; flagged high/low against the lab's own range."""
    guard(user)
    today = today or local_today(user)
    if lab is not None:
        ensure_own(user, lab)
    test, name = catalogue_or_typed(LabTest, data.lab_test_id, data.name, "lab_test_id", "test")
    value, value_text = parse_lab_value(data.value)
    check_day(data.taken_on, today, "taken_on")
    for name_, bound in (("ref_low", data.ref_low), ("ref_high", data.ref_high)):
        if bound is not None and (not math.isfinite(bound) or bound < 0 or bound > MAX_LAB_VALUE):
            raise ValidationFailed("Please check this number.", field=name_)
    if data.ref_low is not None and data.ref_high is not None and data.ref_low > data.ref_high:
        raise ValidationFailed("The lowest normal value is above the highest.", field="ref_high")
    unit = clean_text(data.unit, 20, "unit", "The unit")
    if value_text.startswith("1:"):
        # A titre is a dilution, not an amount in IU/mL: it is kept without a unit.
        if unit:
            raise ValidationFailed("A titre like 1:320 has no unit. Please clear the unit, or enter the "
                                   "result as a number if the report gives one with a unit.", field="unit")
    else:
        unit = unit or (test.unit if test else "")
    notes = clean_text(data.notes, 300, "notes", "Notes")
    if lab is None:
        lab = LabResult(user_id=user.id)
        db.session.add(lab)
    lab.lab_test_id = test.id if test else None
    lab.name = name
    lab.value = value
    lab.value_text = value_text
    lab.unit = unit
    lab.taken_on = data.taken_on
    lab.ref_low = data.ref_low
    lab.ref_high = data.ref_high
    lab.notes = notes
    db.session.commit()
    return lab


def delete_lab(user: Any, lab: LabResult) -> None:
    """Delete one of the member's lab results."""
    db.session.delete(ensure_own(user, lab))
    db.session.commit()


