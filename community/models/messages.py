"""Private conversations between members, and blocks.

A conversation has participants (``ConversationMember``) and messages. Each
participant keeps how far they have read (the id of the last message they saw),
so "unread" is one comparison with the conversation's ``last_message_id`` and the
header count is one query. Only participants read a conversation: staff see a
message only when a participant reports it, as a snapshot in the review queue.

A block is one member refusing new messages from another; it is never announced.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from community.db import Base, UTCDateTime, utcnow


class Conversation(Base):
    __tablename__ = "message_conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(150))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The newest message's id: a participant whose read marker is below it has something unread.
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
    message_count: Mapped[int] = mapped_column(Integer, default=0)


class ConversationMember(Base):
    __tablename__ = "message_participants"
    __table_args__ = (
        UniqueConstraint("conversation_id", "user_id", name="uq_message_participants_conversation_user"),
        Index("ix_message_participants_user_left", "user_id", "left_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("message_conversations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    # Leaving hides the conversation from this member for good; the others are told.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Message(Base):
    __tablename__ = "message_messages"
    __table_args__ = (Index("ix_message_messages_conversation_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("message_conversations.id"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A first message from someone a recipient never talked to: its links are shown as text.
    links_as_text: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The sender deleted their account: the words are gone, the place stays ("a former member").
    erased: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MemberBlock(Base):
    """``blocker`` takes no new messages from ``blocked``; the blocked member is not told."""

    __tablename__ = "message_blocks"
    __table_args__ = (
        UniqueConstraint("blocker_id", "blocked_id", name="uq_message_blocks_blocker_blocked"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessagePreference(Base):
    """Whether a member is emailed when a new message arrives (on unless they turn it off)."""

    __tablename__ = "message_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_new_messages: Mapped[bool] = mapped_column(Boolean, default=True)


from community import userdata  # noqa: E402 - registration follows the models it describes

userdata.register(Conversation, owner_column="created_by_id", section="message_conversations_started",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values={"created_by_id": None})
userdata.register(ConversationMember, owner_column="user_id", section="message_conversations")
# The other participants keep the conversation; the deleted member's words go from it.
userdata.register(Message, owner_column="sender_id", section="messages_sent",
                  on_delete=userdata.OnDelete.ANONYMISE,
                  anonymise_values={"sender_id": None, "body_raw": "", "body_html": "", "erased": True})
userdata.register(MemberBlock, owner_column="blocker_id", section="blocks")
userdata.register(MessagePreference, owner_column="user_id", section="message_settings")
