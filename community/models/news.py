"""Research news: plain-language articles written by staff, leading to trials and discussion.

Articles link to catalogue trials by NCT id (not a foreign key): the catalogue
is re-imported from the registry, and an article written about a study stays
valid when its record is refreshed. Tags are short slugs on a join table.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.db import Base, UTCDateTime, utcnow


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Article(Base):
    __tablename__ = "news_articles"
    __table_args__ = (Index("ix_news_articles_status_published", "status", "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    body_raw: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text, default="")
    reading_minutes: Mapped[int] = mapped_column(Integer, default=1)
    hero_image: Mapped[str | None] = mapped_column(String(120))
    hero_alt: Mapped[str] = mapped_column(String(250), default="")
    status: Mapped[str] = mapped_column(String(20), default=ArticleStatus.DRAFT.value)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The forum topic where members talk about it ("Got questions?").
    discussion_topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_topics.id", ondelete="SET NULL"))

    tags: Mapped[list[ArticleTag]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTag.slug", lazy="selectin")
    trial_links: Mapped[list[ArticleTrial]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTrial.position", lazy="selectin")

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def nct_ids(self) -> list[str]:
        return [link.nct_id for link in self.trial_links]


class ArticleTag(Base):
    __tablename__ = "news_article_tags"
    __table_args__ = (UniqueConstraint("article_id", "slug", name="uq_news_article_tags_article_slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("news_articles.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(String(40))


class ArticleTrial(Base):
    __tablename__ = "news_article_trials"
    __table_args__ = (UniqueConstraint("article_id", "nct_id", name="uq_news_article_trials_article_nct"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("news_articles.id", ondelete="CASCADE"))
    nct_id: Mapped[str] = mapped_column(String(11), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ArticleRevision(Base):
    """What an article said before each edit: the edit history staff can read."""

    __tablename__ = "news_article_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("news_articles.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(400))
    body_raw: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NewsWriter(Base):
    """A moderator an admin has allowed to write articles (admins always may)."""

    __tablename__ = "news_writers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


from community import userdata  # noqa: E402 - registration follows the models it describes

userdata.register(Article, owner_column="author_id", section="news_articles",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values={"author_id": None})
userdata.register(ArticleRevision, owner_column="editor_id", section="news_article_revisions",
                  on_delete=userdata.OnDelete.ANONYMISE, anonymise_values={"editor_id": None})
userdata.register(NewsWriter, owner_column="user_id", section="news_writer_permission")
