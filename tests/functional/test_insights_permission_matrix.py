"""Every insights route × {anonymous, contributor, other member, moderator, admin}.

The pages are aggregates for signed-in members; staff get exactly what members get,
and one member's consent is theirs alone.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.db import db
from community.insights import services
from community.insights.refresh import refresh
from community.models import User
from tests.conftest import AuthActions
from tests.support.insights import TODAY, member, on, rated
from tests.support.tracking import medication_id, seed_catalogues

VIEWERS = ["anonymous", "contributor", "other", "moderator", "admin"]
OK, LOGIN, ALLOWED = 200, "login", "allowed"
MEMBERS_OK = {"anonymous": LOGIN, **dict.fromkeys(VIEWERS[1:], OK)}
MEMBERS_REDIRECT = {"anonymous": LOGIN, **dict.fromkeys(VIEWERS[1:], 302)}
MEMBERS_ALLOWED = {"anonymous": LOGIN, **dict.fromkeys(VIEWERS[1:], ALLOWED)}
PAGES = ["/insights/", "/insights/?group=sle", "/insights/treatments/hydroxychloroquine",
         "/insights/treatments/hydroxychloroquine?group=sle", "/insights/symptoms", "/insights/conditions/sle"]

MATRIX = [
    ("GET", "/insights/", MEMBERS_OK),
    ("GET", "/insights/treatments/hydroxychloroquine", MEMBERS_OK),
    ("GET", "/insights/medications/{medication}", MEMBERS_REDIRECT),
    ("GET", "/insights/symptoms", MEMBERS_OK),
    ("GET", "/insights/conditions/sle", MEMBERS_OK),
    ("GET", "/insights/contribute", MEMBERS_OK),
    ("POST", "/insights/contribute", MEMBERS_ALLOWED),
    ("POST", "/insights/contribute/withdraw", MEMBERS_ALLOWED),
]
POST_DATA = {"/insights/contribute": {"understood": "y"}}
ROUTE_PREFIX = {"/insights/treatments/hydroxychloroquine": "/insights/treatments",
                "/insights/conditions/sle": "/insights/conditions",
                "/insights/medications/{medication}": "/insights/medications"}


def test_matrix_covers_every_insights_route(app):
    covered = {(method, ROUTE_PREFIX.get(path, path.rstrip("/"))) for method, path, _ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("insights."):
            prefix = rule.rule.split("<")[0].rstrip("/")
            missing += [f"{m} {rule.rule}" for m in rule.methods - {"HEAD", "OPTIONS"} if (m, prefix) not in covered]
    assert not missing, f"add these insights routes to the matrix: {missing}"


@pytest.fixture
def world(app):
    """Twelve contributing SLE members on hydroxychloroquine, refreshed."""
    with app.app_context():
        seed_catalogues()
        users = [member(display_name=f"Contributor {n}") for n in range(12)]
        for user in users:
            on(user, side_effect="Nausea", severity=2)
            rated(user, [TODAY])
        refresh(today=TODAY)
        return {"contributor": users[0].email, "medication": medication_id("hydroxychloroquine")}


def sign_in(auth, world, viewer: str) -> None:
    if viewer == "contributor":
        assert auth.login(world["contributor"]).status_code == 302
    elif viewer != "anonymous":
        auth.sign_in_as({"other": "member"}.get(viewer, viewer))


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_insights_route_answers_each_viewer_as_intended(app, client, auth, world, viewer, method, path, expected):
    sign_in(auth, world, viewer)
    path = path.format(**world)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.submit(path, POST_DATA.get(path, {}),
                                 page="/insights/contribute" if viewer != "anonymous" else "/auth/login")
    want = expected[viewer]
    body = response.get_data(as_text=True)
    if want == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif want == ALLOWED:
        assert response.status_code in (200, 302), body[:300]
        assert "/auth/login" not in response.headers.get("Location", "")
    else:
        assert response.status_code == want, body[:300]
    assert "Contributor 1" not in body  # no page names a contributing member (0 is the one signed in)


def _content(body: str) -> str:
    return re.search(r'<section class="insights">.*?</section>', body, re.S).group(0)


@pytest.mark.parametrize("url", PAGES)
def test_staff_see_exactly_what_members_see(app, world, url):
    seen = {}
    for viewer in ["other", "moderator", "admin"]:
        client = app.test_client()
        sign_in(AuthActions(app, client), world, viewer)
        seen[viewer] = _content(client.get(url).get_data(as_text=True))
    assert seen["other"] == seen["moderator"] == seen["admin"]
    assert "about 10" in seen["other"] or "Too few" in seen["other"]


def test_withdrawal_by_someone_else_changes_nothing_of_the_contributors(app, client, auth, world):
    sign_in(auth, world, "admin")
    client.submit("/insights/contribute/withdraw", page="/insights/contribute")
    with app.app_context():
        contributor = db.session.scalar(select(User).where(User.email == world["contributor"]))
        assert services.is_contributing(services.consent_history(contributor))
