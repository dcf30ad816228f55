"""Reactions to posts: one of each kind per member, toggled."""

from __future__ import annotations

from sqlalchemy import delete

from community.db import db, utcnow
from community.errors import NotFound
from community.forum.common import (
    insert,
)
from community.forum.reading import (
    load_post,
)
from community.models import User
from community.models.forum import (
    Reaction,
    ReactionKind,
)
from community.permissions import Guardian


def toggle_reaction(user: User, post_id: int, kind: str) -> bool:
    """Add the member's reaction of this kind, or take it back; True if it is now on."""
    if kind not in {k.value for k in ReactionKind}:
        raise NotFound()
    guardian = Guardian(user)
    post, topic = load_post(guardian, post_id)
    guardian.ensure(guardian.can_react(post, topic), hide=True)
    removed = db.session.execute(delete(Reaction).where(
        Reaction.post_id == post.id, Reaction.user_id == user.id, Reaction.kind == kind)).rowcount
    if not removed:
        db.session.execute(insert(Reaction).values(post_id=post.id, user_id=user.id, kind=kind,
                                                    created_at=utcnow()).on_conflict_do_nothing())
    db.session.commit()
    return not removed
