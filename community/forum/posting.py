"""Writing in the forums: new topics, replies, edits and deletions, and making a post count.

Screening (community.moderation.screening) says what it thinks of a post; posting owns the
transaction, so it alone commits or, for a blocked post, rolls back, and it hands the
verdict back with the post for the view to act on (support for crisis words, "held")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update

from community import rendering
from community.db import db, utcnow
from community.errors import NotFound, PermissionDenied, ValidationFailed
from community.forum.categories import get_category
from community.forum.common import (
    FORMER_MEMBER,
    QUOTE_LINK,
    TITLE_MAX,
    TITLE_MIN,
    config,
    insert,
    path,
)
from community.forum.drafts import discard_draft
from community.forum.notifications import notify
from community.forum.reading import (
    advance_read_marker,
    load_post,
    load_topic,
)
from community.models import User
from community.models.forum import (
    Category,
    Post,
    PostRevision,
    Topic,
    TopicWatch,
)
from community.moderation import screening
from community.permissions import Guardian


def get_post_for_edit(viewer: Any, post_id: int) -> tuple[Post, Topic]:
    """A post its author may edit (404 for anyone else)."""
    guardian = Guardian(viewer)
    post, topic = load_post(guardian, post_id)
    guardian.ensure(guardian.can_edit_post(post, topic), hide=True)
    return post, topic


def get_post_for_delete(viewer: Any, post_id: int) -> tuple[Post, Topic]:
    """A post its author may delete (404 for anyone else)."""
    guardian = Guardian(viewer)
    post, topic = load_post(guardian, post_id)
    guardian.ensure(guardian.can_delete_post(post, topic), hide=True)
    return post, topic


def ensure_may_post(viewer: Any) -> None:
    """A silenced member is told plainly why they can't post (instead of a bare 404)."""
    if Guardian(viewer).is_silenced:
        raise PermissionDenied("You can read the forums, but you can't post while your account is "
                               "silenced. Your moderation history says why and until when.")


def composer_category(viewer: Any, slug: str) -> Category:
    """The category a member is about to start a topic in."""
    ensure_may_post(viewer)
    return get_category(slug)


def reply_context(viewer: Any, topic_id: int) -> tuple[Topic, Category]:
    """The topic a member is about to reply to (404 if they can't)."""
    ensure_may_post(viewer)
    guardian = Guardian(viewer)
    topic, category = load_topic(guardian, topic_id)
    guardian.ensure(guardian.can_reply(topic), hide=True)
    return topic, category


def quote_markdown(viewer: Any, post_id: int, topic_id: int) -> str:
    """The Markdown that quotes a post of this topic, or "" if it can't be quoted."""
    try:
        post, topic = load_post(Guardian(viewer), post_id)
    except NotFound:
        return ""
    if topic.id != topic_id or post.deleted_at is not None:
        return ""
    author = db.session.get(User, post.author_id) if post.author_id else None
    return rendering.quote_block(author.display_name if author else FORMER_MEMBER,
                                 path("forum.post", post_id=post.id), post.body_raw)


def _resolve_mentions(candidates: set[str]) -> dict[str, tuple[int, str]]:
    rows = db.session.execute(select(User.id, User.display_name).where(
        func.lower(User.display_name).in_(sorted(candidates)[:200])))
    return {name.lower(): (user_id, name) for user_id, name in rows}


def render_post(body: str) -> rendering.Rendered:
    """A post body rendered with this forum's @mentions and profile links (moderator edits use it too)."""
    return rendering.render(body, _resolve_mentions,
                            lambda user_id: path("main.member_profile", user_id=user_id))


def preview(body: str) -> str:
    """The sanitised HTML a post would have, without saving anything."""
    return render_post(body or "").html


def _clean_body(body: str) -> str:
    return rendering.written_body(body, limit=config("FORUM_MAX_POST_CHARS"), noun="a post",
                                  empty="Please write something before posting.")


