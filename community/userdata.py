"""What each member's data is, for "download my data" and "delete my account".

Every table that holds data linked to a member registers here how it is
exported and what deletion does to it. A test walks the metadata and fails
when a table linked to ``users`` is not registered, so a new feature cannot
forget either.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import DeclarativeBase

from community.db import db


class OnDelete(enum.Enum):
    ERASE = "erase"  # rows are deleted with the account
    ANONYMISE = "anonymise"  # rows stay (forum posts) but no longer point at the member
    KEEP = "keep"  # accountability records (staff log); never contains health data


@dataclass(frozen=True)
class PersonalData:
    model: type[DeclarativeBase]
    owner_column: str
    on_delete: OnDelete
    section: str
    exclude: tuple[str, ...] = ()
    anonymise_values: dict[str, Any] = field(default_factory=dict)
    why_kept: str = ""


_registry: dict[str, PersonalData] = {}
_custom_erasers: list[Callable[[Any], None]] = []


def register(model, *, owner_column: str, section: str, on_delete: OnDelete = OnDelete.ERASE,
             exclude: tuple[str, ...] = (), anonymise_values: dict[str, Any] | None = None,
             why_kept: str = "") -> None:
    """Declare a member-linked table: which column points at the member, and its fate."""
    if on_delete is OnDelete.ANONYMISE and not anonymise_values:
        raise ValueError("anonymised tables must say which values replace the member's")
    if on_delete is OnDelete.KEEP and not why_kept:
        raise ValueError("tables kept after deletion must say why")
    _registry[model.__tablename__] = PersonalData(
        model, owner_column, on_delete, section, exclude, anonymise_values or {}, why_kept)


def register_eraser(func: Callable[[Any], None]) -> Callable[[Any], None]:
    """Extra clean-up at deletion for data linked by something other than a user id."""
    _custom_erasers.append(func)
    return func


def registered_tables() -> dict[str, PersonalData]:
    return dict(_registry)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def row_to_dict(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: _plain(getattr(row, c.key)) for c in row.__mapper__.column_attrs
            if c.key not in exclude}


def export_member(user: Any) -> dict[str, Any]:
    """Everything this member has stored here, grouped by section, as plain JSON values."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for entry in _registry.values():
        column = getattr(entry.model, entry.owner_column)
        rows = db.session.scalars(select(entry.model).where(column == user.id)
                                  .order_by(*entry.model.__mapper__.primary_key)).all()
        sections.setdefault(entry.section, []).extend(row_to_dict(r, entry.exclude) for r in rows)
    return sections


def erase_member(user: Any) -> None:
    """Erase or anonymise every registered table for this member (no commit)."""
    for func in _custom_erasers:
        func(user)
    # Children before parents: registration order is import order, so go backwards.
    for entry in reversed(list(_registry.values())):
        column = getattr(entry.model, entry.owner_column)
        if entry.on_delete is OnDelete.ERASE:
            db.session.execute(delete(entry.model).where(column == user.id))
        elif entry.on_delete is OnDelete.ANONYMISE:
            db.session.execute(update(entry.model).where(column == user.id)
                               .values(**entry.anonymise_values))
