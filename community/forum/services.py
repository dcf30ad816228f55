"""Forum rules: reading, writing, reacting, following and notifying.

Every function that changes something loads what it needs, asks the Guardian,
makes the change and commits once. Counters move in SQL (``n = n + 1``) so
concurrent writers never lose each other's updates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from community import mail, rendering
from community.db import MAX_ROW_ID, db, utcnow
from community.errors import NotFound, PermissionDenied, ValidationFailed
from community.forum import ignoring
from community.models import User
from community.models.forum import (
    Category,
    CategoryWatch,
    DigestFrequency,
    Draft,
    ForumPreference,
    Notification,
    NotificationKind,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Topic,
    TopicRead,
    TopicWatch,
)
from community.moderation import screening
from community.permissions import Guardian

TITLE_MIN, TITLE_MAX = 5, 150
DRAFT_KEY = re.compile(r"^(topic|category):(\d{1,10})$")
QUOTE_LINK = re.compile(r"/forum/posts/(\d{1,12})\b")
FORMER_MEMBER = "a former member"


def _config(name: str) -> Any:
    return current_app.config[name]


def _path(endpoint: str, **values: Any) -> str:
    """A site-relative link that works outside a request too (CLI, demo data, digests)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _insert(model):
    """INSERT with the dialect's ON CONFLICT support (SQLite and PostgreSQL share the API)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _visible_topics(guardian: Guardian) -> list:
    """SQL conditions that keep topics a viewer may not see out of any listing."""
    conditions = []
    if not guardian.is_staff:
        conditions.append(Topic.hidden_at.is_(None))
    if not guardian.is_member:
        conditions.append(Topic.members_only.is_(False))
    return conditions


# -- categories -------------------------------------------------------------

def list_categories() -> list[Category]:
    """Every category in the admins' chosen order."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def get_category(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound()
    return category


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "category"


def save_category(actor: User, slug: str | None, *, name: str, description: str, position: int,
                  members_only_default: bool) -> Category:
    """Add a category (slug None) or change one; admins only."""
    guardian = Guardian(actor)
    guardian.ensure(guardian.can_manage_categories(), hide=True)
    name = name.strip()
    if not name:
        raise ValidationFailed("Please give the category a name.", field="name")
    clash = select(Category.id).where(func.lower(Category.name) == name.lower())
    if slug is None:
        new_slug = slugify(name)
        if db.session.scalar(clash) is not None or db.session.scalar(
                select(Category.id).where(Category.slug == new_slug)) is not None:
            raise ValidationFailed("A category with a name like that already exists.", field="name")
        category = Category(slug=new_slug, name=name, topic_count=0, post_count=0)
        db.session.add(category)
    else:
        category = get_category(slug)
        if db.session.scalar(clash.where(Category.id != category.id)) is not None:
            raise ValidationFailed("A category with that name already exists.", field="name")
    category.name = name
    category.description = (description or "").strip()
    category.position = position or 0
    category.members_only_default = bool(members_only_default)
    db.session.commit()
    return category


# -- listings -----------------------------------------------------------------

@dataclass
class TopicRow:
    topic: Topic
    category: Category
    author_name: str | None
    last_poster_name: str | None
    last_read: int | None  # None: a visitor, or a member who never opened it

    @property
    def unread(self) -> int:
        return max(0, self.topic.last_number - (self.last_read or 0))

    @property
    def is_new(self) -> bool:
        return self.last_read is None


