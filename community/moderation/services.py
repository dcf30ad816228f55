"""Moderation rules: reports, the review queue, post and topic tools, member actions, appeals.

Every function that changes something loads what it needs, asks the Guardian,
makes the change, writes a staff-log row (``community.audit``) and commits once.
Moderators never get a member's email address or health data from here: member
pages are built from ``MemberCard``, which has neither.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, select, true, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from community import audit, mail
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import AuditEvent, User
from community.models.forum import Category, Notification, Post, PostRevision, Topic
from community.models.moderation import (
    ActionKind,
    Appeal,
    AppealStatus,
    CrisisResource,
    ItemKind,
    MemberAction,
    QueueItem,
    Report,
    ReportReason,
    Resolution,
    WatchedWord,
    WordAction,
)
from community.moderation import screening
from community.permissions import Guardian

QUEUE_LIMIT = 100
LOG_PAGE_SIZE = 50
MEMBER_PAGE_SIZE = 30
MAX_DAYS = 3650


def _ensure_staff(actor: Any) -> Guardian:
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_moderate(), hide=True)
    return guardian


def _post_and_topic(post_id: int) -> tuple[Post, Topic]:
    row = db.session.execute(select(Post, Topic).join(Topic, Post.topic_id == Topic.id)
                             .where(Post.id == post_id)).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def _days(days: int | None) -> int:
    if days is None or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"Please choose between 1 and {MAX_DAYS} days.", field="days")
    return days


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Please give a reason; it goes in the staff log.", field="reason")
    return reason


# -- reports -------------------------------------------------------------------------------

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


# -- the review queue ----------------------------------------------------------------------

@dataclass
class QueueRow:
    item: QueueItem
    post: Post | None
    topic_id: int | None
    topic_title: str | None
    subject_name: str | None
    claimer_name: str | None
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def report_count(self) -> int:
        return sum(self.reasons.values())

    @property
    def kind_label(self) -> str:
        if self.item.urgent:
            return "Member at risk"
        return ItemKind(self.item.kind).label


def open_items_query(viewer: Any) -> Select | None:
    """How many items wait in the queue, for staff (the header's one query); None for others."""
    if not Guardian(viewer).can_moderate():
        return None
    return select(func.count(QueueItem.id)).where(QueueItem.resolved_at.is_(None))


def _queue_statement():
    subject, claimer = aliased(User), aliased(User)
    return (select(QueueItem, Post, Topic.id, Topic.title, subject.display_name, claimer.display_name)
            .outerjoin(Post, QueueItem.post_id == Post.id)
            .outerjoin(Topic, Post.topic_id == Topic.id)
            .outerjoin(subject, QueueItem.subject_id == subject.id)
            .outerjoin(claimer, QueueItem.claimed_by_id == claimer.id))


def _rows(results) -> list[QueueRow]:
    rows = [QueueRow(*r) for r in results]
    by_id = {row.item.id: row for row in rows}
    if by_id:
        for item_id, reason, count in db.session.execute(
                select(Report.item_id, Report.reason, func.count(Report.id))
                .where(Report.item_id.in_(by_id)).group_by(Report.item_id, Report.reason)):
            by_id[item_id].reasons[reason] = count
    return rows


def review_queue(viewer: Any, *, resolved: bool = False) -> list[QueueRow]:
    """Open items, "member at risk" first and then oldest first (or the latest resolved ones).

    Two queries whatever the queue's length: the items with their post, topic and
    names, and the report reasons counted per item.
    """
    _ensure_staff(viewer)
    statement = _queue_statement()
    if resolved:
        statement = statement.where(QueueItem.resolved_at.is_not(None)).order_by(
            QueueItem.resolved_at.desc(), QueueItem.id.desc())
    else:
        statement = statement.where(QueueItem.resolved_at.is_(None)).order_by(
            QueueItem.urgent.desc(), QueueItem.created_at, QueueItem.id)
    return _rows(db.session.execute(statement.limit(QUEUE_LIMIT)).all())


@dataclass
class ReportLine:
    report: Report
    reporter_name: str | None


@dataclass
class ItemPage:
    row: QueueRow
    reports: list[ReportLine]
    subject: MemberCard | None
    actions: list[Resolution]
    diff: list[str]


def available_resolutions(item: QueueItem, post: Post | None, subject: User | None,
                          guardian: Guardian) -> list[Resolution]:
    """The actions that make sense for this item (a member report has no post to hide)."""
    # A held post is approved or kept hidden; "nothing needs doing" would leave it in limbo.
    actions = [Resolution.APPROVE] if post is not None and post.held_at is not None else [Resolution.DISMISS]
    if post is not None:
        if post.deleted_at is None:
            if post.hidden_at is None or post.held_at is not None:
                actions.append(Resolution.HIDE)
            actions += [Resolution.DELETE, Resolution.EDIT]
        actions.append(Resolution.LOCK)
    if subject is not None and guardian.can_sanction(subject):
        actions += [Resolution.WARN, Resolution.SILENCE, Resolution.SUSPEND]
    if item.escalated_at is None:
        actions.append(Resolution.ESCALATE)
    return actions


def get_item(viewer: Any, item_id: int) -> ItemPage:
    """One queue item with every report (reporters' names are for staff only) and the member."""
    guardian = _ensure_staff(viewer)
    result = db.session.execute(_queue_statement().where(QueueItem.id == item_id)).first()
    if result is None:
        raise NotFound()
    row = _rows([result])[0]
    guardian.ensure(guardian.can_handle_item(row.item) or not row.item.is_open, hide=True)
    reporter = aliased(User)
    reports = [ReportLine(r, name) for r, name in db.session.execute(
        select(Report, reporter.display_name).outerjoin(reporter, Report.reporter_id == reporter.id)
        .where(Report.item_id == item_id).order_by(Report.id))]
    subject = _user(row.item.subject_id)
    diff = []
    if row.post is not None and row.item.snapshot:
        current = screening.snapshot(row.post, db.session.get(Topic, row.topic_id))
        if current != row.item.snapshot:
            diff = list(difflib.unified_diff(row.item.snapshot.splitlines(), current.splitlines(),
                                             "when reported", "now", lineterm=""))
    actions = available_resolutions(row.item, row.post, subject, guardian) if row.item.is_open else []
    return ItemPage(row, reports, member_card(subject) if subject else None, actions, diff)


def _open_item(actor: User, item_id: int) -> tuple[Guardian, QueueItem]:
    guardian = _ensure_staff(actor)
    item = db.session.get(QueueItem, item_id)
    if item is None:
        raise NotFound()
    guardian.ensure(guardian.can_handle_item(item), hide=True)
    if not item.is_open:
        raise ValidationFailed("This item is already resolved.")
    return guardian, item


def claim(actor: User, item_id: int) -> QueueItem:
    """Take an item so other moderators know someone is on it."""
    _guardian, item = _open_item(actor, item_id)
    before = {"claimed_by": item.claimed_by_id}
    item.claimed_by_id, item.claimed_at = actor.id, utcnow()
    audit.record(actor, "queue.claim", target=_user(item.subject_id), reason=f"Queue item {item.id}",
                 before=before, after={"claimed_by": actor.id, "item_id": item.id})
    db.session.commit()
    return item


def resolve(actor: User, item_id: int, action: str, reason: str, *, days: int | None = None,
            body: str | None = None) -> QueueItem:
    """Close an item with one action and a reason (escalating hands it to the admins instead)."""
    guardian, item = _open_item(actor, item_id)
    reason = _reason(reason)
    post, topic = _post_and_topic(item.post_id) if item.post_id else (None, None)
    subject = _user(item.subject_id)
    if action not in {a.value for a in available_resolutions(item, post, subject, guardian)}:
        raise ValidationFailed("That action doesn't apply to this item.", field="action")
    now = utcnow()
    if action == Resolution.ESCALATE:
        item.escalated_at, item.claimed_by_id, item.claimed_at = now, None, None
        audit.record(actor, "queue.escalate", target=subject, reason=reason, after={"item_id": item.id})
        db.session.commit()
        return item
    if action == Resolution.APPROVE:
        _approve(actor, post, topic, reason)
    elif action == Resolution.HIDE:
        _hide(actor, post, reason, item)
    elif action == Resolution.DELETE:
        _delete(actor, post, topic, reason, item)
    elif action == Resolution.EDIT:
        _edit(actor, post, topic, body, reason, item)
    elif action == Resolution.LOCK:
        _topic_state(actor, topic, "lock", reason)
    elif action in (Resolution.WARN, Resolution.SILENCE, Resolution.SUSPEND):
        _sanction(actor, subject, action, reason, days, item)
    if post is not None and post.held_at is not None and action != Resolution.APPROVE:
        # A decision on a held post ends its wait: it stays hidden unless approved.
        post.held_at = None
        if post.number == 1:
            topic.held_at = None
    item.resolved_at, item.resolved_by_id = now, actor.id
    item.resolution, item.resolution_reason = action, reason
    audit.record(actor, "queue.resolve", target=subject, reason=reason,
                 after={"item_id": item.id, "action": action})
    db.session.commit()
    return item


# -- actions on posts ---------------------------------------------------------------------------

def _member_action(actor: User, user_id: int | None, kind: ActionKind, reason: str, *,
                   post: Post | None = None, ends_at: datetime | None = None,
                   item: QueueItem | None = None) -> MemberAction | None:
    if user_id is None:
        return None  # a former member's post: nobody to tell
    action = MemberAction(user_id=user_id, kind=kind.value, reason=reason,
                          post_id=post.id if post else None, ends_at=ends_at, moderator_id=actor.id,
                          item_id=item.id if item else None, created_at=utcnow())
    db.session.add(action)
    return action


def _approve(actor: User, post: Post, topic: Topic, reason: str) -> None:
    from community.forum import posting as forum

    post.held_at = post.hidden_at = None
    if post.number == 1:
        topic.held_at = topic.hidden_at = None
    author = _user(post.author_id)
    if author is not None:  # now it counts, and watchers and mentioned members are told
        forum.announce(post, topic, author)
    audit.record(actor, "post.approve", target=_user(post.author_id), reason=reason,
                 after={"post_id": post.id, "topic_id": topic.id})


def _hide(actor: User, post: Post, reason: str, item: QueueItem | None = None) -> None:
    post.hidden_at = post.hidden_at or utcnow()
    post.held_at = None
    author = _user(post.author_id)
    _member_action(actor, post.author_id, ActionKind.HIDE_POST, reason, post=post, item=item)
    audit.record(actor, "post.hide", target=author, reason=reason,
                 before={"post_id": post.id, "hidden": False}, after={"post_id": post.id, "hidden": True})


def _unhide(actor: User, post: Post, topic: Topic, reason: str) -> None:
    post.hidden_at = post.held_at = None
    if post.number == 1 and topic.held_at is not None:
        topic.held_at = topic.hidden_at = None
    audit.record(actor, "post.unhide", target=_user(post.author_id), reason=reason,
                 before={"post_id": post.id, "hidden": True}, after={"post_id": post.id, "hidden": False})


def _delete(actor: User, post: Post, topic: Topic, reason: str, item: QueueItem | None = None) -> None:
    if post.deleted_at is not None:
        raise ValidationFailed("That post is already deleted.")
    post.deleted_at = utcnow()
    if post.number > 1:
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(
            reply_count=Topic.reply_count - 1).execution_options(synchronize_session=False))
    _member_action(actor, post.author_id, ActionKind.DELETE_POST, reason, post=post, item=item)
    audit.record(actor, "post.delete", target=_user(post.author_id), reason=reason,
                 before={"post_id": post.id, "deleted": False}, after={"post_id": post.id, "deleted": True})


