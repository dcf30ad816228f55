"""Drafts: what a member is writing, kept per topic or category until it is posted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from community import rendering
from community.db import MAX_ROW_ID, db, utcnow
from community.errors import NotFound, ValidationFailed
from community.forum.common import (
    DRAFT_KEY,
    TITLE_MAX,
    config,
    insert,
)
from community.forum.reading import (
    load_topic,
)
from community.models import User
from community.models.forum import (
    Category,
    Draft,
)
from community.permissions import Guardian


def _draft_target(user: User, key: str) -> None:
    match = DRAFT_KEY.match(key or "")
    if not match:
        raise NotFound()
    guardian = Guardian(user)
    if match.group(1) == "topic":
        topic, _category = load_topic(guardian, int(match.group(2)))
        guardian.ensure(guardian.can_reply(topic), hide=True)
    elif int(match.group(2)) > MAX_ROW_ID or db.session.get(Category, int(match.group(2))) is None:
        raise NotFound()


def get_draft(user: Any, key: str) -> Draft | None:
    if not Guardian(user).is_member:
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def save_draft(user: User, key: str, *, title: str = "", body: str = "") -> datetime:
    """Keep what the member is writing (an empty draft is removed); returns when it was saved."""
    _draft_target(user, key)
    title = rendering.clean_text(title or "")[:TITLE_MAX]
    body = rendering.clean_text(body or "")
    if len(body) > config("FORUM_MAX_POST_CHARS"):
        raise ValidationFailed("That draft is too long to save.", field="body")
    now = utcnow()
    if not title.strip() and not body.strip():
        discard_draft(user, key)
    else:
        statement = insert(Draft).values(user_id=user.id, key=key, title=title, body=body,
                                          updated_at=now)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["user_id", "key"],
            set_={"title": statement.excluded.title, "body": statement.excluded.body,
                  "updated_at": statement.excluded.updated_at}))
    db.session.commit()
    return now


def discard_draft(user: User, key: str) -> None:
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == key))