def _cursor(topic: Topic) -> str:
    return f"{int(topic.last_post_at.timestamp() * 1_000_000)}.{topic.id}"


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    match = re.fullmatch(r"(\d{1,20})\.(\d{1,12})", cursor)
    if not match:
        return None
    from datetime import UTC

    try:
        when = datetime.fromtimestamp(int(match.group(1)) / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return when, int(match.group(2))


def list_topics(viewer: Any, *, category: Category | None = None, cursor: str | None = None,
                ) -> tuple[list[TopicRow], str | None]:
    """Topics the viewer may see, most recently active first, in one query per page.

    Pages are keyset-paged on (last_post_at, id), so the hundredth page is as
    quick as the first; the cursor for the next page is returned. In a
    category, pinned topics come first on the first page (one more query).
    """
    guardian = Guardian(viewer)
    per_page = _config("FORUM_TOPICS_PER_PAGE")
    author = aliased(User)
    last_poster = aliased(User)
    columns = [Topic, Category, author.display_name, last_poster.display_name]
    statement = (select(*columns)
                 .join(Category, Topic.category_id == Category.id)
                 .outerjoin(author, Topic.author_id == author.id)
                 .outerjoin(last_poster, Topic.last_poster_id == last_poster.id)
                 .where(*_visible_topics(guardian)))
    if guardian.is_member:
        statement = statement.add_columns(TopicRead.last_read_number).outerjoin(
            TopicRead, and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == viewer.id))
    after = _parse_cursor(cursor)
    pinned: list[TopicRow] = []
    if category is not None:
        statement = statement.where(Topic.category_id == category.id)
        if after is None:
            pinned = [TopicRow(row[0], row[1], row[2], row[3], row[4] if guardian.is_member else None)
                      for row in db.session.execute(
                          statement.where(Topic.pinned_at.is_not(None))
                          .order_by(Topic.pinned_at.desc()).limit(10)).all()]
        statement = statement.where(Topic.pinned_at.is_(None))
    if after is not None:
        when, topic_id = after
        statement = statement.where(or_(Topic.last_post_at < when,
                                        and_(Topic.last_post_at == when, Topic.id < topic_id)))
    statement = statement.order_by(Topic.last_post_at.desc(), Topic.id.desc()).limit(per_page + 1)
    rows = []
    for row in db.session.execute(statement).all():
        rows.append(TopicRow(row[0], row[1], row[2], row[3], row[4] if guardian.is_member else None))
    next_cursor = _cursor(rows[per_page - 1].topic) if len(rows) > per_page else None
    return pinned + rows[:per_page], next_cursor


def category_watching(viewer: Any, category: Category) -> bool:
    if not Guardian(viewer).is_member:
        return False
    return db.session.scalar(select(CategoryWatch.id).where(
        CategoryWatch.user_id == viewer.id, CategoryWatch.category_id == category.id)) is not None


# -- reading a topic ------------------------------------------------------------

@dataclass
class PostView:
    post: Post
    author: User | None
    reactions: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    is_unread: bool = False

    @property
    def author_name(self) -> str:
        return self.author.display_name if self.author is not None else FORMER_MEMBER


@dataclass
class TopicPage:
    topic: Topic
    category: Category
    posts: list[PostView]
    page: int
    pages: int
    watching: bool


class MembersOnly(NotFound):
    """A signed-out visitor asked for a members-only topic: still not found, but they may sign in to read it."""


def _ensure_visible(guardian: Guardian, topic: Topic) -> None:
    if not guardian.can_view_topic(topic):
        raise MembersOnly() if guardian.may_learn_topic_is_for_members(topic) else NotFound()


def _load_topic(guardian: Guardian, topic_id: int) -> tuple[Topic, Category]:
    if not 0 < topic_id <= MAX_ROW_ID:
        raise NotFound()
    row = db.session.execute(select(Topic, Category).join(Category, Topic.category_id == Category.id)
                             .where(Topic.id == topic_id)).first()
    if row is None:
        raise NotFound()
    topic, category = row
    _ensure_visible(guardian, topic)
    return topic, category


def _load_post(guardian: Guardian, post_id: int) -> tuple[Post, Topic]:
    if not 0 < post_id <= MAX_ROW_ID:
        raise NotFound()
    row = db.session.execute(select(Post, Topic).join(Topic, Post.topic_id == Topic.id)
                             .where(Post.id == post_id)).first()
    if row is None:
        raise NotFound()
    post, topic = row
    _ensure_visible(guardian, topic)
    guardian.ensure(guardian.can_view_post(post, topic), hide=True)
    return post, topic


