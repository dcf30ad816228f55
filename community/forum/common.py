"""What the forum's modules share: limits, link building and the dialect's upsert."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from community.db import db

TITLE_MIN, TITLE_MAX = 5, 150
DRAFT_KEY = re.compile(r"^(topic|category):(\d{1,10})$")
QUOTE_LINK = re.compile(r"/forum/posts/(\d{1,12})\b")
FORMER_MEMBER = "a former member"


def config(name: str) -> Any:
    return current_app.config[name]


def path(endpoint: str, **values: Any) -> str:
    """A site-relative link that works outside a request too (CLI, demo data, digests)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def insert(model):
    """INSERT with the dialect's ON CONFLICT support (SQLite and PostgreSQL share the API)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)
