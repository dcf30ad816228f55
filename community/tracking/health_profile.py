"""The member's health background: diagnoses, birth year, where they live, medical history."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from community.db import db
from community.errors import ValidationFailed
from community.models import (
    HealthProfile,
)
from community.tracking import catalogue
from community.tracking.common import (
    check_choices,
    check_day,
    clean_text,
    guard,
    local_today,
)


def get_profile(user: Any) -> HealthProfile | None:
    """The member's health profile, or None before they save one."""
    guard(user)
    return db.session.scalar(select(HealthProfile).where(HealthProfile.user_id == user.id))


def _check_history(history: Any, today: date, birth_year: int | None) -> dict:
    """The medical history in its stored shape, or ValidationFailed naming the field at fault."""
    if not isinstance(history, dict):
        raise ValidationFailed("Please choose from the options shown.", field="medical_history")
    asks_year = {key: asks for key, _label, _why, asks in catalogue.HISTORY_CONDITIONS}
    if any(key not in asks_year for key in history):
        raise ValidationFailed("Please choose from the options shown.", field="medical_history")
    cleaned = {}
    for key in catalogue.HISTORY_KEYS:  # catalogue order, so the stored dict reads like the form
        if key not in history:
            continue
        entry = history[key]
        if not isinstance(entry, dict) or set(entry) - {"answer", "year"}:
            raise ValidationFailed("Please choose Not answered, No or Yes.", field=f"history_{key}")
        answer, year = entry.get("answer") or "", entry.get("year")
        if answer not in ("", "yes", "no"):
            raise ValidationFailed("Please choose Not answered, No or Yes.", field=f"history_{key}")
        if year is not None:
            year_field = f"history_{key}_year"
            if not asks_year[key]:
                raise ValidationFailed("This question has no year; please leave it out.", field=year_field)
            if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= today.year:
                raise ValidationFailed(f"Please enter a year between 1900 and {today.year}.", field=year_field)
            if answer != "yes":
                raise ValidationFailed("Please choose Yes, or leave the year empty.", field=year_field)
            if birth_year is not None and year < birth_year:
                raise ValidationFailed("That year is before the year of birth.", field=year_field)
        if answer:
            cleaned[key] = {"answer": answer} if year is None else {"answer": answer, "year": year}
    return cleaned


def save_profile(user: Any, *, today: date | None = None, medical_history: dict | None = None,
                 **values: Any) -> HealthProfile:
    """Save the member's health background; every answer is optional.

    ``medical_history`` ({"cancer": {"answer": "yes", "year": 2019}}, unanswered keys absent)
    replaces the stored one; left out (None), the stored answers are kept.
    """
    guard(user)
    today = today or local_today(user)
    values["diagnoses"] = check_choices(values.get("diagnoses"), catalogue.DIAGNOSES, "diagnoses")
    values["organs"] = check_choices(values.get("organs"), catalogue.ORGANS, "organs")
    check_choices([values.get("nephritis_class") or ""], catalogue.NEPHRITIS_CLASSES, "nephritis_class")
    check_choices([values.get("sex") or ""], catalogue.SEXES, "sex")
    check_choices([values.get("pregnancy") or ""], catalogue.PREGNANCY, "pregnancy")
    if values.get("nephritis_class") and "nephritis" not in values["diagnoses"]:
        values["diagnoses"].append("nephritis")
    birth_date, birth_year = values.get("birth_date"), values.get("birth_year")
    if birth_date is not None:
        check_day(birth_date, today, "birth_date", "The date of birth")
        birth_year = birth_date.year
    if birth_year is not None and not 1900 <= birth_year <= today.year:
        raise ValidationFailed(f"Please enter a year between 1900 and {today.year}.", field="birth_year")
    year, month = values.get("diagnosed_year"), values.get("diagnosed_month")
    if year is not None and not 1900 <= year <= today.year:
        raise ValidationFailed(f"Please enter a year between 1900 and {today.year}.", field="diagnosed_year")
    if month is not None and year is None:
        raise ValidationFailed("Please add the year too.", field="diagnosed_year")
    if month is not None and not 1 <= month <= 12:
        raise ValidationFailed("Please choose a month.", field="diagnosed_month")
    if year is not None and month is not None and date(year, month, 1) > today:
        raise ValidationFailed("That month is in the future.", field="diagnosed_month")
    if year is not None and birth_year is not None and year < birth_year:
        raise ValidationFailed("The diagnosis is before the year of birth.", field="diagnosed_year")
    history = _check_history(medical_history, today, birth_year) if medical_history is not None else None
    texts = {name: clean_text(values.get(name), limit, name, what) for name, limit, what in (
        ("other_diagnosis", 120, "The other diagnosis"), ("country", 60, "The country"),
        ("region", 60, "The region"), ("postal_code", 20, "The postal code"))}
    profile = get_profile(user)
    if profile is None:
        profile = HealthProfile(user_id=user.id)
        db.session.add(profile)
    profile.diagnoses = values["diagnoses"]
    profile.nephritis_class = values.get("nephritis_class") or ""
    profile.other_diagnosis = texts["other_diagnosis"]
    profile.diagnosed_year = year
    profile.diagnosed_month = month
    profile.birth_date = birth_date
    profile.birth_year = birth_year
    profile.sex = values.get("sex") or ""
    profile.country = texts["country"]
    profile.region = texts["region"]
    profile.postal_code = texts["postal_code"]
    profile.organs = values["organs"]
    profile.pregnancy = values.get("pregnancy") or ""
    if history is not None:
        profile.medical_history = history  # a new dict: SQLAlchemy sees JSON changes only on assignment
    db.session.commit()
    return profile