def page_count(topic: Topic) -> int:
    return max(1, math.ceil(topic.last_number / _config("FORUM_POSTS_PER_PAGE")))


def page_of(number: int) -> int:
    return (number - 1) // _config("FORUM_POSTS_PER_PAGE") + 1


def read_topic(viewer: Any, topic_id: int, page: int = 1) -> TopicPage:
    """One page of a topic with authors and reactions; a member's read marker moves on.

    Posts are fetched by number range on the (topic_id, number) index, never by
    OFFSET, and everything else comes in a fixed number of queries.
    """
    guardian = Guardian(viewer)
    topic, category = _load_topic(guardian, topic_id)
    pages = page_count(topic)
    if page < 1 or page > pages:
        raise NotFound()
    per_page = _config("FORUM_POSTS_PER_PAGE")
    first, last = (page - 1) * per_page + 1, page * per_page
    rows = db.session.execute(
        select(Post, User).outerjoin(User, Post.author_id == User.id)
        .where(Post.topic_id == topic.id, Post.number.between(first, last))
        .order_by(Post.number)).all()
    views = [PostView(post, author) for post, author in rows]
    by_id = {v.post.id: v for v in views}
    if by_id:
        for post_id, kind, count in db.session.execute(
                select(Reaction.post_id, Reaction.kind, func.count(Reaction.id))
                .where(Reaction.post_id.in_(by_id)).group_by(Reaction.post_id, Reaction.kind)):
            by_id[post_id].reactions[kind] = count
    watching = False
    if guardian.is_member and by_id:
        for post_id, kind in db.session.execute(
                select(Reaction.post_id, Reaction.kind)
                .where(Reaction.post_id.in_(by_id), Reaction.user_id == viewer.id)):
            by_id[post_id].mine.add(kind)
        watching = db.session.scalar(select(TopicWatch.id).where(
            TopicWatch.user_id == viewer.id, TopicWatch.topic_id == topic.id)) is not None
        previous = db.session.scalar(select(TopicRead.last_read_number).where(
            TopicRead.user_id == viewer.id, TopicRead.topic_id == topic.id))
        for view in views:
            view.is_unread = previous is not None and view.post.number > previous
        db.writing()
        _mark_read(viewer, topic, max(v.post.number for v in views), list(by_id))
        db.session.commit()
    return TopicPage(topic, category, views, page, pages, watching)


def _mark_read(viewer: Any, topic: Topic, number: int, post_ids: list[int]) -> None:
    """Move the member's read marker forward (never back) and clear notifications shown."""
    _advance_read_marker(viewer.id, topic.id, number)
    db.session.execute(update(Notification).where(
        Notification.user_id == viewer.id, Notification.post_id.in_(post_ids),
        Notification.read_at.is_(None)).values(read_at=utcnow()))


def _advance_read_marker(user_id: int, topic_id: int, number: int) -> None:
    """Upsert the read marker to ``number`` unless it is already further on."""
    from sqlalchemy import case

    statement = _insert(TopicRead).values(user_id=user_id, topic_id=topic_id,
                                          last_read_number=number, updated_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "topic_id"],
        set_={"last_read_number": case(
            (statement.excluded.last_read_number > TopicRead.last_read_number,
             statement.excluded.last_read_number), else_=TopicRead.last_read_number),
            "updated_at": statement.excluded.updated_at})
    db.session.execute(statement)


def locate_post(viewer: Any, post_id: int) -> tuple[int, int, int]:
    """Where a post lives: (topic id, page, number), for links to a single post."""
    post, topic = _load_post(Guardian(viewer), post_id)
    return topic.id, page_of(post.number), post.number


def post_history(viewer: Any, post_id: int) -> tuple[Post, Topic, list[PostRevision]]:
    """A post and every earlier version of it, newest first (moderators and admins)."""
    guardian = Guardian(viewer)
    post, topic = _load_post(guardian, post_id)
    guardian.ensure(guardian.can_view_edit_history(post, topic), hide=True)
    revisions = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id.desc())).all()
    return post, topic, list(revisions)


