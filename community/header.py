"""The counts in the header of every signed-in page, read in one statement.

Each feature says how to count its own part (a ``select(func.count(...))`` for the viewer, or
None when it doesn't apply to them); this module puts them side by side as scalar subqueries,
so a member page pays one round trip for all of them instead of one per feature.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_login import current_user
from sqlalchemy import select

from community.db import db
from community.forum.notifications import unread_notification_query
from community.messages.services import unread_query
from community.moderation.queue import open_items_query
from community.trials.suggestions import unread_notification_query as new_trials_query

COUNTS = {
    "notifications": unread_notification_query,
    "messages": unread_query,
    "trials": new_trials_query,
    "review_queue": open_items_query,
}


def header_counts(viewer: Any) -> dict[str, int]:
    """Every header count for this viewer (0 where a count doesn't apply), in one SELECT."""
    queries = {name: build(viewer) for name, build in COUNTS.items()}
    columns = [query.scalar_subquery().label(name) for name, query in queries.items() if query is not None]
    counts = dict.fromkeys(COUNTS, 0)
    if columns:
        row = db.session.execute(select(*columns)).one()
        counts.update({name: value or 0 for name, value in row._mapping.items()})
    return counts


def init_app(app: Flask) -> None:
    @app.context_processor
    def _header():
        def counts() -> dict[str, int]:
            if "header_counts" not in g:  # once per request, however often the template asks
                g.header_counts = header_counts(current_user) if current_user.is_authenticated \
                    else dict.fromkeys(COUNTS, 0)
            return g.header_counts

        return {"header_counts": counts}

