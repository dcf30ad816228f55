"""Research news: writing, publishing and reading articles, and where their trial links lead."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select

from community import audit, rendering
from community.db import db, utcnow
from community.errors import NotFound, ValidationFailed
from community.models.news import (
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleTag,
    ArticleTrial,
    NewsWriter,
)
from community.models.trials import NCT_ID, Trial
from community.models.user import Role, User
from community.permissions import Guardian

PAGE_SIZE = 10
WORDS_PER_MINUTE = 200
TAG_SLUG = re.compile(r"[^a-z0-9]+")
HERO_IMAGES = {"car-t-cells.svg": "An illustration of T cells with receptors reaching towards B cells"}
DISCUSSION_CATEGORY = "clinical-trials-and-research"


def slugify(text: str, max_length: int = 100) -> str:
    """A URL-safe, lower-case slug ("CAR-T & lupus" -> "car-t-lupus")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9-]+", "-", ascii_text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", slug)[:max_length].strip("-") or "article"


def reading_minutes(text: str) -> int:
    """Estimated reading time at 200 words a minute, at least one minute."""
    return max(1, math.ceil(len(text.split()) / WORDS_PER_MINUTE))


def _writer_grant(user: Any) -> Callable[[], bool]:
    """Whether an admin has allowed this member to write (the Guardian asks only for moderators)."""
    return lambda: db.session.get(NewsWriter, user.id) is not None


def _guardian_for_writing(user: Any) -> Guardian:
    guardian = Guardian(user)
    guardian.ensure(guardian.can_write_articles(guardian.is_writer(_writer_grant(user))), hide=True)
    return guardian


# -- reading --------------------------------------------------------------------------------