def get_post_for_edit(viewer: Any, post_id: int) -> tuple[Post, Topic]:
    """A post its author may edit (404 for anyone else)."""
    guardian = Guardian(viewer)
    post, topic = _load_post(guardian, post_id)
    guardian.ensure(guardian.can_edit_post(post, topic), hide=True)
    return post, topic


def get_post_for_delete(viewer: Any, post_id: int) -> tuple[Post, Topic]:
    """A post its author may delete (404 for anyone else)."""
    guardian = Guardian(viewer)
    post, topic = _load_post(guardian, post_id)
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
    topic, category = _load_topic(guardian, topic_id)
    guardian.ensure(guardian.can_reply(topic), hide=True)
    return topic, category


def quote_markdown(viewer: Any, post_id: int, topic_id: int) -> str:
    """The Markdown that quotes a post of this topic, or "" if it can't be quoted."""
    try:
        post, topic = _load_post(Guardian(viewer), post_id)
    except NotFound:
        return ""
    if topic.id != topic_id or post.deleted_at is not None:
        return ""
    author = db.session.get(User, post.author_id) if post.author_id else None
    return rendering.quote_block(author.display_name if author else FORMER_MEMBER,
                                 _path("forum.post", post_id=post.id), post.body_raw)


# -- writing ------------------------------------------------------------------------

def _resolve_mentions(candidates: set[str]) -> dict[str, tuple[int, str]]:
    rows = db.session.execute(select(User.id, User.display_name).where(
        func.lower(User.display_name).in_(sorted(candidates)[:200])))
    return {name.lower(): (user_id, name) for user_id, name in rows}


def render_post(body: str) -> rendering.Rendered:
    """A post body rendered with this forum's @mentions and profile links (moderator edits use it too)."""
    return rendering.render(body, _resolve_mentions,
                            lambda user_id: _path("main.member_profile", user_id=user_id))


def preview(body: str) -> str:
    """The sanitised HTML a post would have, without saving anything."""
    return render_post(body or "").html


def _clean_body(body: str) -> str:
    body = rendering.clean_text(body or "").strip()
    if not body:
        raise ValidationFailed("Please write something before posting.", field="body")
    limit = _config("FORUM_MAX_POST_CHARS")
    if len(body) > limit:
        raise ValidationFailed(f"Please keep a post under {limit:,} characters "
                               f"(this one has {len(body):,}).", field="body")
    return body


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
    cooldown = _config("FORUM_POST_COOLDOWN_SECONDS")
    if cooldown:
        latest = db.session.scalar(select(Post.created_at).where(Post.author_id == author.id)
                                   .order_by(Post.created_at.desc()).limit(1))
        if latest is not None and (now - latest).total_seconds() < cooldown:
            wait = math.ceil(cooldown - (now - latest).total_seconds())
            raise ValidationFailed(f"Please wait {wait} second{'s' if wait != 1 else ''} before "
                                   "posting again. What you wrote is still here.", field="body")
    if author.created_at <= now - _config("FORUM_NEW_MEMBER_PERIOD"):
        return
    max_links = _config("FORUM_NEW_MEMBER_MAX_LINKS")
    if link_count > max_links:
        raise ValidationFailed(f"New members can include up to {max_links} links in a post during "
                               f"their first day (this one has {link_count}). Please remove some.",
                               field="body")
    since = now - timedelta(days=1)
    if starting_topic:
        limit = _config("FORUM_NEW_MEMBER_TOPICS_PER_DAY")
        started = db.session.scalar(select(func.count(Topic.id)).where(
            Topic.author_id == author.id, Topic.created_at > since))
        if started >= limit:
            raise ValidationFailed(f"New members can start {limit} topics on their first day. "
                                   "You can reply to topics, or start this one tomorrow; "
                                   "your text is saved as a draft.", field="title")
    else:
        limit = _config("FORUM_NEW_MEMBER_REPLIES_PER_DAY")
        replied = db.session.scalar(select(func.count(Post.id)).where(
            Post.author_id == author.id, Post.number > 1, Post.created_at > since))
        if replied >= limit:
            raise ValidationFailed(f"New members can post {limit} replies on their first day. "
                                   "Please come back tomorrow; your text is saved as a draft.",
                                   field="body")