def _edit(actor: User, post: Post, topic: Topic, body: str | None, reason: str,
          item: QueueItem | None = None) -> None:
    from community import rendering
    from community.forum import posting as forum

    body = rendering.clean_text(body or "").strip()
    if not body:
        raise ValidationFailed("Please write the post's new text.", field="body")
    if body == post.body_raw:
        raise ValidationFailed("The text is unchanged.", field="body")
    rendered = forum.render_post(body)
    now = utcnow()
    db.session.add(PostRevision(post_id=post.id, editor_id=actor.id,
                                title=topic.title if post.number == 1 else None,
                                body_raw=post.body_raw, body_html=post.body_html,
                                written_at=post.edited_at or post.created_at, replaced_at=now))
    before = post.body_raw
    post.body_raw, post.body_html, post.body_text = body, rendered.html, rendered.text
    post.edited_at = now
    post.edit_count = (post.edit_count or 0) + 1
    _member_action(actor, post.author_id, ActionKind.EDIT_POST, reason, post=post, item=item)
    audit.record(actor, "post.edit", target=_user(post.author_id), reason=reason,
                 before={"post_id": post.id, "body": before}, after={"post_id": post.id, "body": body})


POST_TOOLS = ("approve", "hide", "unhide", "delete", "edit")


def post_tools(viewer: Any, post_id: int) -> tuple[Post, Topic, User | None, list[PostRevision]]:
    """A post with its author and edit history, for the post tools page (staff)."""
    _ensure_staff(viewer)
    post, topic = _post_and_topic(post_id)
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id.desc())).all()
    return post, topic, _user(post.author_id), list(revisions)


