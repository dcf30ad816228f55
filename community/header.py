"""The counts in the header of every signed-in page, read in one statement.

Each feature says how to count its own part (a ``select(func.count(...))`` for the viewer, or
None when it doesn't apply to them); this module puts them side by side as scalar subqueries,
so a member page pays one round trip for all of them instead of one per feature.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_login import current_user
from sqlalchemy import Integer, bindparam, select

from community.db import db
from community.forum.notifications import unread_notification_query
from community.messages.services import unread_query
from community.moderation.services import open_items_query
from community.trials.suggestions import unread_notification_query as new_trials_query

COUNTS = {
    "notifications": unread_notification_query,
    "messages": unread_query,
    "trials": new_trials_query,
    "review_queue": open_items_query,
}


def header_counts(viewer: Any) -> dict[str, int]:
    """Every header count for this viewer (0 where a count doesn't apply), in one SELECT."""
    counts = dict.fromkeys(COUNTS, 0)
    statement = _statement_for(viewer)
    if statement is not None:
        row = db.session.execute(statement, {VIEWER_ID: viewer.id}).one()
        counts.update({name: value or 0 for name, value in row._mapping.items()})
    return counts


# Building the four count queries cost more Python than running them, on every member page.
# So the combined statement is built once per kind of viewer, with the viewer's id as a bound
# parameter: the builders are handed a stand-in whose ``id`` is that parameter and which
# notes every other attribute they read (is_authenticated, role…). A viewer reuses a built
# statement only when each noted attribute has the same value for them. A builder that
# can't work with the stand-in (it uses the id in Python) just builds for the real viewer.
VIEWER_ID = "header_viewer_id"
_BUILT: list[tuple[tuple[tuple[str, Any], ...], Any]] = []  # (attributes read and their values, statement)
_MAX_BUILT = 32


class _StandIn:
    def __init__(self, viewer: Any):
        self._viewer, self._reads = viewer, {}

    def __getattr__(self, name: str) -> Any:
        if name == "id":
            return bindparam(VIEWER_ID, type_=Integer)
        value = getattr(self._viewer, name)
        self._reads[name] = value
        return value


def _combined(viewer: Any):
    queries = {name: build(viewer) for name, build in COUNTS.items()}
    columns = [query.scalar_subquery().label(name) for name, query in queries.items() if query is not None]
    return select(*columns) if columns else None


def _statement_for(viewer: Any):
    for reads, statement in _BUILT:
        if all(getattr(viewer, name) == value for name, value in reads):
            return statement
    stand_in = _StandIn(viewer)
    try:
        statement = _combined(stand_in)
    except Exception:  # noqa: BLE001 - a builder that needs the real viewer: no reuse for it
        return _combined(viewer)  # its own id inline; the extra parameter is ignored
    if len(_BUILT) < _MAX_BUILT:
        _BUILT.append((tuple(stand_in._reads.items()), statement))
    return statement


def init_app(app: Flask) -> None:
    @app.context_processor
    def _header():
        def counts() -> dict[str, int]:
            if "header_counts" not in g:  # once per request, however often the template asks
                g.header_counts = header_counts(current_user) if current_user.is_authenticated \
                    else dict.fromkeys(COUNTS, 0)
            return g.header_counts

        return {"header_counts": counts}

