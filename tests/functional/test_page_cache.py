"""The visitors' page cache: served without the database, and never stale or personal.

The test config turns the cache on (memory://), so every anonymous page test in the
suite also runs through it; these tests pin what it must guarantee.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from community.db import db
from community.models.forum import Post
from tests.functional.test_news import slug_of, write_article
from tests.support.moderation import client_for, make_scene, member, old_member, text
from tests.support.observe import counting_statements


@pytest.fixture
def scene(app):
    with app.app_context():
        return make_scene()


def test_a_visitor_gets_the_topic_page_from_the_cache_without_sql(app, scene):
    visitor = app.test_client()
    first = visitor.get(f"/forum/t/{scene.topic_id}")
    with counting_statements(app) as statements:
        again = app.test_client().get(f"/forum/t/{scene.topic_id}")
    assert statements == []
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in again.headers


def test_a_reply_shows_to_visitors_at_once(app, scene):
    app.test_client().get(f"/forum/t/{scene.topic_id}")
    with app.app_context():
        _, email = old_member(display_name="Replying Rita")
    author = client_for(app, email)
    response = author.submit(f"/forum/t/{scene.topic_id}/reply", {"body": "Hair came back after a year.",
                                                                 "action": "post"})
    assert response.status_code == 302
    assert "Hair came back after a year." in text(app.test_client().get(f"/forum/t/{scene.topic_id}"))


def test_a_post_hidden_by_reports_leaves_the_visitors_page_at_once(app, scene):
    app.config["MODERATION_AUTO_HIDE_REPORTS"] = 1
    assert "And sunshine is fine" in text(app.test_client().get(f"/forum/t/{scene.topic_id}"))
    with app.app_context():
        _, email = member()
    client_for(app, email).submit(f"/moderation/report/post/{scene.reply_id}",
                                  {"reason": "misinformation", "note": ""})
    page = text(app.test_client().get(f"/forum/t/{scene.topic_id}"))
    assert "And sunshine is fine" not in page and "This post is hidden by a moderator" in page


def test_a_new_display_name_shows_on_the_visitors_page_at_once(app, scene):
    app.test_client().get(f"/forum/t/{scene.topic_id}")
    author = client_for(app, scene.author_email)
    response = author.submit("/account/profile", {"display_name": "Anne Renamed", "pronouns": "", "bio": "",
                                                  "living_with_lupus_since": "", "time_zone": "Europe/London"})
    assert response.status_code == 302
    assert "Anne Renamed" in text(app.test_client().get(f"/forum/t/{scene.topic_id}"))


def test_signing_in_does_not_empty_the_cache(app, scene):
    app.test_client().get(f"/forum/t/{scene.topic_id}")
    client_for(app, scene.author_email)  # writes last_login_at and a sign-in row: nothing visitors see
    with counting_statements(app) as statements:
        app.test_client().get(f"/forum/t/{scene.topic_id}")
    assert statements == []


def test_members_never_get_or_fill_the_visitors_copy(app, scene):
    app.test_client().get(f"/forum/t/{scene.topic_id}")
    with app.app_context():
        _, email = member(display_name="Signed In Sam")
    signed_in = client_for(app, email)
    page = text(signed_in.get(f"/forum/t/{scene.topic_id}"))
    assert "Signed In Sam" in page  # their own header, not the visitor's copy
    assert "Signed In Sam" not in text(app.test_client().get(f"/forum/t/{scene.topic_id}"))


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(app, scene):
    visitor = app.test_client()
    visitor.get(f"/forum/t/{scene.topic_id}")
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "A note only for this visitor.")]
    assert "A note only for this visitor." in text(visitor.get(f"/forum/t/{scene.topic_id}"))


def test_redis_shares_the_cache_and_its_invalidation_between_instances(make_app):
    prefix = f"lc-test-{secrets.token_hex(4)}"
    first, second = (make_app(PAGE_CACHE_URL="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=prefix)
                     for _ in range(2))
    try:
        with first.app_context():
            scene = make_scene()
        assert "And sunshine is fine" in text(first.test_client().get(f"/forum/t/{scene.topic_id}"))
        with counting_statements(second) as statements:
            second.test_client().get(f"/forum/t/{scene.topic_id}")
        assert statements == [], "the second instance rendered the page again"
        with first.app_context():  # an edit made through the first instance's database session
            reply = db.session.scalar(select(Post).where(Post.id == scene.reply_id))
            reply.body_html = "<p>Edited on the first instance.</p>"
            db.session.commit()
        assert "Edited on the first instance." in text(second.test_client().get(f"/forum/t/{scene.topic_id}"))
    finally:
        first.extensions["page_cache"].clear()


def test_every_cached_page_is_served_to_the_next_visitor_without_sql(app, client, auth, scene):
    auth.sign_in_as("admin")
    slug = slug_of(app, write_article(app, client))
    paths = ["/forum/", "/forum/latest", f"/forum/c/{scene.category_slug}", f"/forum/t/{scene.topic_id}",
             "/forum/search?q=sunshine", "/news/", "/news/tags/anifrolumab", f"/news/{slug}"]
    for path in paths:
        first = app.test_client().get(path)
        assert first.status_code == 200 and "Set-Cookie" not in first.headers, path
        with counting_statements(app) as statements:
            assert app.test_client().get(path).get_data() == first.get_data()
        assert statements == [], f"{path} was rendered again"


def test_an_unpublished_article_leaves_the_visitors_pages_at_once(app, client, auth):
    auth.sign_in_as("admin")
    article_id = write_article(app, client)
    slug = slug_of(app, article_id)
    assert app.test_client().get(f"/news/{slug}").status_code == 200
    assert slug in text(app.test_client().get("/news/"))
    client.submit(f"/news/write/{article_id}/unpublish", page=f"/news/write/{article_id}")
    assert app.test_client().get(f"/news/{slug}").status_code == 404
    assert slug not in text(app.test_client().get("/news/"))