def start_topic(author: User, category_slug: str, *, title: str, body: str,
                members_only: bool) -> Topic:
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
    screening.screen_post(author, post, topic, render_post)  # watched words, crisis help, new-member hold
    db.session.execute(_insert(TopicWatch).values(user_id=author.id, topic_id=topic.id,
                                                  created_at=now).on_conflict_do_nothing())
    _advance_read_marker(author.id, topic.id, 1)  # nobody needs "new" on their own words
    if post.held_at is None:
        announce(post, topic, author, mentioned=rendered.mentioned_ids)
    _discard_draft(author, f"category:{category.id}")
    db.session.commit()
    return topic


def reply(author: User, topic_id: int, *, body: str) -> Post:
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
    screening.screen_post(author, post, topic, render_post)  # watched words, crisis help, new-member hold
    db.session.execute(_insert(TopicWatch).values(user_id=author.id, topic_id=topic.id,
                                                  created_at=now).on_conflict_do_nothing())
    _advance_read_marker(author.id, topic.id, number)
    if post.held_at is None:
        announce(post, topic, author, mentioned=rendered.mentioned_ids)
    _discard_draft(author, f"topic:{topic.id}")
    db.session.commit()
    return post


def edit_post(editor: User, post_id: int, *, body: str, title: str | None = None) -> Post:
    """Change one's own post; the previous version is kept for moderators."""
    guardian = Guardian(editor)
    post, topic = _load_post(guardian, post_id)
    guardian.ensure(guardian.can_edit_post(post, topic), hide=True)
    body = _clean_body(body)
    new_title = _clean_title(title) if post.number == 1 and title is not None else None
    if body == post.body_raw and (new_title is None or new_title == topic.title):
        raise ValidationFailed("Nothing has changed yet.", field="body")
    body = screening.screen_edit(editor, post, body)  # watched words apply to edits too
    rendered = render_post(body)
    if (Guardian(editor).can_skip_posting_limits() is False
            and editor.created_at > utcnow() - _config("FORUM_NEW_MEMBER_PERIOD")
            and rendered.link_count > _config("FORUM_NEW_MEMBER_MAX_LINKS")):
        raise ValidationFailed(f"New members can include up to {_config('FORUM_NEW_MEMBER_MAX_LINKS')} "
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
    return post


def delete_post(actor: User, post_id: int) -> Post:
    """Soft-delete one's own post: its place stays, its words go from view and search."""
    guardian = Guardian(actor)
    post, topic = _load_post(guardian, post_id)
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
        _notify(post, topic, author, mentioned, [], new_topic_category=topic.category_id)
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
    _notify(post, topic, author, mentioned, quoted_authors)


def _notify(post: Post, topic: Topic, author: User, mentioned: list[int], quoted_authors: list[int],
            new_topic_category: int | None = None) -> None:
    """One notification per member per post: mention beats quote beats reply."""
    kinds: dict[int, str] = {}
    if new_topic_category is not None:
        for user_id in db.session.scalars(select(CategoryWatch.user_id).where(
                CategoryWatch.category_id == new_topic_category)):
            kinds[user_id] = NotificationKind.NEW_TOPIC.value
    else:
        for user_id in db.session.scalars(select(TopicWatch.user_id).where(
                TopicWatch.topic_id == topic.id)):
            kinds[user_id] = NotificationKind.REPLY.value
    for user_id in quoted_authors:
        kinds[user_id] = NotificationKind.QUOTE.value
    for user_id in mentioned:
        kinds[user_id] = NotificationKind.MENTION.value
    kinds.pop(author.id, None)
    for user_id in ignoring.ignorers_of(author.id, kinds):
        kinds.pop(user_id)  # they asked not to hear from this member
    if not kinds:
        return
    now = utcnow()
    db.session.execute(Notification.__table__.insert(), [
        {"user_id": user_id, "kind": kind, "topic_id": topic.id, "post_id": post.id,
         "actor_id": author.id, "created_at": now}
        for user_id, kind in sorted(kinds.items())])


# -- drafts ---------------------------------------------------------------------------

def _draft_target(user: User, key: str) -> None:
    match = DRAFT_KEY.match(key or "")
    if not match:
        raise NotFound()
    guardian = Guardian(user)
    if match.group(1) == "topic":
        topic, _category = _load_topic(guardian, int(match.group(2)))
        guardian.ensure(guardian.can_reply(topic), hide=True)
    elif int(match.group(2)) > MAX_ROW_ID or db.session.get(Category, int(match.group(2))) is None:
        raise NotFound()


def get_draft(user: Any, key: str) -> Draft | None:
    if not Guardian(user).is_member:
        return None
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def save_draft(user: User, key: str, *, title: str = "", body: str = "") -> datetime:
    """Keep what the member is writing (an empty draft is removed); returns when it was saved."""
    _draft_target(user, key)
    title = rendering.clean_text(title or "")[:TITLE_MAX]
    body = rendering.clean_text(body or "")
    if len(body) > _config("FORUM_MAX_POST_CHARS"):
        raise ValidationFailed("That draft is too long to save.", field="body")
    now = utcnow()
    if not title.strip() and not body.strip():
        _discard_draft(user, key)
    else:
        statement = _insert(Draft).values(user_id=user.id, key=key, title=title, body=body,
                                          updated_at=now)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["user_id", "key"],
            set_={"title": statement.excluded.title, "body": statement.excluded.body,
                  "updated_at": statement.excluded.updated_at}))
    db.session.commit()
    return now