def _clean_title(title: str) -> str:
    title = " ".join(rendering.clean_text(title or "").split())
    if len(title) < TITLE_MIN:
        raise ValidationFailed(f"Please write a title of at least {TITLE_MIN} characters.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"Please keep the title under {TITLE_MAX} characters.", field="title")
    return title


def check_posting_limits(author: User, *, starting_topic: bool, link_count: int,
                         now: datetime | None = None) -> None:
    """Cooldown between posts, and first-day limits on topics, replies and links."""
    if Guardian(author).can_skip_posting_limits():
        return
    now = now or utcnow()
    cooldown = config("FORUM_POST_COOLDOWN_SECONDS")
    if cooldown:
        latest = db.session.scalar(select(Post.created_at).where(Post.author_id == author.id)
                                   .order_by(Post.created_at.desc()).limit(1))
        if latest is not None and (now - latest).total_seconds() < cooldown:
            wait = math.ceil(cooldown - (now - latest).total_seconds())
            raise ValidationFailed(f"Please wait {wait} second{'s' if wait != 1 else ''} before "
                                   "posting again. What you wrote is still here.", field="body")
    if author.created_at <= now - config("FORUM_NEW_MEMBER_PERIOD"):
        return
    max_links = config("FORUM_NEW_MEMBER_MAX_LINKS")
    if link_count > max_links:
        raise ValidationFailed(f"New members can include up to {max_links} links in a post during "
                               f"their first day (this one has {link_count}). Please remove some.",
                               field="body")
    since = now - timedelta(days=1)
    if starting_topic:
        limit = config("FORUM_NEW_MEMBER_TOPICS_PER_DAY")
        started = db.session.scalar(select(func.count(Topic.id)).where(
            Topic.author_id == author.id, Topic.created_at > since))
        if started >= limit:
            raise ValidationFailed(f"New members can start {limit} topics on their first day. "
                                   "You can reply to topics, or start this one tomorrow; "
                                   "your text is saved as a draft.", field="title")
    else:
        limit = config("FORUM_NEW_MEMBER_REPLIES_PER_DAY")
        replied = db.session.scalar(select(func.count(Post.id)).where(
            Post.author_id == author.id, Post.number > 1, Post.created_at > since))
        if replied >= limit:
            raise ValidationFailed(f"New members can post {limit} replies on their first day. "
                                   "Please come back tomorrow; your text is saved as a draft.",
                                   field="body")


@dataclass(frozen=True)
class Posted:
    """A post just written, its topic, and what screening decided about it (for the view)."""

    post: Post
    topic: Topic
    screening: screening.Screening


def _refuse_if_blocked(screened: screening.Screening) -> None:
    """A blocked post leaves nothing behind: this transaction, which posting owns, is rolled back."""
    if screened.blocked:
        db.session.rollback()
        raise ValidationFailed(screened.blocked, field=screened.blocked_field)


def start_topic(author: User, category_slug: str, *, title: str, body: str,
                members_only: bool) -> Posted:
    """Open a topic with its first post; the author watches it, category watchers are told."""
    guardian = Guardian(author)
    category = composer_category(author, category_slug)
    guardian.ensure(guardian.can_start_topic(category), hide=True)
    title = _clean_title(title)
    body = _clean_body(body)
    rendered = render_post(body)
    check_posting_limits(author, starting_topic=True, link_count=rendered.link_count)
    now = utcnow()
    topic = Topic(category_id=category.id, author_id=author.id, title=title,
                  members_only=bool(members_only), created_at=now, last_post_at=now,
                  last_poster_id=author.id, last_number=1, reply_count=0)
    db.session.add(topic)
    db.session.flush()
    post = Post(topic_id=topic.id, number=1, author_id=author.id, body_raw=body,
                body_html=rendered.html, body_text=rendered.text, created_at=now)
    db.session.add(post)
    db.session.flush()
    screened = screening.screen_post(author, post, topic, render_post)  # watched words, crisis help, holds
    _refuse_if_blocked(screened)
    db.session.execute(insert(TopicWatch).values(user_id=author.id, topic_id=topic.id,
                                                 created_at=now).on_conflict_do_nothing())
    advance_read_marker(author.id, topic.id, 1)  # nobody needs "new" on their own words
    if post.held_at is None:
        announce(post, topic, author, mentioned=rendered.mentioned_ids)
    discard_draft(author, f"category:{category.id}")
    db.session.commit()
    return Posted(post, topic, screened)


def reply(author: User, topic_id: int, *, body: str) -> Posted:
    """Add a reply at the end of a topic; watchers, mentioned and quoted members are told."""
    topic, category = reply_context(author, topic_id)
    body = _clean_body(body)
    rendered = render_post(body)
    check_posting_limits(author, starting_topic=False, link_count=rendered.link_count)
    now = utcnow()
    # The UPDATE takes the topic's row lock, so concurrent replies get distinct numbers.
    number = db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(last_number=Topic.last_number + 1)
        .returning(Topic.last_number)
        .execution_options(synchronize_session=False)).scalar_one()
    post = Post(topic_id=topic.id, number=number, author_id=author.id, body_raw=body,
                body_html=rendered.html, body_text=rendered.text, created_at=now)
    db.session.add(post)
    db.session.flush()
    screened = screening.screen_post(author, post, topic, render_post)  # watched words, crisis help, holds
    _refuse_if_blocked(screened)
    db.session.execute(insert(TopicWatch).values(user_id=author.id, topic_id=topic.id,
                                                 created_at=now).on_conflict_do_nothing())
    advance_read_marker(author.id, topic.id, number)
    if post.held_at is None:
        announce(post, topic, author, mentioned=rendered.mentioned_ids)
    discard_draft(author, f"topic:{topic.id}")
    db.session.commit()
    return Posted(post, topic, screened)


