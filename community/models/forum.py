"""Forums: categories, topics, posts and what members attach to them.

Posts are numbered within their topic (1 is the opening post) and the pair is
indexed, so page N of a topic is an index range (``number BETWEEN a AND b``),
never an OFFSET scan: page 500 costs what page 1 costs.

Raw Markdown and its sanitised HTML are both stored (rendered once, at write
time, by ``community.rendering``); ``body_text`` is the plain text that
full-text search indexes. The search index itself (SQLite FTS5 table and
triggers, or PostgreSQL GIN expression indexes) lives only in the migration.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, UTCDateTime, utcnow
from community.models.user import User


class ReactionKind(enum.StrEnum):
    HELPFUL = "helpful"
    HUGS = "hugs"
    ME_TOO = "me_too"

    @property
    def label(self) -> str:
        return {"helpful": "Helpful", "hugs": "Hugs", "me_too": "Me too"}[self.value]


class NotificationKind(enum.StrEnum):
    REPLY = "reply"
    MENTION = "mention"
    QUOTE = "quote"
    NEW_TOPIC = "new_topic"


class DigestFrequency(enum.StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


class Category(Base):
    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Health categories start new topics as members-only; the author may change it.
    members_only_default: Mapped[bool] = mapped_column(Boolean, default=True)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Topic(Base):
    __tablename__ = "forum_topics"
    __table_args__ = (
        Index("ix_forum_topics_category_last_post", "category_id", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    members_only: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Highest post number handed out (deleted posts keep theirs): pages and unread markers use it.
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # States the moderation tools will set; the forum already honours them.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moderation: the opening post waits for approval (hidden_at is set too; its author still sees it).
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    category: Mapped[Category] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="raise")
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id], lazy="raise")


class Post(Base):
    __tablename__ = "forum_posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "number", name="uq_forum_posts_topic_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The author deleted it (themselves, or with their account), not a moderator: readers are told which.
    deleted_by_author: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moderation: waits for approval (hidden_at is set too; its author still sees it).
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    topic: Mapped[Topic] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")


class PostRevision(Base):
    """An earlier version of a post, kept on every edit for moderators to review."""

    __tablename__ = "forum_post_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(String(150))
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this version was written (the post's creation or its previous edit).
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reaction(Base):
    __tablename__ = "forum_reactions"
    __table_args__ = (
        UniqueConstraint("post_id", "user_id", "kind", name="uq_forum_reactions_post_user_kind"),
        CheckConstraint("kind IN ('helpful', 'hugs', 'me_too')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Draft(Base):
    """What a member is writing, saved as they type so a long post is never lost."""

    __tablename__ = "forum_drafts"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_forum_drafts_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # "topic:<id>" for a reply, "category:<id>" for a new topic.
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(150), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TopicWatch(Base):
    __tablename__ = "forum_topic_watches"
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_forum_topic_watches_user_topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CategoryWatch(Base):
    __tablename__ = "forum_category_watches"
    __table_args__ = (
        UniqueConstraint("user_id", "category_id", name="uq_forum_category_watches_user_category"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TopicRead(Base):
    """How far a member has read a topic: posts numbered above this are unread."""

    __tablename__ = "forum_topic_reads"
    __table_args__ = (UniqueConstraint("user_id", "topic_id", name="uq_forum_topic_reads_user_topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id"), index=True)
    last_read_number: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    __tablename__ = "forum_notifications"
    __table_args__ = (
        Index("ix_forum_notifications_user_read", "user_id", "read_at"),
        CheckConstraint("kind IN ('reply', 'mention', 'quote', 'new_topic')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ForumPreference(Base):
    """A member's forum settings: the optional email digest."""

    __tablename__ = "forum_preferences"
    __table_args__ = (
        CheckConstraint("digest IN ('none', 'daily', 'weekly')", name="digest_known"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(10), default=DigestFrequency.NONE.value)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Bookmark(Base):
    """A post a member saved for later, with their own note and an optional reminder day."""

    __tablename__ = "forum_bookmarks"
    __table_args__ = (
        UniqueConstraint("user_id", "post_id", name="uq_forum_bookmarks_user_post"),
        Index("ix_forum_bookmarks_remind_on", "remind_on", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    # The day (in the member's time zone) to be emailed about it; set again to be reminded again.
    remind_on: Mapped[date | None] = mapped_column(Date)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberIgnore(Base):
    """``user`` ignores ``ignored``: their posts are folded away and they don't notify. Never announced."""

    __tablename__ = "forum_ignores"
    __table_args__ = (
        UniqueConstraint("user_id", "ignored_id", name="uq_forum_ignores_user_ignored"),
        CheckConstraint("user_id <> ignored_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ignored_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


from community import userdata  # noqa: E402 - registration follows the models it describes

_FORUM_POSTS_KEPT = {"author_id": None}
userdata.register(Topic, owner_column="author_id", section="forum_topics",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values=_FORUM_POSTS_KEPT)
userdata.register(Post, owner_column="author_id", section="forum_posts",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values=_FORUM_POSTS_KEPT)
userdata.register(PostRevision, owner_column="editor_id", section="forum_post_revisions",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values={"editor_id": None})
userdata.register(Reaction, owner_column="user_id", section="forum_reactions")
userdata.register(Draft, owner_column="user_id", section="forum_drafts")
userdata.register(TopicWatch, owner_column="user_id", section="forum_watches")
userdata.register(CategoryWatch, owner_column="user_id", section="forum_watches")
userdata.register(TopicRead, owner_column="user_id", section="forum_read_markers")
userdata.register(Notification, owner_column="user_id", section="forum_notifications")
userdata.register(ForumPreference, owner_column="user_id", section="forum_settings")
userdata.register(Bookmark, owner_column="user_id", section="forum_bookmarks")
userdata.register(MemberIgnore, owner_column="user_id", section="forum_ignores")
