"""Topic listings: latest, per category and the feed, keyset-paged, in one query a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from community.db import db
from community.forum.common import (
    config,
)
from community.models import User
from community.models.forum import (
    Category,
    CategoryWatch,
    Topic,
    TopicRead,
)
from community.permissions import Guardian


@dataclass
class TopicRow:
    topic: Topic
    category: Category
    author_name: str | None
    last_poster_name: str | None
    last_read: int | None  # None: a visitor, or a member who never opened it

    @property
    def unread(self) -> int:
        return max(0, self.topic.last_number - (self.last_read or 0))

    @property
    def is_new(self) -> bool:
        return self.last_read is None


def _cursor(topic: Topic) -> str:
    return f"{int(topic.last_post_at.timestamp() * 1_000_000)}.{topic.id}"


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    match = re.fullmatch(r"(\d{1,20})\.(\d{1,12})", cursor)
    if not match:
        return None
    from datetime import UTC

    try:
        when = datetime.fromtimestamp(int(match.group(1)) / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when, int(match.group(2))


def list_topics(viewer: Any, *, category: Category | None = None, cursor: str | None = None,
                ) -> tuple[list[TopicRow], str | None]:
    """Topics the viewer may see, most recently active first, in one query per page.

    Pages are keyset-paged on (last_post_at, id), so the hundredth page is as
    quick as the first; the cursor for the next page is returned. In a
    category, pinned topics come first on the first page (one more query).
    """
    guardian = Guardian(viewer)
    per_page = config("FORUM_TOPICS_PER_PAGE")
    author = aliased(User)
    last_poster = aliased(User)
    columns = [Topic, Category, author.display_name, last_poster.display_name]
    statement = (select(*columns)
                 .join(Category, Topic.category_id == Category.id)
                 .outerjoin(author, Topic.author_id == author.id)
                 .outerjoin(last_poster, Topic.last_poster_id == last_poster.id)
                 .where(guardian.visible_topics_sql()))
    if guardian.is_member:
        statement = statement.add_columns(TopicRead.last_read_number).outerjoin(
            TopicRead, and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == viewer.id))
    after = _parse_cursor(cursor)
    pinned: list[TopicRow] = []
    if category is not None:
        statement = statement.where(Topic.category_id == category.id)
        if after is None:
            pinned = [TopicRow(row[0], row[1], row[2], row[3], row[4] if guardian.is_member else None)
                      for row in db.session.execute(
                          statement.where(Topic.pinned_at.is_not(None))
                          .order_by(Topic.pinned_at.desc()).limit(10)).all()]
        statement = statement.where(Topic.pinned_at.is_(None))
    if after is not None:
        when, topic_id = after
        statement = statement.where(or_(Topic.last_post_at < when,
                                        and_(Topic.last_post_at == when, Topic.id < topic_id)))
    statement = statement.order_by(Topic.last_post_at.desc(), Topic.id.desc()).limit(per_page + 1)
    rows = []
    for row in db.session.execute(statement).all():
        rows.append(TopicRow(row[0], row[1], row[2], row[3], row[4] if guardian.is_member else None))
    next_cursor = _cursor(rows[per_page - 1].topic) if len(rows) > per_page else None
    return pinned + rows[:per_page], next_cursor


def category_watching(viewer: Any, category: Category) -> bool:
    if not Guardian(viewer).is_member:
        return False
    return db.session.scalar(select(CategoryWatch.id).where(
        CategoryWatch.user_id == viewer.id, CategoryWatch.category_id == category.id)) is not None
