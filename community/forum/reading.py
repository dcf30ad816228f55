"""Reading a topic: loading what a viewer may see (404 otherwise), pages of posts, read markers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select, update

from community.db import MAX_ROW_ID, db, utcnow
from community.errors import NotFound
from community.forum.common import (
    FORMER_MEMBER,
    config,
    insert,
)
from community.models import User
from community.models.forum import (
    Category,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicRead,
    TopicWatch,
)
from community.permissions import Guardian


@dataclass
class PostView:
    post: Post
    author: User | None
    reactions: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    is_unread: bool = False

    @property
    def author_name(self) -> str:
        return self.author.display_name if self.author is not None else FORMER_MEMBER


@dataclass
class TopicPage:
    topic: Topic
    category: Category
    posts: list[PostView]
    page: int
    pages: int
    watching: bool


class MembersOnly(NotFound):
    """A signed-out visitor asked for a members-only topic: still not found, but they may sign in to read it."""


def _ensure_visible(guardian: Guardian, topic: Topic) -> None:
    if not guardian.can_view_topic(topic):
        raise MembersOnly() if guardian.may_learn_topic_is_for_members(topic) else NotFound()


def load_topic(guardian: Guardian, topic_id: int) -> tuple[Topic, Category]:
    if not 0 < topic_id <= MAX_ROW_ID:
        raise NotFound()
    row = db.session.execute(select(Topic, Category).join(Category, Topic.category_id == Category.id)
                             .where(Topic.id == topic_id)).first()
    if row is None:
        raise NotFound()
    topic, category = row
    _ensure_visible(guardian, topic)
    return topic, category


def load_post(guardian: Guardian, post_id: int) -> tuple[Post, Topic]:
    if not 0 < post_id <= MAX_ROW_ID:
        raise NotFound()
    row = db.session.execute(select(Post, Topic).join(Topic, Post.topic_id == Topic.id)
                             .where(Post.id == post_id)).first()
    if row is None:
        raise NotFound()
    post, topic = row
    _ensure_visible(guardian, topic)
    guardian.ensure(guardian.can_view_post(post, topic), hide=True)
    return post, topic


def page_count(topic: Topic) -> int:
    return max(1, math.ceil(topic.last_number / config("FORUM_POSTS_PER_PAGE")))


def page_of(number: int) -> int:
    return (number - 1) // config("FORUM_POSTS_PER_PAGE") + 1


def read_topic(viewer: Any, topic_id: int, page: int = 1) -> TopicPage:
    """One page of a topic with authors and reactions; a member's read marker moves on.

    Posts are fetched by number range on the (topic_id, number) index, never by
    OFFSET, and everything else comes in a fixed number of queries.
    """
    guardian = Guardian(viewer)
    topic, category = load_topic(guardian, topic_id)
    pages = page_count(topic)
    if page < 1 or page > pages:
        raise NotFound()
    per_page = config("FORUM_POSTS_PER_PAGE")
    first, last = (page - 1) * per_page + 1, page * per_page
    rows = db.session.execute(
        select(Post, User).outerjoin(User, Post.author_id == User.id)
        .where(Post.topic_id == topic.id, Post.number.between(first, last))
        .order_by(Post.number)).all()
    views = [PostView(post, author) for post, author in rows]
    by_id = {v.post.id: v for v in views}
    if by_id:
        for post_id, kind, count in db.session.execute(
                select(Reaction.post_id, Reaction.kind, func.count(Reaction.id))
                .where(Reaction.post_id.in_(by_id)).group_by(Reaction.post_id, Reaction.kind)):
            by_id[post_id].reactions[kind] = count
    watching = False
    if guardian.is_member and by_id:
        for post_id, kind in db.session.execute(
                select(Reaction.post_id, Reaction.kind)
                .where(Reaction.post_id.in_(by_id), Reaction.user_id == viewer.id)):
            by_id[post_id].mine.add(kind)
        watching = db.session.scalar(select(TopicWatch.id).where(
            TopicWatch.user_id == viewer.id, TopicWatch.topic_id == topic.id)) is not None
        previous = db.session.scalar(select(TopicRead.last_read_number).where(
            TopicRead.user_id == viewer.id, TopicRead.topic_id == topic.id))
        for view in views:
            view.is_unread = previous is not None and view.post.number > previous
        db.writing()
        _mark_read(viewer, topic, max(v.post.number for v in views), list(by_id))
        db.session.commit()
    return TopicPage(topic, category, views, page, pages, watching)


def _mark_read(viewer: Any, topic: Topic, number: int, post_ids: list[int]) -> None:
    """Move the member's read marker forward (never back) and clear notifications shown."""
    advance_read_marker(viewer.id, topic.id, number)
    db.session.execute(update(Notification).where(
        Notification.user_id == viewer.id, Notification.post_id.in_(post_ids),
        Notification.read_at.is_(None)).values(read_at=utcnow()))


def advance_read_marker(user_id: int, topic_id: int, number: int) -> None:
    """Upsert the read marker to ``number`` unless it is already further on."""

    statement = insert(TopicRead).values(user_id=user_id, topic_id=topic_id,
                                          last_read_number=number, updated_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "topic_id"],
        set_={"last_read_number": case(
            (statement.excluded.last_read_number > TopicRead.last_read_number,
             statement.excluded.last_read_number), else_=TopicRead.last_read_number),
            "updated_at": statement.excluded.updated_at})
    db.session.execute(statement)


def locate_post(viewer: Any, post_id: int) -> tuple[int, int, int]:
    """Where a post lives: (topic id, page, number), for links to a single post."""
    post, topic = load_post(Guardian(viewer), post_id)
    return topic.id, page_of(post.number), post.number


def post_history(viewer: Any, post_id: int) -> tuple[Post, Topic, list[PostRevision]]:
    """A post and every earlier version of it, newest first (moderators and admins)."""
    guardian = Guardian(viewer)
    post, topic = load_post(guardian, post_id)
    guardian.ensure(guardian.can_view_edit_history(post, topic), hide=True)
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id.desc())).all()
    return post, topic, list(revisions)