def edit_post(editor: User, post_id: int, *, body: str, title: str | None = None) -> Posted:
    """Change one's own post; the previous version is kept for moderators."""
    guardian = Guardian(editor)
    post, topic = load_post(guardian, post_id)
    guardian.ensure(guardian.can_edit_post(post, topic), hide=True)
    body = _clean_body(body)
    new_title = _clean_title(title) if post.number == 1 and title is not None else None
    if body == post.body_raw and (new_title is None or new_title == topic.title):
        raise ValidationFailed("Nothing has changed yet.", field="body")
    screened = screening.screen_edit(editor, post, body)  # watched words apply to edits too
    _refuse_if_blocked(screened)
    body = screened.text
    rendered = render_post(body)
    if (Guardian(editor).can_skip_posting_limits() is False
            and editor.created_at > utcnow() - config("FORUM_NEW_MEMBER_PERIOD")
            and rendered.link_count > config("FORUM_NEW_MEMBER_MAX_LINKS")):
        raise ValidationFailed(f"New members can include up to {config('FORUM_NEW_MEMBER_MAX_LINKS')} "
                               "links in a post during their first day.", field="body")
    now = utcnow()
    db.session.add(PostRevision(post_id=post.id, editor_id=editor.id,
                                title=topic.title if post.number == 1 else None,
                                body_raw=post.body_raw, body_html=post.body_html,
                                written_at=post.edited_at or post.created_at, replaced_at=now))
    post.body_raw, post.body_html, post.body_text = body, rendered.html, rendered.text
    post.edited_at = now
    post.edit_count = Post.edit_count + 1
    if new_title is not None:
        topic.title = new_title
    db.session.commit()
    return Posted(post, topic, screened)


def delete_post(actor: User, post_id: int) -> Post:
    """Soft-delete one's own post: its place stays, its words go from view and search."""
    guardian = Guardian(actor)
    post, topic = load_post(guardian, post_id)
    guardian.ensure(guardian.can_delete_post(post, topic), hide=True)
    post.deleted_at = utcnow()
    post.deleted_by_author = True
    if post.number > 1:
        db.session.execute(update(Topic).where(Topic.id == topic.id).values(
            reply_count=Topic.reply_count - 1).execution_options(synchronize_session=False))
    db.session.commit()
    return post


def announce(post: Post, topic: Topic, author: User, mentioned: list[int] | None = None) -> None:
    """Make a post count: topic and category counters, and watchers, mentioned and quoted members told.

    Runs when a post goes up, or later when a moderator approves a held one: until then
    nobody learns of it from a listing or a notification.
    """
    if mentioned is None:
        mentioned = render_post(post.body_raw).mentioned_ids
    if post.number == 1:
        db.session.execute(update(Category).where(Category.id == topic.category_id).values(
            topic_count=Category.topic_count + 1, post_count=Category.post_count + 1))
        notify(post, topic, author, mentioned, [], new_topic_category=topic.category_id)
        return
    db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(reply_count=Topic.reply_count + 1,
                last_post_at=case((Topic.last_post_at < post.created_at, post.created_at),
                                  else_=Topic.last_post_at),
                last_poster_id=case((Topic.last_post_at < post.created_at, author.id),
                                    else_=Topic.last_poster_id))
        .execution_options(synchronize_session=False))
    db.session.execute(update(Category).where(Category.id == topic.category_id).values(
        post_count=Category.post_count + 1))
    quoted = set(rendering.iter_quoted_post_ids(post.body_raw, QUOTE_LINK))
    quoted_authors = []
    if quoted:
        quoted_authors = list(db.session.scalars(select(Post.author_id).where(
            Post.id.in_(quoted), Post.topic_id == topic.id, Post.author_id.is_not(None))))
    notify(post, topic, author, mentioned, quoted_authors)