def act_on_post(actor: User, post_id: int, action: str, reason: str, body: str | None = None) -> Post:
    """Approve, hide, unhide, delete or edit a post, with a reason."""
    _ensure_staff(actor)
    reason = _reason(reason)
    post, topic = _post_and_topic(post_id)
    if action == "approve" and post.held_at is not None:
        _approve(actor, post, topic, reason)
    elif action == "hide" and post.hidden_at is None:
        _hide(actor, post, reason)
    elif action == "unhide" and post.hidden_at is not None:
        _unhide(actor, post, topic, reason)
    elif action == "delete":
        _delete(actor, post, topic, reason)
    elif action == "edit":
        _edit(actor, post, topic, body, reason)
    else:
        raise ValidationFailed("That action doesn't apply to this post now.")
    db.session.commit()
    return post


# -- topic tools -------------------------------------------------------------------------------

TOPIC_STATES = {"pin": ("pinned_at", True), "unpin": ("pinned_at", False),
                "lock": ("locked_at", True), "unlock": ("locked_at", False),
                "hide": ("hidden_at", True), "unhide": ("hidden_at", False)}


def get_topic(viewer: Any, topic_id: int) -> tuple[Topic, Category, list[Post], list[Category]]:
    """A topic, its posts (numbers and authors' ids only matter here) and every category."""
    _ensure_staff(viewer)
    row = db.session.execute(select(Topic, Category).join(Category, Topic.category_id == Category.id)
                             .where(Topic.id == topic_id)).first()
    if row is None:
        raise NotFound()
    posts = db.session.scalars(select(Post).where(Post.topic_id == topic_id).order_by(Post.number)
                               .limit(500)).all()
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.name)).all()
    return row[0], row[1], list(posts), list(categories)


def _topic_state(actor: User, topic: Topic, action: str, reason: str) -> None:
    column, on = TOPIC_STATES[action]
    current = getattr(topic, column)
    if (current is not None) == on:
        state = {"pinned_at": "pinned", "locked_at": "locked", "hidden_at": "hidden"}[column]
        raise ValidationFailed(f"The topic is already {state}." if on else f"The topic isn't {state}.")
    setattr(topic, column, utcnow() if on else None)
    if action == "unhide":
        topic.held_at = None
    audit.record(actor, f"topic.{action}", target=_user(topic.author_id), reason=reason,
                 before={"topic_id": topic.id, column: current.isoformat() if current else None},
                 after={"topic_id": topic.id, "title": topic.title, column: bool(on)})