def _discard_draft(user: User, key: str) -> None:
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == key))


# -- reactions and following ---------------------------------------------------------

def toggle_reaction(user: User, post_id: int, kind: str) -> bool:
    """Add the member's reaction of this kind, or take it back; True if it is now on."""
    if kind not in {k.value for k in ReactionKind}:
        raise NotFound()
    guardian = Guardian(user)
    post, topic = _load_post(guardian, post_id)
    guardian.ensure(guardian.can_react(post, topic), hide=True)
    removed = db.session.execute(delete(Reaction).where(
        Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind)).rowcount
    if not removed:
        db.session.execute(_insert(Reaction).values(post_id=post.id, user_id=user.id, kind=kind,
                                                    created_at=utcnow()).on_conflict_do_nothing())
    db.session.commit()
    return not removed


def set_topic_watch(user: User, topic_id: int, watch: bool) -> Topic:
    """Follow or stop following a topic."""
    guardian = Guardian(user)
    topic, _category = _load_topic(guardian, topic_id)
    guardian.ensure(guardian.can_watch_topic(topic), hide=True)
    if watch:
        db.session.execute(_insert(TopicWatch).values(user_id=user.id, topic_id=topic.id,
                                                      created_at=utcnow()).on_conflict_do_nothing())
    else:
        db.session.execute(delete(TopicWatch).where(TopicWatch.user_id == user.id,
                                                    TopicWatch.topic_id == topic.id))
    db.session.commit()
    return topic


def set_category_watch(user: User, slug: str, watch: bool) -> Category:
    """Follow or stop following new topics in a category."""
    guardian = Guardian(user)
    category = get_category(slug)
    guardian.ensure(guardian.can_watch_category(category), hide=True)
    if watch:
        db.session.execute(_insert(CategoryWatch).values(
            user_id=user.id, category_id=category.id, created_at=utcnow()).on_conflict_do_nothing())
    else:
        db.session.execute(delete(CategoryWatch).where(CategoryWatch.user_id == user.id,
                                                       CategoryWatch.category_id == category.id))
    db.session.commit()
    return category


