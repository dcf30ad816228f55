"""Following topics and categories: who is told about new replies and topics."""

from __future__ import annotations

from sqlalchemy import delete

from community.db import db, utcnow
from community.forum.categories import get_category
from community.forum.common import (
    insert,
)
from community.forum.reading import (
    load_topic,
)
from community.models import User
from community.models.forum import (
    Category,
    CategoryWatch,
    Topic,
    TopicWatch,
)
from community.permissions import Guardian


def set_topic_watch(user: User, topic_id: int, watch: bool) -> Topic:
    """Follow or stop following a topic."""
    guardian = Guardian(user)
    topic, _category = load_topic(guardian, topic_id)
    guardian.ensure(guardian.can_watch_topic(topic), hide=True)
    if watch:
        db.session.execute(insert(TopicWatch).values(user_id=user.id, topic_id=topic.id,
                                                      created_at=utcnow()).on_conflict_do_nothing())
    else:
        db.session.execute(delete(TopicWatch).where(TopicWatch.user_id == user.id,
                                                    TopicWatch.topic_id == topic.id))
    db.session.commit()
    return topic


def set_category_watch(user: User, slug: str, watch: bool) -> Category:
    """Follow or stop following new topics in a category."""
    guardian = Guardian(user)
    category = get_category(slug)
    guardian.ensure(guardian.can_watch_category(category), hide=True)
    if watch:
        db.session.execute(insert(CategoryWatch).values(
            user_id=user.id, category_id=category.id, created_at=utcnow()).on_conflict_do_nothing())
    else:
        db.session.execute(delete(CategoryWatch).where(CategoryWatch.user_id == user.id,
                                                       CategoryWatch.category_id == category.id))
    db.session.commit()
    return category