def _load_topic(actor: User, topic_id: int) -> Topic:
    _ensure_staff(actor)
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise NotFound()
    return topic


def set_topic_state(actor: User, topic_id: int, action: str, reason: str) -> Topic:
    """Pin, unpin, lock, unlock, hide or unhide a topic, with a reason."""
    topic = _load_topic(actor, topic_id)
    if action not in TOPIC_STATES:
        raise ValidationFailed("Please choose an action.")
    _topic_state(actor, topic, action, _reason(reason))
    db.session.commit()
    return topic


def move_topic(actor: User, topic_id: int, category_id: int, reason: str) -> Topic:
    """Move a topic to another category; both categories' counts follow."""
    topic = _load_topic(actor, topic_id)
    reason = _reason(reason)
    category = db.session.get(Category, category_id)
    if category is None:
        raise ValidationFailed("Please choose a category.", field="category")
    if category.id == topic.category_id:
        raise ValidationFailed("The topic is already in that category.", field="category")
    posts = db.session.scalar(select(func.count(Post.id)).where(Post.topic_id == topic.id)) or 0
    old = topic.category_id
    db.session.execute(update(Category).where(Category.id == old).values(
        topic_count=Category.topic_count - 1, post_count=Category.post_count - posts))
    db.session.execute(update(Category).where(Category.id == category.id).values(
        topic_count=Category.topic_count + 1, post_count=Category.post_count + posts))
    topic.category_id = category.id
    audit.record(actor, "topic.move", target=_user(topic.author_id), reason=reason,
                 before={"topic_id": topic.id, "category_id": old},
                 after={"topic_id": topic.id, "category_id": category.id})
    db.session.commit()
    return topic


def _refresh_topic(topic: Topic) -> None:
    """Recount a topic's replies and last post after posts moved in or out."""
    live = (Post.topic_id == topic.id, Post.deleted_at.is_(None))
    last = db.session.execute(select(Post.created_at, Post.author_id).where(*live)
                              .order_by(Post.number.desc()).limit(1)).first()
    count = db.session.scalar(select(func.count(Post.id)).where(*live)) or 0
    topic.reply_count = max(0, count - 1)
    topic.last_number = db.session.scalar(select(func.max(Post.number)).where(Post.topic_id == topic.id)) or 0
    if last is not None:
        topic.last_post_at, topic.last_poster_id = last


def merge_topics(actor: User, source_id: int, target_id: int, reason: str) -> Topic:
    """Move every post of one topic to the end of another; the emptied topic is hidden and locked."""
    source = _load_topic(actor, source_id)
    reason = _reason(reason)
    target = db.session.get(Topic, target_id)
    if target is None or target.id == source.id:
        raise ValidationFailed("Please give the number of another topic.", field="target")
    posts = db.session.scalars(select(Post).where(Post.topic_id == source.id).order_by(Post.number)).all()
    # Two steps, so no (topic, number) pair is ever used twice mid-way.
    start = target.last_number
    for offset, post in enumerate(posts, start=1):
        post.number = -offset
    db.session.flush()
    for offset, post in enumerate(posts, start=1):
        post.topic_id, post.number = target.id, start + offset
    db.session.flush()
    db.session.execute(update(Notification).where(Notification.topic_id == source.id)
                       .values(topic_id=target.id))
    _refresh_topic(target)
    _refresh_topic(source)
    now = utcnow()
    source.hidden_at, source.locked_at = source.hidden_at or now, source.locked_at or now
    audit.record(actor, "topic.merge", target=_user(source.author_id), reason=reason,
                 before={"topic_id": source.id, "title": source.title, "posts": len(posts)},
                 after={"topic_id": target.id, "title": target.title})
    db.session.commit()
    return target


def split_topic(actor: User, topic_id: int, post_ids: list[int], title: str, category_id: int | None,
                reason: str) -> Topic:
    """Move chosen replies into a new topic (the first chosen reply opens it)."""
    source = _load_topic(actor, topic_id)
    reason = _reason(reason)
    title = " ".join((title or "").split())
    if not 5 <= len(title) <= 150:
        raise ValidationFailed("Please write a title of 5 to 150 characters.", field="title")
    posts = db.session.scalars(select(Post).where(
        Post.topic_id == source.id, Post.id.in_(list(post_ids or [])[:500]), Post.number > 1)
        .order_by(Post.number)).all()
    if not posts:
        raise ValidationFailed("Please choose at least one reply to move.", field="posts")
    category_id = category_id or source.category_id
    if db.session.get(Category, category_id) is None:
        raise ValidationFailed("Please choose a category.", field="category")
    numbers = [p.number for p in posts]
    first = posts[0]
    new = Topic(category_id=category_id, author_id=first.author_id, title=title,
                members_only=source.members_only, created_at=first.created_at,
                last_post_at=posts[-1].created_at, last_poster_id=posts[-1].author_id,
                last_number=len(posts), reply_count=0)
    db.session.add(new)
    db.session.flush()
    for number, post in enumerate(posts, start=1):
        post.topic_id, post.number = new.id, number
    db.session.flush()
    db.session.execute(update(Notification).where(Notification.post_id.in_([p.id for p in posts]))
                       .values(topic_id=new.id))
    db.session.execute(update(Category).where(Category.id == category_id).values(
        topic_count=Category.topic_count + 1))
    _refresh_topic(new)
    _refresh_topic(source)
    audit.record(actor, "topic.split", target=_user(source.author_id), reason=reason,
                 before={"topic_id": source.id, "numbers": numbers},
                 after={"topic_id": new.id, "title": title, "posts": len(posts)})
    db.session.commit()
    return new


