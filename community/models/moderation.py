"""Moderation: reports, the review queue, actions on members, appeals, watched words, crisis help.

The review queue holds one open item per thing to look at (a reported post, a
reported member, a post held for approval, a watched-word or crisis hit);
further reports of the same post join its open item, so moderators see one row
with every reason. Reports keep a snapshot of the post as it was reported.

Actions on members (warnings, silences, suspensions, and hidden, deleted or
edited posts) are kept as ``MemberAction`` rows: what the member sees in their
own history, and what they may appeal once. The staff log
(``community.models.audit``) keeps the who-did-what record for every action.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, UTCDateTime, utcnow


class ReportReason(enum.StrEnum):
    MEMBER_AT_RISK = "member_at_risk"
    MISINFORMATION = "misinformation"
    HARASSMENT = "harassment"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self.value]


REASON_LABELS = {
    "member_at_risk": "Member at risk (they may harm themselves)",
    "misinformation": "Medical misinformation",
    "harassment": "Harassment or unkindness",
    "spam": "Spam or advertising",
    "off_topic": "Off-topic",
    "other": "Something else (please explain)",
}


class ItemKind(enum.StrEnum):
    REPORT = "report"  # one or more members reported a post or a member
    HELD = "held"  # a post waits for approval (new member, or a "hold" watched word)
    FLAG = "flag"  # a "flag" watched word matched; the post is live
    CRISIS = "crisis"  # a crisis phrase matched; the post is live, the author may be at risk

    @property
    def label(self) -> str:
        return {"report": "Reported", "held": "Waiting for approval", "flag": "Watched word",
                "crisis": "Member at risk"}[self.value]


class Resolution(enum.StrEnum):
    APPROVE = "approve"
    DISMISS = "dismiss"
    HIDE = "hide"
    DELETE = "delete"
    EDIT = "edit"
    LOCK = "lock"
    WARN = "warn"
    SILENCE = "silence"
    SUSPEND = "suspend"
    ESCALATE = "escalate"

    @property
    def label(self) -> str:
        return RESOLUTION_LABELS[self.value]


RESOLUTION_LABELS = {
    "approve": "Approve the post (publish it)",
    "dismiss": "Dismiss: nothing needs doing",
    "hide": "Hide the post",
    "delete": "Delete the post",
    "edit": "Edit the post (the earlier version is kept)",
    "lock": "Lock the topic",
    "warn": "Warn the member",
    "silence": "Silence the member (they can read, not post)",
    "suspend": "Suspend the member (they can't sign in)",
    "escalate": "Escalate to an admin",
}


class ActionKind(enum.StrEnum):
    WARN = "warn"
    SILENCE = "silence"
    SUSPEND = "suspend"
    HIDE_POST = "hide_post"
    DELETE_POST = "delete_post"
    EDIT_POST = "edit_post"

    @property
    def label(self) -> str:
        return {"warn": "Warning", "silence": "Silenced", "suspend": "Suspended",
                "hide_post": "Post hidden", "delete_post": "Post deleted",
                "edit_post": "Post edited by a moderator"}[self.value]


class WordAction(enum.StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    FLAG = "flag"
    REPLACE = "replace"
    CRISIS = "crisis"

    @property
    def label(self) -> str:
        return {"block": "Block the post (with a message)", "hold": "Hold the post for review",
                "flag": "Flag the post for moderators", "replace": "Replace the words",
                "crisis": "Crisis phrase (never blocks; offers support)"}[self.value]


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the action stands
    OVERTURNED = "overturned"  # the action is undone


def _known(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class QueueItem(Base):
    __tablename__ = "moderation_queue_items"
    __table_args__ = (
        # The queue's order: open first, urgent first, then oldest.
        Index("ix_moderation_queue_items_open_order", "resolved_at", "urgent", "created_at"),
        CheckConstraint(_known("kind", ItemKind), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    # A reported private message: staff see only its snapshot (it and up to 10 before it).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("message_messages.id", ondelete="SET NULL"),
                                                   index=True)
    # The member the item is about: the post's author or the reported member.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # What matched or why it is here ("watched word: xyz", "first posts of a new member").
    summary: Mapped[str] = mapped_column(Text, default="")
    # The post's text when the item opened (reports add their own snapshots).
    snapshot: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(20))
    resolution_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Report(Base):
    __tablename__ = "moderation_reports"
    __table_args__ = (CheckConstraint(_known("reason", ReportReason), name="reason_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("moderation_queue_items.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # The post exactly as the reporter saw it, kept even if the author edits or deletes it.
    snapshot: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberAction(Base):
    """Something moderators did to a member or their post, shown in the member's own history."""

    __tablename__ = "moderation_member_actions"
    __table_args__ = (CheckConstraint(_known("kind", ActionKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id"))
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_queue_items.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when an appeal overturns it or an admin lifts it early.
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def label(self) -> str:
        return ActionKind(self.kind).label


class Appeal(Base):
    __tablename__ = "moderation_appeals"
    __table_args__ = (CheckConstraint(_known("status", AppealStatus), name="status_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique: a member appeals each action once.
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_member_actions.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=AppealStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class WatchedWord(Base):
    """A word or phrase admins watch for in posts, and what happens when it appears."""

    __tablename__ = "moderation_watched_words"
    __table_args__ = (CheckConstraint(_known("action", WordAction), name="action_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phrase: Mapped[str] = mapped_column(String(100), unique=True)
    action: Mapped[str] = mapped_column(String(20))
    # The member's message for "block", the replacement text for "replace".
    message: Mapped[str] = mapped_column(Text, default="")
    replacement: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CrisisResource(Base):
    """A helpline shown to members who write about self-harm; "*" is for every country."""

    __tablename__ = "moderation_crisis_resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(120), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


from community import userdata  # noqa: E402 - registration follows the models it describes

userdata.register(Report, owner_column="reporter_id", section="reports_made",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values={"reporter_id": None},
                  exclude=("subject_id", "item_id"))
userdata.register(QueueItem, owner_column="subject_id", section="moderation_review",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values={"subject_id": None},
                  exclude=("claimed_by_id", "resolved_by_id", "claimed_at"))
userdata.register(MemberAction, owner_column="user_id", section="moderation_history",
                  on_delete=userdata.OnDelete.KEEP, exclude=("moderator_id",),
                  why_kept="moderation decisions stay accountable after an account goes; "
                           "they hold no health data")
userdata.register(Appeal, owner_column="user_id", section="moderation_appeals",
                  exclude=("decided_by_id",))
