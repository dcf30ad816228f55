"""Forum test data, written straight to the tables (fast, no posting limits).

Call inside ``with app.app_context():``; each builder commits. Bodies go
through the real renderer so stored HTML is exactly what the app would store.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import update

from community import rendering
from community.db import db, utcnow
from community.models.forum import Category, Post, Topic

_counter = itertools.count(1)


def make_category(*, name: str | None = None, members_only_default: bool = True) -> Category:
    n = next(_counter)
    category = Category(slug=f"category-{n}", name=name or f"Category {n}", description="About things",
                        position=n, members_only_default=members_only_default,
                        topic_count=0, post_count=0)
    db.session.add(category)
    db.session.commit()
    return category


def _post(topic: Topic, number: int, author_id: int | None, body: str, when) -> Post:
    rendered = rendering.render(body)
    return Post(topic_id=topic.id, number=number, author_id=author_id, body_raw=body,
                body_html=rendered.html, body_text=rendered.text, created_at=when)


def make_topic(author, category: Category, *, title: str | None = None, body: str = "Opening post",
               members_only: bool = False, replies: int = 0, reply_author=None,
               reply_body: str = "Reply number {n}", age: timedelta = timedelta(hours=1)) -> Topic:
    """A topic with its opening post and ``replies`` replies, spread over the last ``age``."""
    n = next(_counter)
    start = utcnow() - age
    step = age / (replies + 2)
    last_author = reply_author or author
    topic = Topic(category_id=category.id, author_id=author.id, title=title or f"Topic number {n}",
                  members_only=members_only, created_at=start,
                  last_post_at=start + step * replies if replies else start,
                  last_poster_id=(last_author.id if replies else author.id),
                  last_number=replies + 1, reply_count=replies)
    db.session.add(topic)
    db.session.flush()
    db.session.add(_post(topic, 1, author.id, body, start))
    for i in range(replies):
        db.session.add(_post(topic, i + 2, last_author.id, reply_body.format(n=i + 2), start + step * (i + 1)))
    db.session.execute(update(Category).where(Category.id == category.id).values(
        topic_count=Category.topic_count + 1, post_count=Category.post_count + replies + 1))
    db.session.commit()
    return topic


def first_post(topic: Topic) -> Post:
    from sqlalchemy import select

    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def make_old_member(**fields):
    """A member past the first-day limits."""
    from tests.support.factories import make_user

    user = make_user(**fields)
    user.created_at = utcnow() - timedelta(days=30)
    db.session.commit()
    return user
