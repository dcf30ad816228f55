"""Every forum route × {anonymous, member, author, moderator, admin}, CSRF on.

The content: a members-only topic whose opening post {post} was written by
"the author" (the signed-in user when the role is "author"), in category {cat}.
"""

import pytest

from community.db import db
from community.models import User
from tests.support.factories import make_user
from tests.support.forum import first_post, make_category, make_topic

ROLES = ["anonymous", "member", "author", "moderator", "admin"]
OK, LOGIN, HIDDEN, REDIRECT = 200, "login", 404, 302
MEMBERS_ONLY = 403  # "This topic is for members. Sign in to read it."
ALLOWED = "allowed"  # handled: saved and redirected, or the form re-shown with its messages
SIGNED_IN = ROLES[1:]


def rule(anonymous, default, **overrides):
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **overrides}


ONLY_AUTHOR = {"member": HIDDEN, "moderator": HIDDEN, "admin": HIDDEN}
ONLY_ADMIN = {"member": HIDDEN, "author": HIDDEN, "moderator": HIDDEN}

MATRIX = [
    ("GET", "/forum/", rule(OK, OK)),
    ("GET", "/forum/latest", rule(OK, OK)),
    ("GET", "/forum/latest.atom", rule(OK, OK)),
    ("GET", "/forum/search?q=words", rule(OK, OK)),
    ("GET", "/forum/c/{cat}", rule(OK, OK)),
    ("GET", "/forum/c/no-such-category", rule(HIDDEN, HIDDEN)),
    ("GET", "/forum/c/{cat}/new", rule(LOGIN, OK)),
    ("POST", "/forum/c/{cat}/new", rule(LOGIN, ALLOWED)),
    ("GET", "/forum/t/{topic}", rule(MEMBERS_ONLY, OK)),
    ("GET", "/forum/t/999999", rule(HIDDEN, HIDDEN)),
    ("GET", "/forum/t/{topic}/reply", rule(LOGIN, OK)),
    ("POST", "/forum/t/{topic}/reply", rule(LOGIN, ALLOWED)),
    ("POST", "/forum/t/{topic}/watch", rule(LOGIN, REDIRECT)),
    ("POST", "/forum/c/{cat}/watch", rule(LOGIN, REDIRECT)),
    ("GET", "/forum/posts/{post}", rule(MEMBERS_ONLY, REDIRECT)),
    ("GET", "/forum/posts/{post}/edit", rule(LOGIN, OK, **ONLY_AUTHOR)),
    ("POST", "/forum/posts/{post}/edit", rule(LOGIN, ALLOWED, **ONLY_AUTHOR)),
    ("GET", "/forum/posts/{post}/delete", rule(LOGIN, OK, **ONLY_AUTHOR)),
    ("POST", "/forum/posts/{post}/delete", rule(LOGIN, REDIRECT, **ONLY_AUTHOR)),
    ("GET", "/forum/posts/{post}/history", rule(LOGIN, OK, member=HIDDEN, author=HIDDEN)),
    ("POST", "/forum/posts/{post}/react/helpful", rule(LOGIN, REDIRECT, author=HIDDEN)),
    ("POST", "/forum/drafts", rule(LOGIN, OK)),
    ("GET", "/forum/notifications", rule(LOGIN, OK)),
    ("POST", "/forum/notifications/read", rule(LOGIN, REDIRECT)),
    ("GET", "/forum/settings", rule(LOGIN, OK)),
    ("POST", "/forum/settings", rule(LOGIN, ALLOWED)),
    ("GET", "/forum/posts/{post}/bookmark", rule(LOGIN, OK)),
    ("POST", "/forum/posts/{post}/bookmark", rule(LOGIN, ALLOWED)),
    ("POST", "/forum/posts/{post}/bookmark/remove", rule(LOGIN, REDIRECT)),
    ("GET", "/forum/bookmarks", rule(LOGIN, OK)),
    ("POST", "/forum/members/{author_id}/ignore", rule(LOGIN, REDIRECT, author=HIDDEN)),
    ("GET", "/forum/categories/new", rule(LOGIN, OK, **ONLY_ADMIN)),
    ("POST", "/forum/categories/new", rule(LOGIN, ALLOWED, **ONLY_ADMIN)),
    ("GET", "/forum/c/{cat}/edit", rule(LOGIN, OK, **ONLY_ADMIN)),
    ("POST", "/forum/c/{cat}/edit", rule(LOGIN, ALLOWED, **ONLY_ADMIN)),
]
POST_DATA = {
    "/forum/c/{cat}/new": {"title": "Matrix topic", "body": "hello", "action": "post"},
    "/forum/t/{topic}/reply": {"body": "hello", "action": "post"},
    "/forum/t/{topic}/watch": {"watch": "1"},
    "/forum/c/{cat}/watch": {"watch": "1"},
    "/forum/posts/{post}/edit": {"body": "changed", "action": "post"},
    "/forum/drafts": {"key": "topic:{topic}", "body": "draft"},
    "/forum/settings": {"digest": "daily"},
    "/forum/posts/{post}/bookmark": {"note": "for my appointment", "remind_on": "2099-01-01"},
    "/forum/members/{author_id}/ignore": {"ignore": "1"},
    "/forum/categories/new": {"name": "Matrix category", "position": "1"},
    "/forum/c/{cat}/edit": {"name": "Renamed", "position": "1"},
}


def test_matrix_covers_every_forum_route(app):
    covered = {(m, p.split("?")[0]) for m, p, _ in MATRIX}
    missing = []
    for rule_ in app.url_map.iter_rules():
        if not rule_.endpoint.startswith("forum."):
            continue
        for method in rule_.methods - {"HEAD", "OPTIONS"}:
            pattern = rule_.rule.replace("<int:topic_id>", "{topic}").replace("<int:post_id>", "{post}") \
                .replace("<slug>", "{cat}").replace("<kind>", "helpful").replace("<int:user_id>", "{author_id}")
            if (method, pattern) not in covered:
                missing.append(f"{method} {rule_.rule}")
    assert not missing, f"add these forum routes to the matrix: {missing}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_forum_route_answers_each_role_as_intended(app, client, auth, role, method, path, expected):
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0
    me = auth.sign_in_as("member" if role == "author" else role) if role != "anonymous" else None
    with app.app_context():
        author = db.session.get(User, me) if role == "author" else make_user(display_name="The author")
        category = make_category()
        topic = make_topic(author, category, members_only=True, title="A members-only topic")
        ids = {"cat": category.slug, "topic": topic.id, "post": first_post(topic).id, "author_id": author.id}
    url = path.format(**ids)
    if method == "GET":
        response = client.get(url)
    else:
        data = {k: v.format(**ids) for k, v in POST_DATA.get(path, {}).items()}
        response = client.submit(url, data, page="/account/" if me else "/auth/login")
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif want == ALLOWED:
        assert response.status_code in (200, 302, 400), response.get_data(as_text=True)[:300]
        assert "/auth/login" not in response.headers.get("Location", "")
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