# -- notifications --------------------------------------------------------------------

@dataclass
class NotificationRow:
    notification: Notification
    topic_title: str
    actor_name: str | None


_ACTOR = aliased(User, name="actor")


def _openable(statement, user: User):
    """Narrow a statement over notifications to the member's that lead to a post they may see."""
    guardian = Guardian(user)
    conditions = [Notification.user_id == user.id, Post.deleted_at.is_(None), *_visible_topics(guardian)]
    if not guardian.is_staff:
        conditions.append(Post.hidden_at.is_(None))
    return (statement.join(Topic, Notification.topic_id == Topic.id)
            .join(Post, Notification.post_id == Post.id)
            .where(*conditions))


def _notification_rows(user: User):
    return _openable(select(Notification, Topic.title, _ACTOR.display_name), user).outerjoin(
        _ACTOR, Notification.actor_id == _ACTOR.id)


def list_notifications(user: User, page: int = 1, per_page: int = 30
                       ) -> tuple[list[NotificationRow], bool]:
    """The member's notifications, newest first, with whether there are more."""
    rows = db.session.execute(_notification_rows(user).order_by(Notification.id.desc())
                              .offset((page - 1) * per_page).limit(per_page + 1)).all()
    items = [NotificationRow(*row) for row in rows]
    return items[:per_page], len(items) > per_page


def unread_notification_query(user: Any) -> Select | None:
    """Unread notifications the member could open (same filters as the list): one plain count,
    no names joined in, for the header of every member page (community/header.py)."""
    if not Guardian(user).is_member:
        return None
    return (_openable(select(func.count(Notification.id)).select_from(Notification), user)
            .where(Notification.read_at.is_(None)))


def unread_notification_count(user: Any) -> int:
    query = unread_notification_query(user)
    return (db.session.scalar(query) or 0) if query is not None else 0


def mark_all_read(user: User) -> int:
    """Mark every notification read; returns how many were unread."""
    count = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(
        read_at=utcnow())).rowcount
    db.session.commit()
    return count


# -- settings and digests ---------------------------------------------------------------

def get_preferences(user: User) -> ForumPreference:
    prefs = db.session.get(ForumPreference, user.id)
    return prefs or ForumPreference(user_id=user.id, digest=DigestFrequency.NONE.value)


def set_digest(user: User, frequency: str) -> None:
    """Choose the email digest: none, daily or weekly."""
    if frequency not in {f.value for f in DigestFrequency}:
        raise ValidationFailed("Please choose never, daily or weekly.", field="digest")
    statement = _insert(ForumPreference).values(user_id=user.id, digest=frequency)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["user_id"], set_={"digest": statement.excluded.digest}))
    db.session.commit()


DIGEST_PERIODS = {DigestFrequency.DAILY.value: timedelta(days=1),
                  DigestFrequency.WEEKLY.value: timedelta(days=7)}


def send_digests(frequency: str, now: datetime | None = None) -> int:
    """Queue a digest email of unread, not-yet-emailed notifications to each member due one.

    Each member commits on their own, so a re-run after a crash resumes
    without sending anyone the same notifications twice.
    """
    now = now or utcnow()
    period = DIGEST_PERIODS[frequency]
    # An hour's slack so a daily cron at a slightly earlier time still sends.
    due_before = now - period + timedelta(hours=1)
    members = db.session.execute(
        select(ForumPreference.user_id).join(User, ForumPreference.user_id == User.id)
        .where(ForumPreference.digest == frequency,
               or_(ForumPreference.last_digest_at.is_(None), ForumPreference.last_digest_at <= due_before),
               User.email_verified_at.is_not(None),
               or_(User.suspended_until.is_(None), User.suspended_until <= now))
        .order_by(ForumPreference.user_id)).scalars().all()
    db.session.commit()
    queued = 0
    for user_id in members:
        user = db.session.get(User, user_id)
        prefs = db.session.get(ForumPreference, user_id)
        if user is None or prefs is None:
            continue
        rows = db.session.execute(_notification_rows(user).where(
            Notification.read_at.is_(None), Notification.emailed_at.is_(None))
            .order_by(Notification.id.desc()).limit(50)).all()
        items = [NotificationRow(*row) for row in rows]
        prefs.last_digest_at = now
        if items:
            mail.queue(user.email, "forum_digest", user=user, items=items, frequency=frequency,
                       post_url=lambda post_id: mail.external_url("forum.post", post_id=post_id),
                       notifications_url=mail.external_url("forum.notifications"),
                       settings_url=mail.external_url("forum.settings"))
            db.session.execute(update(Notification).where(
                Notification.id.in_([i.notification.id for i in items])).values(emailed_at=now))
            queued += 1
        db.session.commit()
    return queued