# -- members -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberCard:
    """What moderators may know about a member: never the email address, never health data."""

    id: int
    display_name: str
    role: str
    joined: datetime
    silenced_until: datetime | None
    suspended_until: datetime | None


def member_card(user: User) -> MemberCard:
    now = utcnow()
    return MemberCard(user.id, user.display_name, user.role, user.created_at,
                      user.silenced_until if user.is_silenced(now) else None,
                      user.suspended_until if user.is_suspended(now) else None)


@dataclass
class MemberRow:
    card: MemberCard
    post_count: int
    report_count: int
    action_count: int


def _counts(user_ids: list[int]) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    if not user_ids:
        return {}, {}, {}
    posts = dict(db.session.execute(select(Post.author_id, func.count(Post.id))
                                    .where(Post.author_id.in_(user_ids), Post.deleted_at.is_(None))
                                    .group_by(Post.author_id)).all())
    reports = dict(db.session.execute(select(Report.subject_id, func.count(Report.id))
                                      .where(Report.subject_id.in_(user_ids))
                                      .group_by(Report.subject_id)).all())
    actions = dict(db.session.execute(select(MemberAction.user_id, func.count(MemberAction.id))
                                      .where(MemberAction.user_id.in_(user_ids))
                                      .group_by(MemberAction.user_id)).all())
    return posts, reports, actions


def find_members(viewer: Any, query: str = "") -> list[MemberRow]:
    """Members by display name only (never by email), newest first, with their counts."""
    _ensure_staff(viewer)
    statement = select(User).order_by(User.id.desc()).limit(MEMBER_PAGE_SIZE)
    if query.strip():
        statement = statement.where(func.lower(User.display_name).like(
            "%" + query.strip().lower().replace("%", "").replace("_", "") + "%"))
    users = db.session.scalars(statement).all()
    posts, reports, actions = _counts([u.id for u in users])
    return [MemberRow(member_card(u), posts.get(u.id, 0), reports.get(u.id, 0), actions.get(u.id, 0))
            for u in users]


@dataclass
class MemberPage:
    row: MemberRow
    reports: list[tuple[Report, str | None]]
    history: list[tuple[MemberAction, Appeal | None]]
    can_sanction: bool


def member_overview(viewer: Any, user_id: int) -> MemberPage:
    """A member as moderators see them: name, joined, posts, reports about them, history."""
    guardian = _ensure_staff(viewer)
    user = _user(user_id)
    if user is None:
        raise NotFound()
    posts, reports, actions = _counts([user.id])
    row = MemberRow(member_card(user), posts.get(user.id, 0), reports.get(user.id, 0),
                    actions.get(user.id, 0))
    reporter = aliased(User)
    report_rows = db.session.execute(
        select(Report, reporter.display_name).outerjoin(reporter, Report.reporter_id == reporter.id)
        .where(Report.subject_id == user.id).order_by(Report.id.desc()).limit(50)).all()
    return MemberPage(row, [tuple(r) for r in report_rows], _history(user.id), guardian.can_sanction(user))


def _history(user_id: int) -> list[tuple[MemberAction, Appeal | None]]:
    rows = db.session.execute(select(MemberAction, Appeal).outerjoin(Appeal, Appeal.action_id == MemberAction.id)
                              .where(MemberAction.user_id == user_id)
                              .order_by(MemberAction.id.desc())).all()
    return [tuple(r) for r in rows]


def _sanction(actor: User, target: User | None, action: str, reason: str, days: int | None,
              item: QueueItem | None = None) -> MemberAction:
    guardian = Guardian(actor)
    if target is None:
        raise ValidationFailed("There is no member to act on.", field="action")
    guardian.ensure(guardian.can_sanction(target), hide=True)
    now = utcnow()
    if action == Resolution.WARN:
        record = _member_action(actor, target.id, ActionKind.WARN, reason, item=item)
        audit.record(actor, "member.warn", target=target, reason=reason)
        mail.queue(target.email, "moderation_notice", user=target, kind="warning", reason=reason,
                   until=None, history_url=mail.external_url("moderation.history"))
    elif action == Resolution.SILENCE:
        until = now + timedelta(days=_days(days))
        before = {"silenced_until": target.silenced_until.isoformat() if target.silenced_until else None}
        target.silenced_until = until
        record = _member_action(actor, target.id, ActionKind.SILENCE, reason, ends_at=until, item=item)
        audit.record(actor, "member.silence", target=target, reason=reason, before=before,
                     after={"silenced_until": until.isoformat(), "days": days})
        mail.queue(target.email, "moderation_notice", user=target, kind="silence", reason=reason,
                   until=until, history_url=mail.external_url("moderation.history"))
    elif action == Resolution.SUSPEND:
        from community.admin.services import apply_suspension

        until = apply_suspension(actor, target, _days(days), reason)
        record = _member_action(actor, target.id, ActionKind.SUSPEND, reason, ends_at=until, item=item)
    else:
        raise ValidationFailed("Please choose warn, silence or suspend.", field="action")
    return record