def list_published(page: int = 1, tag: str | None = None) -> tuple[list[Article], bool]:
    """Published articles, newest first (tags and trial links come in one extra query each)."""
    statement = select(Article).where(Article.status == ArticleStatus.PUBLISHED.value)
    if tag:
        statement = statement.where(Article.id.in_(select(ArticleTag.article_id).where(ArticleTag.slug == tag)))
    rows = db.session.scalars(statement.order_by(Article.published_at.desc(), Article.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def tag_label(slug: str) -> str:
    """The label of a tag used by some published article; NotFound otherwise."""
    label = db.session.scalar(
        select(ArticleTag.label).join(Article, Article.id == ArticleTag.article_id)
        .where(ArticleTag.slug == slug, Article.status == ArticleStatus.PUBLISHED.value).limit(1))
    if label is None:
        raise NotFound()
    return label


def get_for_reading(viewer: Any, slug: str) -> Article:
    """A published article, or a draft for those who write; 404 for anyone else."""
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound()
    guardian = Guardian(viewer)
    guardian.ensure(guardian.can_read_article(article, guardian.is_writer(_writer_grant(viewer))), hide=True)
    return article


def author_name(article: Article) -> str:
    if article.author_id is None:
        return "The Lupus Commons team"
    return db.session.scalar(select(User.display_name).where(User.id == article.author_id)) or ""


@dataclass(frozen=True)
class LinkedTrial:
    nct_id: str
    title: str
    status: str | None
    in_catalogue: bool


def trials_by_nct_id(nct_ids: list[str]) -> dict[str, Trial]:
    """Catalogue trials for these NCT ids, in one query."""
    if not nct_ids:
        return {}
    return {t.nct_id: t for t in db.session.scalars(select(Trial).where(Trial.nct_id.in_(nct_ids)))}


def linked_trials(article: Article) -> list[LinkedTrial]:
    """The article's trials with their catalogue titles, in the article's order (one query)."""
    found = trials_by_nct_id(article.nct_ids)
    result = []
    for nct_id in article.nct_ids:
        trial = found.get(nct_id)
        result.append(LinkedTrial(nct_id, trial.display_title if trial else nct_id,
                                  trial.overall_status if trial else None, trial is not None))
    return result


def eligibility_step(viewer: Any, nct_id: str) -> str:
    """Where "check your eligibility" takes this reader next: "join", "consent" or "result".

    Nothing is computed here: matching happens only on the trial page, and only
    under current consent.
    """
    from community.trials import consents, trial_pages

    trial_pages.get_trial(nct_id)  # unknown trials answer 404
    if not Guardian(viewer).is_member:
        return "join"
    if consents.current_consent(viewer) is None:
        return "consent"
    return "result"


def search(query: str, limit: int = 5) -> list[Article]:
    """Published articles whose title, summary or text contain every word of the query."""
    words = [w for w in re.split(r"\s+", query.strip().lower()) if w][:8]
    if not words:
        return []
    statement = select(Article).where(Article.status == ArticleStatus.PUBLISHED.value)
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(func.lower(Article.title).like(pattern, escape="\\"),
                                        func.lower(Article.summary).like(pattern, escape="\\"),
                                        func.lower(Article.body_text).like(pattern, escape="\\")))
    return list(db.session.scalars(statement.order_by(Article.published_at.desc()).limit(limit)))


def feed_articles(limit: int = 20) -> list[Article]:
    return list_published(1)[0][:limit]


# -- writing --------------------------------------------------------------------------------

def writer_dashboard(user: Any) -> list[Article]:
    """Every article, drafts first, for those allowed to write."""
    _guardian_for_writing(user)
    return list(db.session.scalars(select(Article).order_by(Article.status, Article.updated_at.desc())))


def get_for_editing(user: Any, article_id: int) -> Article:
    _guardian_for_writing(user)
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound()
    return article


def parse_tags(text: str) -> list[tuple[str, str]]:
    """"CAR-T, belimumab" -> [("belimumab", "belimumab"), ("car-t", "CAR-T")], unique by slug."""
    tags: dict[str, str] = {}
    for raw in (text or "").split(","):
        label = " ".join(raw.split())[:40]
        slug = TAG_SLUG.sub("-", label.lower()).strip("-")[:40]
        if slug:
            tags.setdefault(slug, label)
    return sorted(tags.items())


def parse_nct_ids(text: str) -> list[str]:
    """NCT ids separated by commas, spaces or lines, in order, without repeats."""
    ids: list[str] = []
    for raw in re.split(r"[\s,;]+", (text or "").strip()):
        nct = raw.strip().upper()
        if nct and nct not in ids:
            ids.append(nct)
    return ids


def _check_trials(nct_ids: list[str]) -> None:
    bad = [n for n in nct_ids if not NCT_ID.match(n)]
    if bad:
        raise ValidationFailed(f"These are not NCT numbers (NCT followed by 8 digits): {', '.join(bad)}",
                               field="trials")
    missing = sorted(set(nct_ids) - set(trials_by_nct_id(nct_ids)))
    if missing:
        raise ValidationFailed(f"These trials are not in our catalogue yet: {', '.join(missing)}. "
                               "Import them first.", field="trials")


def _unique_slug(title: str, article_id: int | None) -> str:
    base = slugify(title)
    slug, n = base, 2
    while True:
        clash = db.session.scalar(select(Article.id).where(Article.slug == slug))
        if clash is None or clash == article_id:
            return slug
        slug, n = f"{base}-{n}", n + 1


def save_article(user: Any, article_id: int | None, *, title: str, summary: str, body: str,
                 tags: str, trials: str, hero_image: str | None, hero_alt: str) -> Article:
    """Create or edit an article (a draft until published); edits keep the previous text."""
    _guardian_for_writing(user)
    title, summary = " ".join(title.split()), " ".join(summary.split())
    body = rendering.clean_text(body).strip()
    if not title:
        raise ValidationFailed("Please give the article a title.", field="title")
    if not body:
        raise ValidationFailed("Please write the article.", field="body")
    if hero_image and hero_image not in HERO_IMAGES:
        raise ValidationFailed("Please choose one of the listed images.", field="hero_image")
    if hero_image and not hero_alt.strip():
        raise ValidationFailed("Describe the image for people who can't see it.", field="hero_alt")
    nct_ids = parse_nct_ids(trials)
    _check_trials(nct_ids)
    rendered = rendering.render(body, heading_offset=1)
    now = utcnow()
    if article_id is None:
        article = Article(author_id=user.id, created_at=now, status=ArticleStatus.DRAFT.value,
                          slug=_unique_slug(title, None))
        db.session.add(article)
    else:
        article = get_for_editing(user, article_id)
        if not article.is_published:  # a published address never moves: links and feeds point at it
            article.slug = _unique_slug(title, article_id)
        db.session.add(ArticleRevision(article_id=article.id, editor_id=user.id, title=article.title,
                                       summary=article.summary, body_raw=article.body_raw, created_at=now))
    article.title, article.summary = title, summary
    article.body_raw, article.body_html, article.body_text = body, rendered.html, rendered.text
    article.reading_minutes = reading_minutes(rendered.text)
    article.hero_image, article.hero_alt = hero_image or None, hero_alt.strip() if hero_image else ""
    article.updated_at = now
    _sync_links(article, parse_tags(tags), nct_ids)
    db.session.commit()
    return article


def _sync_links(article: Article, tags: list[tuple[str, str]], nct_ids: list[str]) -> None:
    """Bring tags and trial links to the new lists, keeping rows that stay (unique per article)."""
    kept_tags = {t.slug: t for t in article.tags}
    article.tags = [kept_tags[slug] if slug in kept_tags else ArticleTag(slug=slug, label=label)
                    for slug, label in tags]
    for tag in article.tags:
        tag.label = dict(tags)[tag.slug]
    kept_links = {link.nct_id: link for link in article.trial_links}
    article.trial_links = [kept_links.get(n) or ArticleTrial(nct_id=n) for n in nct_ids]
    for position, link in enumerate(article.trial_links):
        link.position = position


def set_published(user: Any, article_id: int, publish: bool) -> Article:
    """Publish (dated now the first time) or take back to draft; both go in the staff log."""
    article = get_for_editing(user, article_id)
    before = {"status": article.status}
    if publish:
        article.status = ArticleStatus.PUBLISHED.value
        article.published_at = article.published_at or utcnow()
    else:
        article.status = ArticleStatus.DRAFT.value
    audit.record(user, "article.publish" if publish else "article.unpublish",
                 reason=article.title, before=before, after={"status": article.status})
    db.session.commit()
    return article


def history(user: Any, article_id: int) -> tuple[Article, list[ArticleRevision]]:
    article = get_for_editing(user, article_id)
    revisions = db.session.scalars(select(ArticleRevision).where(ArticleRevision.article_id == article.id)
                                   .order_by(ArticleRevision.id.desc())).all()
    return article, list(revisions)


def open_discussion(user: Any, article_id: int) -> Article:
    """Start a public "Got questions?" topic about the article, or keep the one it has."""
    from community.forum import posting as forum

    article = get_for_editing(user, article_id)
    if article.discussion_topic_id is not None:
        return article
    posted = forum.start_topic(
        user, DISCUSSION_CATEGORY, title=f"Questions about: {article.title}"[:150],
        body=f"{article.summary}\n\nWhat would you like to know, or what has your experience been? "
             f"Read the article first: /news/{article.slug}",
        members_only=False)
    article.discussion_topic_id = posted.topic.id
    db.session.commit()
    return article


def link_discussion(user: Any, article_id: int, topic_id: int) -> Article:
    """Point the article at an existing public forum topic."""
    from community.models.forum import Topic

    article = get_for_editing(user, article_id)
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.members_only or topic.hidden_at is not None:
        raise ValidationFailed("Choose a public topic that exists (its number is in its address).",
                               field="topic_id")
    article.discussion_topic_id = topic.id
    db.session.commit()
    return article


# -- who may write ----------------------------------------------------------------------------

def list_writers(admin: Any) -> tuple[list[User], list[User]]:
    """(moderators allowed to write, moderators not yet allowed)."""
    guardian = Guardian(admin)
    guardian.ensure(guardian.can_manage_writers(), hide=True)
    moderators = db.session.scalars(select(User).where(User.role == Role.MODERATOR.value)
                                    .order_by(User.display_name)).all()
    allowed = set(db.session.scalars(select(NewsWriter.user_id)))
    return [m for m in moderators if m.id in allowed], [m for m in moderators if m.id not in allowed]


def set_writer(admin: Any, user_id: int, allowed: bool) -> User:
    """Allow a moderator to write articles, or stop them; audited."""
    guardian = Guardian(admin)
    guardian.ensure(guardian.can_manage_writers(), hide=True)
    member = db.session.get(User, user_id)
    if member is None or member.role != Role.MODERATOR.value:
        raise ValidationFailed("Only moderators can be given article writing.", field="user_id")
    if allowed and db.session.get(NewsWriter, user_id) is None:
        db.session.add(NewsWriter(user_id=user_id, granted_by_id=admin.id))
    elif not allowed:
        db.session.execute(delete(NewsWriter).where(NewsWriter.user_id == user_id))
    audit.record(admin, "news.allow_writer" if allowed else "news.revoke_writer", target=member,
                 reason="article writing", after={"writer": allowed})
    db.session.commit()
    return member
