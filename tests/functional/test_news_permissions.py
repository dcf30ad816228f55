"""Every research-news route × role: readers, writers, admins, and 404 for everyone else."""

import pytest
from sqlalchemy import select

from community.db import db
from community.models import Article, ArticleTag
from community.models.news import ArticleStatus
from tests.support.factories import make_user

ROLES = ["anonymous", "member", "moderator", "writer", "admin"]
OK, LOGIN, HIDDEN, REDIRECT = 200, "login", 404, 302
WRITERS_ONLY = {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "writer": OK, "admin": OK}
WRITERS_ACT = {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "writer": REDIRECT, "admin": REDIRECT}

MATRIX = [
    ("GET", "/news/", dict.fromkeys(ROLES, OK)),
    ("GET", "/news/tags/car-t", dict.fromkeys(ROLES, OK)),
    ("GET", "/news/feed.atom", dict.fromkeys(ROLES, OK)),
    ("GET", "/news/{published}", dict.fromkeys(ROLES, OK)),
    ("GET", "/news/{draft}", {"anonymous": HIDDEN, "member": HIDDEN, "moderator": HIDDEN, "writer": OK, "admin": OK}),
    ("GET", "/news/check/NCT00000000", dict.fromkeys(ROLES, HIDDEN)),
    ("GET", "/news/write/", WRITERS_ONLY),
    ("GET", "/news/write/new", WRITERS_ONLY),
    ("POST", "/news/write/new", WRITERS_ONLY),
    ("GET", "/news/write/{draft_id}", WRITERS_ONLY),
    ("POST", "/news/write/{draft_id}", WRITERS_ONLY),
    ("GET", "/news/write/{draft_id}/history", WRITERS_ONLY),
    ("POST", "/news/write/{draft_id}/publish", WRITERS_ACT),
    ("POST", "/news/write/{published_id}/unpublish", WRITERS_ACT),
    ("POST", "/news/write/{draft_id}/discussion/link",
     {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "writer": 400, "admin": 400}),
    ("GET", "/news/writers", {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "writer": HIDDEN, "admin": OK}),
    ("POST", "/news/writers",
     {"anonymous": LOGIN, "member": HIDDEN, "moderator": HIDDEN, "writer": HIDDEN, "admin": OK}),
]
# Opening a discussion writes a forum topic; it is covered in test_news.py.
NOT_IN_MATRIX = {("POST", "/news/write/<int:article_id>/discussion")}


def make_article(slug, status):
    article = Article(slug=slug, title=slug.title(), summary="s", body_raw="b", body_html="<p>b</p>",
                      status=status.value, tags=[ArticleTag(slug="car-t", label="CAR-T")])
    if status is ArticleStatus.PUBLISHED:
        from community.db import utcnow
        article.published_at = utcnow()
    db.session.add(article)
    db.session.commit()
    return article.id


def test_matrix_covers_every_news_route(app):
    covered = {(m, p.split("{")[0]) for m, p, _ in MATRIX}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("news."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, rule.rule) in NOT_IN_MATRIX:
                continue
            prefix = rule.rule.split("<")[0]
            assert any(m == method and (p == prefix or p.startswith(prefix)) for m, p in covered), \
                f"{method} {rule.rule} is not in the matrix"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_news_route_answers_each_role_as_intended(app, client, auth, role, method, path, expected):
    with app.app_context():
        draft_id = make_article("a-draft", ArticleStatus.DRAFT)
        published_id = make_article("published-news", ArticleStatus.PUBLISHED)
        moderator_id = make_user(role="moderator", display_name="Some moderator").id
    if role == "writer":
        user_id = auth.sign_in_as("moderator")
        with app.app_context():
            from community.models import NewsWriter
            db.session.add(NewsWriter(user_id=user_id))
            db.session.commit()
    elif role != "anonymous":
        auth.sign_in_as(role)
    url = path.format(draft="a-draft", published="published-news", draft_id=draft_id, published_id=published_id)
    if method == "GET":
        response = client.get(url)
    else:
        data = {"user_id": moderator_id, "allow": "1"} if "writers" in url else {"topic_id": "999999"}
        response = client.submit(url, data, page="/account/" if role != "anonymous" else "/auth/login")
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif want == OK and method == "POST":
        assert response.status_code in (200, 302)  # handled: re-shown or saved
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
    if role in ("anonymous", "member", "moderator"):  # nothing changed for those turned away
        with app.app_context():
            assert db.session.scalar(select(Article.status).where(Article.id == published_id)) == "published"
            assert db.session.scalar(select(Article.status).where(Article.id == draft_id)) == "draft"