def sanction_member(actor: User, user_id: int, action: str, reason: str, days: int | None = None) -> User:
    """Warn, silence (can't post) or suspend (can't sign in; signed out at once) a member."""
    _ensure_staff(actor)
    reason = _reason(reason)
    target = _user(user_id)
    if target is None:
        raise NotFound()
    _sanction(actor, target, action, reason, days)
    db.session.commit()
    return target


def lift_silence(actor: User, user_id: int, reason: str) -> User:
    """Let a silenced member post again before the silence ends."""
    guardian = _ensure_staff(actor)
    reason = _reason(reason)
    target = _user(user_id)
    if target is None:
        raise NotFound()
    guardian.ensure(guardian.can_sanction(target), hide=True)
    if not target.is_silenced():
        raise ValidationFailed(f"{target.display_name} is not silenced.", field="action")
    before = {"silenced_until": target.silenced_until.isoformat()}
    target.silenced_until = None
    audit.record(actor, "member.unsilence", target=target, reason=reason, before=before,
                 after={"silenced_until": None})
    db.session.commit()
    return target


# -- a member's own history and appeals ------------------------------------------------------------

def my_history(user: User) -> list[tuple[MemberAction, Appeal | None]]:
    """What moderators did to this member's account and posts, with any appeal (never who reported)."""
    Guardian(user).ensure(Guardian(user).is_member, hide=True)
    return _history(user.id)


def appeal_target(user: User, action_id: int) -> MemberAction:
    """One of the member's own actions that they haven't appealed yet (404 otherwise)."""
    guardian = Guardian(user)
    action = db.session.get(MemberAction, action_id)
    if action is None:
        raise NotFound()
    guardian.ensure(guardian.can_appeal(action, already_appealed=False), hide=True)  # owner only
    if db.session.scalar(select(Appeal.id).where(Appeal.action_id == action.id)) is not None:
        raise ValidationFailed("You have already appealed this decision. An admin will reply.")
    return action


def appeal(user: User, action_id: int, message: str) -> Appeal:
    """Ask the admins to look again at an action (once per action)."""
    action = appeal_target(user, action_id)
    message = (message or "").strip()
    if len(message) < 10:
        raise ValidationFailed("Please tell the admins in a sentence or two why this should change.",
                               field="message")
    record = Appeal(action_id=action.id, user_id=user.id, message=message,
                    status=AppealStatus.OPEN.value, created_at=utcnow())
    db.session.add(record)
    audit.record(user, "appeal.open", target=user, reason=message,
                 after={"action_id": action.id, "kind": action.kind})
    db.session.flush()
    # Admins hear of it by email; the message itself stays on the site.
    for admin_email in db.session.scalars(select(User.email).where(User.role == "admin")):
        mail.queue(admin_email, "appeal_opened", member_name=user.display_name,
                   appeal_url=mail.external_url("moderation.decide_appeal", appeal_id=record.id))
    db.session.commit()
    return record


@dataclass
class AppealRow:
    appeal: Appeal
    action: MemberAction
    member_name: str | None


def list_appeals(viewer: Any) -> list[AppealRow]:
    """Open appeals first, oldest first, then the latest decided ones (admins)."""
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_decide_appeals(), hide=True)
    rows = db.session.execute(
        select(Appeal, MemberAction, User.display_name)
        .join(MemberAction, Appeal.action_id == MemberAction.id)
        .outerjoin(User, Appeal.user_id == User.id)
        .order_by((Appeal.status == AppealStatus.OPEN.value).desc(), Appeal.created_at)
        .limit(200)).all()
    return [AppealRow(*r) for r in rows]


def get_appeal(viewer: Any, appeal_id: int) -> AppealRow:
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_decide_appeals(), hide=True)
    row = db.session.execute(
        select(Appeal, MemberAction, User.display_name)
        .join(MemberAction, Appeal.action_id == MemberAction.id)
        .outerjoin(User, Appeal.user_id == User.id).where(Appeal.id == appeal_id)).first()
    if row is None:
        raise NotFound()
    return AppealRow(*row)


