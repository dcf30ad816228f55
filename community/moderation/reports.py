"""Members report posts, members and private messages; reports open review-queue items."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from community import audit
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Post, Topic
from community.models.moderation import (
    ItemKind,
    QueueItem,
    Report,
    ReportReason,
)
from community.moderation import screening
from community.moderation.common import (
    _post_and_topic,
    _user,
)
from community.permissions import Guardian


def _open_item_for(*, post_id: int | None = None, subject_id: int | None = None) -> QueueItem | None:
    statement = select(QueueItem).where(QueueItem.resolved_at.is_(None))
    if post_id is not None:
        statement = statement.where(QueueItem.post_id == post_id)
    else:
        statement = statement.where(QueueItem.post_id.is_(None), QueueItem.message_id.is_(None),
                                    QueueItem.subject_id == subject_id)
    return db.session.scalar(statement.order_by(QueueItem.id).limit(1))


def _lock_reported(row: Post | User) -> None:
    """Re-read the reported row under its lock until commit, so concurrent reports of it
    queue here and each sees the review item, reporters and hiding of the one before.

    On PostgreSQL, read committed would otherwise let two first reports each open an item;
    SQLite's IMMEDIATE transactions already queue writers, and it ignores FOR UPDATE.
    """
    db.session.refresh(row, with_for_update=True)


def _check_report(reason: str, note: str) -> str:
    if reason not in {r.value for r in ReportReason}:
        raise ValidationFailed("Please choose a reason.", field="reason")
    note = (note or "").strip()
    if reason == ReportReason.OTHER and not note:
        raise ValidationFailed("Please say what is wrong, so a moderator knows what to look for.",
                               field="note")
    return note


def report_target_post(viewer: Any, post_id: int) -> tuple[Post, Topic]:
    """A post the viewer may report (404 otherwise)."""
    guardian = Guardian(viewer)
    post, topic = _post_and_topic(post_id)
    guardian.ensure(guardian.can_report_post(post, topic), hide=True)
    return post, topic


def report_target_member(viewer: Any, user_id: int) -> User:
    """A member the viewer may report (404 otherwise)."""
    guardian = Guardian(viewer)
    target = _user(user_id)
    if target is None:
        raise NotFound()
    guardian.ensure(guardian.can_report_member(target), hide=True)
    return target


def report_post(reporter: User, post_id: int, reason: str, note: str = "") -> Report:
    """Report a post with a reason; its text is kept as it is now, and enough reports hide it."""
    post, topic = report_target_post(reporter, post_id)
    note = _check_report(reason, note)
    urgent = reason == ReportReason.MEMBER_AT_RISK
    _lock_reported(post)
    item = _open_item_for(post_id=post.id)
    if item is not None and db.session.scalar(select(Report.id).where(
            Report.item_id == item.id, Report.reporter_id == reporter.id)) is not None:
        raise ValidationFailed("You have already reported this post. A moderator will look at it soon.",
                               field="reason")
    now = utcnow()
    if item is None:
        item = QueueItem(kind=ItemKind.REPORT.value, urgent=urgent, post_id=post.id,
                         subject_id=post.author_id, summary="", snapshot=screening.snapshot(post, topic),
                         created_at=now)
        db.session.add(item)
        db.session.flush()
    elif urgent:
        item.urgent = True
    report = Report(item_id=item.id, reporter_id=reporter.id, post_id=post.id,
                    subject_id=post.author_id, reason=reason, note=note,
                    snapshot=screening.snapshot(post, topic), created_at=now)
    db.session.add(report)
    db.session.flush()
    reporters = db.session.scalar(select(func.count(func.distinct(Report.reporter_id))).where(
        Report.post_id == post.id, Report.item_id == item.id)) or 0
    threshold = current_app.config["MODERATION_AUTO_HIDE_REPORTS"]
    if threshold and reporters >= threshold and post.hidden_at is None:
        post.hidden_at = now
        audit.record(None, "post.auto_hide", target=_user(post.author_id),
                     reason=f"Reported by {reporters} members; hidden until a moderator reviews it.",
                     before={"post_id": post.id, "hidden": False}, after={"post_id": post.id, "hidden": True})
    db.session.commit()
    return report


def report_member(reporter: User, user_id: int, reason: str, note: str = "") -> Report:
    """Report a member (not a particular post) with a reason."""
    target = report_target_member(reporter, user_id)
    note = _check_report(reason, note)
    _lock_reported(target)
    item = _open_item_for(subject_id=target.id)
    if item is not None and db.session.scalar(select(Report.id).where(
            Report.item_id == item.id, Report.reporter_id == reporter.id)) is not None:
        raise ValidationFailed("You have already reported this member. A moderator will look soon.",
                               field="reason")
    now = utcnow()
    if item is None:
        item = QueueItem(kind=ItemKind.REPORT.value, urgent=reason == ReportReason.MEMBER_AT_RISK,
                         subject_id=target.id, summary="", snapshot="", created_at=now)
        db.session.add(item)
        db.session.flush()
    elif reason == ReportReason.MEMBER_AT_RISK:
        item.urgent = True
    report = Report(item_id=item.id, reporter_id=reporter.id, subject_id=target.id, reason=reason,
                    note=note, created_at=now)
    db.session.add(report)
    db.session.commit()
    return report


def report_message(reporter: User, message_id: int, sender_id: int | None, snapshot: str,
                   reason: str, note: str = "") -> Report:
    """Queue a participant's report of a private message with the words staff may see.

    The messages service has checked the reporter may report it and built ``snapshot``
    (the message and up to 10 before it): staff never read the conversation itself.
    """
    note = _check_report(reason, note)
    item = db.session.scalar(select(QueueItem).where(QueueItem.message_id == message_id,
                                                     QueueItem.resolved_at.is_(None)))
    if item is not None and db.session.scalar(select(Report.id).where(
            Report.item_id == item.id, Report.reporter_id == reporter.id)) is not None:
        raise ValidationFailed("You have already reported this message. A moderator will look at it soon.",
                               field="reason")
    now = utcnow()
    if item is None:
        item = QueueItem(kind=ItemKind.REPORT.value, urgent=reason == ReportReason.MEMBER_AT_RISK,
                         message_id=message_id, subject_id=sender_id,
                         summary="A private message, reported by a participant", snapshot=snapshot,
                         created_at=now)
        db.session.add(item)
        db.session.flush()
    elif reason == ReportReason.MEMBER_AT_RISK:
        item.urgent = True
    report = Report(item_id=item.id, reporter_id=reporter.id, subject_id=sender_id, reason=reason,
                    note=note, snapshot=snapshot, created_at=now)
    db.session.add(report)
    db.session.commit()
    return report
