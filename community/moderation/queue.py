"""The review queue: open items, one item with its reports, claiming and resolving."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from community import audit
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models import User
from community.models.forum import Post, Topic
from community.models.moderation import (
    ItemKind,
    QueueItem,
    Report,
    Resolution,
)
from community.moderation import screening
from community.moderation.common import (
    _ensure_staff,
    _post_and_topic,
    _reason,
    _user,
)
from community.moderation.members import MemberCard, _sanction, member_card
from community.moderation.post_actions import _approve, _delete, _edit, _hide
from community.moderation.topic_tools import _topic_state
from community.permissions import Guardian

QUEUE_LIMIT = 100


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