# -- leaving: a member's posts when their account is deleted ----------------------------------

DELETED_TOPIC_TITLE = "A topic deleted by its author"


def own_post_counts(user: User) -> dict[bool, int]:
    """How many live posts the member has in members-only (True) and public (False) topics."""
    counts = dict(db.session.execute(
        select(Topic.members_only, func.count(Post.id)).join(Topic, Post.topic_id == Topic.id)
        .where(Post.author_id == user.id, Post.deleted_at.is_(None)).group_by(Topic.members_only)).all())
    return {True: counts.get(True, 0), False: counts.get(False, 0)}


def delete_own_posts(user: User, *, members_only: bool, public: bool) -> None:
    """Delete the member's posts in members-only and/or public topics, words and earlier versions too.

    Part of deleting an account (the caller commits). Other members' replies stay; the
    deleted posts keep their place and read "deleted by its author". A topic the member
    started that nobody else wrote in is hidden and loses its title as well; one with
    other people's replies keeps its title, so those replies still make sense.
    """
    kinds = [kind for kind, chosen in ((True, members_only), (False, public)) if chosen]
    if not kinds:
        return
    chosen = (select(Post.id).join(Topic, Post.topic_id == Topic.id)
              .where(Post.author_id == user.id, Topic.members_only.in_(kinds)))
    topic_ids = select(Post.topic_id).where(Post.id.in_(chosen)).distinct()
    counted = aliased(Post)
    # Replies that still count towards a topic's reply count (not already deleted, not held).
    db.session.execute(update(Topic).where(Topic.id.in_(topic_ids)).values(
        reply_count=Topic.reply_count - select(func.count(counted.id)).where(
            counted.topic_id == Topic.id, counted.id.in_(chosen), counted.number > 1,
            counted.deleted_at.is_(None), counted.held_at.is_(None)).scalar_subquery())
        .execution_options(synchronize_session=False))
    others = select(counted.id).where(counted.topic_id == Topic.id, or_(
        counted.author_id != user.id, counted.author_id.is_(None)))
    now = utcnow()
    db.session.execute(update(Topic).where(
        Topic.id.in_(topic_ids), Topic.author_id == user.id, Topic.members_only.in_(kinds), ~others.exists())
        .values(title=DELETED_TOPIC_TITLE, hidden_at=func.coalesce(Topic.hidden_at, now))
        .execution_options(synchronize_session=False))
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(chosen))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Post).where(Post.id.in_(chosen)).values(
        deleted_by_author=case((Post.deleted_at.is_(None), True), else_=Post.deleted_by_author),
        deleted_at=func.coalesce(Post.deleted_at, now), body_raw="", body_html="", body_text="")
        .execution_options(synchronize_session=False))


# -- profiles ------------------------------------------------------------------------------

def member_post_count(user_id: int) -> int:
    """Live posts a member has written (anyone can see the number; it says nothing about health)."""
    return db.session.scalar(
        select(func.count(Post.id)).join(Topic, Post.topic_id == Topic.id)
        .where(Post.author_id == user_id, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Topic.hidden_at.is_(None))) or 0
