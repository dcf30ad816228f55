"""Builders shared by the moderation tests. Call inside ``with app.app_context():`` unless noted."""

from __future__ import annotations

from dataclasses import dataclass

from community.db import db
from community.models.forum import Post
from tests.support.factories import PASSWORD, make_user
from tests.support.forum import first_post, make_category, make_old_member, make_topic

MISINFORMATION = "Stop taking hydroxychloroquine, turmeric cures lupus."


@dataclass
class Scene:
    author_id: int
    author_email: str
    topic_id: int
    post_id: int  # the opening post
    reply_id: int
    category_slug: str
    category_id: int


def make_scene(*, members_only: bool = False) -> Scene:
    """A topic by an established member with their misinformation as the opening post and one reply."""
    author = make_old_member(display_name="Author Anne")
    category = make_category(members_only_default=members_only)
    topic = make_topic(author, category, title="Natural cures thread", body=MISINFORMATION,
                       members_only=members_only, replies=1, reply_author=author,
                       reply_body="And sunshine is fine for everyone {n}")
    reply = db.session.query(Post).filter_by(topic_id=topic.id, number=2).one()
    return Scene(author.id, author.email, topic.id, first_post(topic).id, reply.id, category.slug,
                 category.id)


def client_for(app, email: str):
    """A fresh browser-like client signed in as this member (not in an app context)."""
    client = app.test_client()
    response = client.submit("/auth/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def member(role: str = "member", **fields):
    user = make_user(role=role, **fields)
    return user.id, user.email


def old_member(**fields):
    user = make_old_member(**fields)
    return user.id, user.email


def text(response) -> str:
    return response.get_data(as_text=True)