def _undo(actor: User, action: MemberAction, reason: str) -> None:
    target = _user(action.user_id)
    now = utcnow()
    if action.kind == ActionKind.SILENCE and target is not None and target.silenced_until:
        target.silenced_until = None
    elif action.kind == ActionKind.SUSPEND and target is not None and target.suspended_until:
        target.suspended_until, target.suspension_reason = None, None
    elif action.kind in (ActionKind.HIDE_POST, ActionKind.DELETE_POST) and action.post_id:
        post = db.session.get(Post, action.post_id)
        if action.kind == ActionKind.HIDE_POST:
            post.hidden_at = None
        else:
            post.deleted_at = None
    elif action.kind == ActionKind.EDIT_POST and action.post_id:
        revision = db.session.scalar(select(PostRevision).where(
            PostRevision.post_id == action.post_id, PostRevision.editor_id == action.moderator_id)
            .order_by(PostRevision.id.desc()).limit(1))
        if revision is not None:
            _edit(actor, db.session.get(Post, action.post_id),
                  db.session.get(Topic, db.session.get(Post, action.post_id).topic_id),
                  revision.body_raw, reason)
            # _edit recorded an "edit_post" action on the member; this restore isn't one.
            db.session.flush()
            db.session.execute(update(MemberAction).where(
                MemberAction.post_id == action.post_id, MemberAction.id != action.id,
                MemberAction.kind == ActionKind.EDIT_POST.value,
                MemberAction.created_at >= now).values(undone_at=now))
    action.undone_at = now


def decide_appeal(actor: User, appeal_id: int, decision: str, reason: str) -> Appeal:
    """Uphold an action or overturn it (which undoes it); the member is told either way."""
    row = get_appeal(actor, appeal_id)
    reason = _reason(reason)
    record = row.appeal
    if record.status != AppealStatus.OPEN:
        raise ValidationFailed("This appeal has already been decided.")
    if decision not in (AppealStatus.UPHELD, AppealStatus.OVERTURNED):
        raise ValidationFailed("Please choose to keep or overturn the decision.", field="decision")
    if decision == AppealStatus.OVERTURNED:
        _undo(actor, row.action, reason)
    record.status, record.decided_by_id, record.decided_at = decision, actor.id, utcnow()
    record.decision_reason = reason
    member = _user(record.user_id)
    audit.record(actor, f"appeal.{decision}", target=member, reason=reason,
                 before={"appeal_id": record.id, "action": row.action.kind, "status": "open"},
                 after={"appeal_id": record.id, "status": decision})
    if member is not None:
        mail.queue(member.email, "appeal_decided", user=member, decision=decision, reason=reason,
                   history_url=mail.external_url("moderation.history"))
    db.session.commit()
    return record


# -- the staff log ---------------------------------------------------------------------------------

@dataclass
class LogPage:
    events: list[AuditEvent]
    has_more: bool
    moderators: list[tuple[int, str]]
    actions: list[str]


def staff_log(viewer: Any, *, moderator: int | None = None, member: str = "", action: str = "",
              page: int = 1) -> LogPage:
    """Every staff action this viewer may see, newest first, filtered by who did it, to whom
    and what (read-only)."""
    guardian = _ensure_staff(viewer)
    visible = and_(true(), *(AuditEvent.action.not_like(f"{prefix}%")
                     for prefix in guardian.staff_log_hidden_prefixes()))
    statement = select(AuditEvent).where(visible)
    if moderator:
        statement = statement.where(AuditEvent.actor_id == moderator)
    if member.strip():
        statement = statement.where(func.lower(AuditEvent.target_name) == member.strip().lower())
    if action:
        statement = statement.where(AuditEvent.action == action)
    rows = db.session.scalars(statement.order_by(AuditEvent.id.desc())
                              .offset((page - 1) * LOG_PAGE_SIZE).limit(LOG_PAGE_SIZE + 1)).all()
    moderators = db.session.execute(
        select(AuditEvent.actor_id, func.max(AuditEvent.actor_name))
        .where(AuditEvent.actor_id.is_not(None), visible).group_by(AuditEvent.actor_id)
        .order_by(func.max(AuditEvent.actor_name))).all()
    actions = db.session.scalars(select(AuditEvent.action).where(visible).distinct()
                                 .order_by(AuditEvent.action)).all()
    return LogPage(list(rows[:LOG_PAGE_SIZE]), len(rows) > LOG_PAGE_SIZE,
                   [(i, n) for i, n in moderators], list(actions))


# -- watched words and crisis resources (admins) ------------------------------------------------------

def list_words(viewer: Any) -> list[WatchedWord]:
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.action, WatchedWord.phrase)))


def add_word(actor: User, phrase: str, action: str, message: str = "", replacement: str = "") -> WatchedWord:
    """Watch for a word or phrase in new posts and decide what happens when it appears."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    phrase = " ".join((phrase or "").split()).lower()
    if len(phrase) < 2:
        raise ValidationFailed("Please enter a word or phrase of at least 2 characters.", field="phrase")
    if action not in {a.value for a in WordAction}:
        raise ValidationFailed("Please choose what happens.", field="action")
    if action == WordAction.REPLACE and not (replacement or "").strip():
        raise ValidationFailed("Please say what to replace it with.", field="replacement")
    if db.session.scalar(select(WatchedWord.id).where(WatchedWord.phrase == phrase)) is not None:
        raise ValidationFailed("That word is already watched.", field="phrase")
    word = WatchedWord(phrase=phrase, action=action, message=(message or "").strip(),
                       replacement=(replacement or "").strip(), created_at=utcnow())
    db.session.add(word)
    audit.record(actor, "watched_word.add", reason=f"{phrase} → {action}",
                 after={"phrase": phrase, "action": action, "replacement": word.replacement})
    db.session.commit()
    return word


def remove_word(actor: User, word_id: int) -> None:
    """Stop watching a word."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise NotFound()
    audit.record(actor, "watched_word.remove", reason=word.phrase,
                 before={"phrase": word.phrase, "action": word.action})
    db.session.delete(word)
    db.session.commit()


