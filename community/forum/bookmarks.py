"""Bookmarks: posts a member saves for later ("for my next appointment"), with a note and a
reminder day. They are the member's own: nobody else sees them. A post that is deleted or
hidden drops out of the list (the bookmark stays, and comes back if the post does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from community import mail, rendering
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Bookmark, Post, Topic
from community.permissions import Guardian

NOTE_MAX = 500
REMIND_AHEAD_DAYS = 5 * 366
REMINDERS_PER_RUN = 1000


def local_today(user: Any, now: datetime | None = None) -> date:
    """Today's date where the member lives."""
    return (now or utcnow()).astimezone(ZoneInfo(user.time_zone or "UTC")).date()


def bookmark_target(viewer: Any, post_id: int) -> tuple[Post, Topic, Bookmark | None]:
    """A post the viewer may bookmark, with their bookmark of it if they have one (404 otherwise)."""
    guardian = Guardian(viewer)
    row = db.session.execute(select(Post, Topic).join(Topic, Post.topic_id == Topic.id)
                             .where(Post.id == post_id)).first()
    if row is None:
        raise NotFound()
    post, topic = row
    guardian.ensure(guardian.can_bookmark(post, topic), hide=True)
    existing = db.session.scalar(select(Bookmark).where(Bookmark.user_id == viewer.id,
                                                        Bookmark.post_id == post.id))
    return post, topic, existing


def save_bookmark(user: User, post_id: int, *, note: str = "", remind_on: date | None = None) -> Bookmark:
    """Bookmark a post (or change the note and reminder of one already bookmarked)."""
    _post, _topic, bookmark = bookmark_target(user, post_id)
    note = " ".join(rendering.clean_text(note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationFailed(f"Please keep the note under {NOTE_MAX} characters.", field="note")
    today = local_today(user)
    if remind_on is not None and remind_on < today:
        raise ValidationFailed("Please choose today or a later day for the reminder.", field="remind_on")
    if remind_on is not None and remind_on > today + timedelta(days=REMIND_AHEAD_DAYS):
        raise ValidationFailed("Please choose a reminder day within the next five years.", field="remind_on")
    if bookmark is None:
        bookmark = Bookmark(user_id=user.id, post_id=post_id, created_at=utcnow())
        db.session.add(bookmark)
    if remind_on != bookmark.remind_on:
        bookmark.reminded_at = None  # a new day is a new reminder
    bookmark.note, bookmark.remind_on = note, remind_on
    db.session.commit()
    return bookmark


def remove_bookmark(user: User, post_id: int) -> None:
    """Remove the member's bookmark of a post, if there is one."""
    _post, _topic, bookmark = bookmark_target(user, post_id)
    if bookmark is not None:
        db.session.delete(bookmark)
        db.session.commit()


@dataclass
class BookmarkRow:
    bookmark: Bookmark
    post: Post
    topic_title: str


def _live(statement):
    """Only bookmarks of posts still there for everyone: not deleted, not hidden, topic not hidden."""
    return (statement.join(Post, Bookmark.post_id == Post.id).join(Topic, Post.topic_id == Topic.id)
            .where(Post.deleted_at.is_(None), Post.hidden_at.is_(None), Topic.hidden_at.is_(None)))


def list_bookmarks(user: Any) -> list[BookmarkRow]:
    """The member's bookmarks, newest first, in one query."""
    guardian = Guardian(user)
    guardian.ensure(guardian.is_member, hide=True)
    rows = db.session.execute(_live(select(Bookmark, Post, Topic.title)).where(Bookmark.user_id == user.id)
                              .order_by(Bookmark.created_at.desc(), Bookmark.id.desc()))
    return [BookmarkRow(*row) for row in rows]


def bookmarked_post_ids(user: Any, post_ids: list[int]) -> set[int]:
    """Which of these posts the member has bookmarked (for the topic page's buttons)."""
    if not Guardian(user).is_member or not post_ids:
        return set()
    return set(db.session.scalars(select(Bookmark.post_id).where(Bookmark.user_id == user.id,
                                                                 Bookmark.post_id.in_(post_ids))))


def send_reminders(now: datetime | None = None) -> int:
    """Email each member whose reminder day has come (in their time zone); each reminder goes once.

    Run from cron every hour or so: a member far east reaches their day before UTC does.
    """
    now = now or utcnow()
    horizon = (now + timedelta(days=1)).date()  # the furthest-ahead time zone's today
    rows = db.session.execute(
        _live(select(Bookmark, User, Post, Topic.title)).join(User, Bookmark.user_id == User.id)
        .where(Bookmark.remind_on.is_not(None), Bookmark.remind_on <= horizon, Bookmark.reminded_at.is_(None))
        .order_by(Bookmark.id).limit(REMINDERS_PER_RUN)).all()
    sent = 0
    for bookmark, user, post, title in rows:
        if bookmark.remind_on > local_today(user, now):
            continue
        bookmark.reminded_at = now
        if user.is_verified and not user.is_suspended():
            mail.queue(user.email, "bookmark_reminder", user=user, bookmark=bookmark, topic_title=title,
                       post_url=mail.external_url("forum.post", post_id=post.id),
                       bookmarks_url=mail.external_url("forum.bookmarks"))
            sent += 1
    db.session.commit()
    return sent
