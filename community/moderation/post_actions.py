"""Staff actions on posts: approve, hide, unhide, delete and edit, with a reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from community import audit, rendering
from community.db import db, utcnow
from community.errors import ValidationFailed
from community.forum import posting as forum
from community.models import User
from community.models.forum import Post, PostRevision, Topic
from community.models.moderation import (
    ActionKind,
    QueueItem,
)
from community.moderation.common import (
    _ensure_staff,
    _member_action,
    _post_and_topic,
    _reason,
    _user,
)


def _approve(actor: User, post: Post, topic: Topic, reason: str) -> None:
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