# Used until admins add their own for a country; "*" applies everywhere.
DEFAULT_RESOURCES: dict[str, list[tuple[str, str, str]]] = {
    "*": [("Your local emergency number", "If you might act on these thoughts now, call it", ""),
          ("Find A Helpline", "Free, confidential helplines in your country",
           "https://findahelpline.com")],
    "GB": [("Samaritans", "Call 116 123, free, day or night", "https://www.samaritans.org"),
           ("Shout", "Text SHOUT to 85258", "https://giveusashout.org"),
           ("NHS 111", "Call 111 and choose the mental health option", "https://111.nhs.uk")],
    "IE": [("Samaritans Ireland", "Call 116 123, free, day or night", "https://www.samaritans.org/ireland"),
           ("Pieta", "Call 1800 247 247 or text HELP to 51444", "https://www.pieta.ie")],
    "US": [("988 Suicide & Crisis Lifeline", "Call or text 988", "https://988lifeline.org"),
           ("Crisis Text Line", "Text HOME to 741741", "https://www.crisistextline.org")],
    "CA": [("9-8-8 Suicide Crisis Helpline", "Call or text 988", "https://988.ca")],
    "AU": [("Lifeline", "Call 13 11 14 or text 0477 13 11 14", "https://www.lifeline.org.au")],
    "NZ": [("Need to talk?", "Call or text 1737", "https://1737.org.nz")],
}


# A phone number inside a helpline's contact words: "116 123", "1800 247 247", "+44 800 123".
_PHONE = re.compile(r"\+?\d[\d -]*\d")


@dataclass(frozen=True)
class Helpline:
    name: str
    contact: str
    url: str

    def contact_parts(self) -> list[tuple[str, str | None]]:
        """The contact words split into (text, link) pieces, so that a tap on a number calls or texts it.

        A number after "text" without "call" ("Text SHOUT to 85258") gets an sms: link; any other
        number a tel: link. The visible text stays exactly as written.
        """
        parts: list[tuple[str, str | None]] = []
        start = 0
        for match in _PHONE.finditer(self.contact):
            before = self.contact[start:match.start()]
            words = before.lower()
            scheme = "sms" if "text" in words and "call" not in words else "tel"
            if before:
                parts.append((before, None))
            number = match.group()
            parts.append((number, f"{scheme}:{re.sub(r'[ -]', '', number)}"))
            start = match.end()
        if start < len(self.contact):
            parts.append((self.contact[start:], None))
        return parts


def crisis_resources(country: str | None) -> tuple[str, list[Helpline]]:
    """Helplines for a country (admins' list, else the built-in one) followed by the worldwide ones."""
    country = (country or current_app.config["MODERATION_DEFAULT_COUNTRY"]).upper()[:2]
    stored = db.session.scalars(select(CrisisResource).where(CrisisResource.country.in_([country, "*"]))
                                .order_by(CrisisResource.position, CrisisResource.id)).all()
    local = [Helpline(r.name, r.contact, r.url) for r in stored if r.country == country]
    everywhere = [Helpline(r.name, r.contact, r.url) for r in stored if r.country == "*"]
    if not local:
        local = [Helpline(*r) for r in DEFAULT_RESOURCES.get(country, [])]
    if not everywhere:
        everywhere = [Helpline(*r) for r in DEFAULT_RESOURCES["*"]]
    return country, local + everywhere


def support_country(user: Any) -> str:
    """The member's country as far as their time zone tells, else the site's default."""
    zone = getattr(user, "time_zone", None) if Guardian(user).is_member else None
    return screening.country_for_time_zone(zone) or current_app.config["MODERATION_DEFAULT_COUNTRY"]


def list_resources(viewer: Any) -> list[CrisisResource]:
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    return list(db.session.scalars(select(CrisisResource).order_by(
        CrisisResource.country, CrisisResource.position, CrisisResource.id)))


def add_resource(actor: User, country: str, name: str, contact: str, url: str, position: int = 0
                 ) -> CrisisResource:
    """Add a helpline for a country ("*" for everywhere)."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    country = (country or "").strip().upper()
    if not (country == "*" or (len(country) == 2 and country.isalpha())):
        raise ValidationFailed("Use a two-letter country code such as GB, or * for everywhere.",
                               field="country")
    url = (url or "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValidationFailed("Links must start with https://", field="url")
    resource = CrisisResource(country=country, name=name.strip(), contact=(contact or "").strip(),
                              url=url, position=position or 0)
    db.session.add(resource)
    audit.record(actor, "crisis_resource.add", reason=f"{country}: {resource.name}",
                 after={"country": country, "name": resource.name, "contact": resource.contact})
    db.session.commit()
    return resource


def remove_resource(actor: User, resource_id: int) -> None:
    """Remove a helpline."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_watched_words(), hide=True)
    resource = db.session.get(CrisisResource, resource_id)
    if resource is None:
        raise NotFound()
    audit.record(actor, "crisis_resource.remove", reason=f"{resource.country}: {resource.name}",
                 before={"country": resource.country, "name": resource.name})
    db.session.delete(resource)
    db.session.commit()

