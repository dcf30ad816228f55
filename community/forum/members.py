"""A member's posts as a whole: counts for profiles, and deletion when an account is deleted."""

from __future__ import annotations

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from community.db import db, utcnow
from community.models import User
from community.models.forum import (
    Post,
    PostRevision,
    Topic,
)

DELETED_TOPIC_TITLE = "A topic deleted by its author"


def own_post_counts(user: User) -> dict[bool, int]:
    """How many live posts the member has in members-only (True) and public (False) topics."""
    counts = dict(db.session.execute(
        select(Topic.members_only, func.count(Post.id)).join(Topic, Post.topic_id == Topic.id)
        .where(Post.author_id == user.id, Post.deleted_at.is_(None)).group_by(Topic.members_only)).all())
    return {True: counts.get(True, 0), False: counts.get(False, 0)}


def delete_own_posts(user: User, *, members_only: bool, public: bool) -> None:
    """Delete the member's posts in members-only and/or public topics, words and earlier versions too.

    Part of deleting an account (the caller commits). Other members' replies stay; the
    deleted posts keep their place and read "deleted by its author". A topic the member
    started that nobody else wrote in is hidden and loses its title as well; one with
    other people's replies keeps its title, so those replies still make sense.
    """
    kinds = [kind for kind, chosen in ((True, members_only), (False, public)) if chosen]
    if not kinds:
        return
    chosen = (select(Post.id).join(Topic, Post.topic_id == Topic.id)
              .where(Post.author_id == user.id, Topic.members_only.in_(kinds)))
    topic_ids = select(Post.topic_id).where(Post.id.in_(chosen)).distinct()
    counted = aliased(Post)
    # Replies that still count towards a topic's reply count (not already deleted, not held).
    db.session.execute(update(Topic).where(Topic.id.in_(topic_ids)).values(
        reply_count=Topic.reply_count - select(func.count(counted.id)).where(
            counted.topic_id == Topic.id, counted.id.in_(chosen), counted.number > 1,
            counted.deleted_at.is_(None), counted.held_at.is_(None)).scalar_subquery())
        .execution_options(synchronize_session=False))
    others = select(counted.id).where(counted.topic_id == Topic.id, or_(
        counted.author_id != user.id, counted.author_id.is_(None)))
    now = utcnow()
    db.session.execute(update(Topic).where(
        Topic.id.in_(topic_ids), Topic.author_id == user.id, Topic.members_only.in_(kinds), ~others.exists())
        .values(title=DELETED_TOPIC_TITLE, hidden_at=func.coalesce(Topic.hidden_at, now))
        .execution_options(synchronize_session=False))
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(chosen))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Post).where(Post.id.in_(chosen)).values(
        deleted_by_author=case((Post.deleted_at.is_(None), True), else_=Post.deleted_by_author),
        deleted_at=func.coalesce(Post.deleted_at, now), body_raw="", body_html="", body_text="")
        .execution_options(synchronize_session=False))


def member_post_count(user_id: int) -> int:
    """Live posts a member has written (anyone can see the number; it says nothing about health)."""
    return db.session.scalar(
        select(func.count(Post.id)).join(Topic, Post.topic_id == Topic.id)
        .where(Post.author_id == user_id, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Topic.hidden_at.is_(None))) or 0
