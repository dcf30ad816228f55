"""Every trials route × {anonymous, owner, other member, moderator, admin}.

Consent, matches and interest summaries are the owner's health data: nobody
else — staff included — gets them (404 for anything addressed by id), and the
owner's evidence never appears on anyone else's page. Curation is admin-only.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.db import db
from community.models import TrialBullet, TrialCriterion, User
from community.trials import consents, interests, suggestions
from tests.support.factories import make_user
from tests.support.trials import give_history, load_shipped, seed_tracking_catalogues

SECRET = "Secretumab-7c1d"
VIEWERS = ["anonymous", "owner", "other", "moderator", "admin"]
OK, LOGIN, HIDDEN, REDIRECT, ALLOWED = 200, "login", 404, 302, "allowed"
MEMBERS_OK = {"anonymous": LOGIN, "owner": OK, "other": OK, "moderator": OK, "admin": OK}
MEMBERS_ALLOWED = {"anonymous": LOGIN, "owner": ALLOWED, "other": ALLOWED, "moderator": ALLOWED,
                   "admin": ALLOWED}
EVERYONE_OK = dict.fromkeys(VIEWERS, OK)
OWNER_ONLY = {"anonymous": LOGIN, "owner": OK, "other": HIDDEN, "moderator": HIDDEN, "admin": HIDDEN}
OWNER_ONLY_POST = {"anonymous": LOGIN, "owner": REDIRECT, "other": HIDDEN, "moderator": HIDDEN, "admin": HIDDEN}
ADMIN_ONLY = {"anonymous": LOGIN, "owner": HIDDEN, "other": HIDDEN, "moderator": HIDDEN, "admin": OK}
ADMIN_ONLY_POST = {**ADMIN_ONLY, "admin": ALLOWED}

MATRIX = [
    ("GET", "/trials/", MEMBERS_OK),
    ("GET", "/trials/consent", MEMBERS_OK),
    ("POST", "/trials/consent", MEMBERS_ALLOWED),
    ("POST", "/trials/consent/withdraw", {**MEMBERS_ALLOWED}),
    ("POST", "/trials/notifications/seen", MEMBERS_ALLOWED),
    ("GET", "/trials/studies", EVERYONE_OK),
    ("GET", "/trials/studies/NCT05869955", EVERYONE_OK),
    ("POST", "/trials/studies/NCT05869955/interest", MEMBERS_ALLOWED),
    ("GET", "/trials/interests/{interest}", OWNER_ONLY),
    ("GET", "/trials/interests/{interest}/download", OWNER_ONLY),
    ("POST", "/trials/interests/{interest}/remove", OWNER_ONLY_POST),
    ("GET", "/trials/admin", ADMIN_ONLY),
    ("GET", "/trials/admin/NCT05869955", ADMIN_ONLY),
    ("POST", "/trials/admin/NCT05869955", ADMIN_ONLY_POST),
    ("GET", "/trials/admin/criteria/{criterion}", ADMIN_ONLY),
    ("POST", "/trials/admin/criteria/{criterion}", ADMIN_ONLY_POST),
    ("POST", "/trials/admin/criteria/{criterion}/delete", ADMIN_ONLY_POST),
    ("POST", "/trials/admin/NCT05869955/reread", ADMIN_ONLY_POST),
    ("POST", "/trials/admin/bullets/{bullet}/review", ADMIN_ONLY_POST),
    ("GET", "/trials/admin/bullets/{bullet}/correct", ADMIN_ONLY),
    ("POST", "/trials/admin/bullets/{bullet}/correct", ADMIN_ONLY_POST),
]
POST_DATA = {"/trials/admin/NCT05869955": {"kind": "pregnancy"},
             "/trials/admin/criteria/{criterion}": {"text": "SLEDAI-2K of 8 or more"},
             "/trials/consent": {"categories": ["profile"], "understood": "y"},
             "/trials/admin/bullets/{bullet}/review": {"action": "confirm"},
             "/trials/admin/bullets/{bullet}/correct": {"kind": "pregnancy"}}


def test_matrix_covers_every_trials_route(app):
    covered = {(method, path.split("{")[0].split("NCT")[0].rstrip("/")) for method, path, _ in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("trials."):
            continue
        prefix = rule.rule.split("<")[0].rstrip("/")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, prefix) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"add these trials routes to the matrix: {missing}"


@pytest.fixture
def world(app):
    """An owner with consent, a match mentioning SECRET, and an interest mark; one curated criterion."""
    with app.app_context():
        seed_tracking_catalogues()
        load_shipped()
        owner = make_user(display_name="Owner")
        give_history(owner.id, birth_year=1990, stopped=("hydroxychloroquine", "mycophenolate", SECRET.lower()))
        suggestions.give_consent(owner, categories=["profile", "treatments", "flares"], email_updates=False)
        interest = interests.mark_interest(owner, "NCT05869955")
        criterion = db.session.scalar(select(TrialCriterion.id).where(TrialCriterion.source == "curated").limit(1))
        bullet = db.session.scalar(select(TrialBullet.id).order_by(TrialBullet.id).limit(1))
        return {"owner": owner.email, "interest": interest.id, "criterion": criterion, "bullet": bullet}


def sign_in(auth, world, viewer: str) -> None:
    if viewer == "owner":
        response = auth.login(world["owner"])
        assert response.status_code == 302
    elif viewer != "anonymous":
        auth.sign_in_as({"other": "member"}.get(viewer, viewer))


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_trials_route_answers_each_viewer_as_intended(app, client, auth, world, viewer, method, path, expected):
    sign_in(auth, world, viewer)
    url = path.format(**world)
    if method == "GET":
        response = client.get(url)
    else:
        page = "/trials/studies" if viewer != "anonymous" else "/auth/login"
        response = client.submit(url, POST_DATA.get(path, {}), page=page)
    want = expected[viewer]
    body = response.get_data(as_text=True)
    if want == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif want == ALLOWED:
        assert response.status_code in (200, 302), body[:300]
        assert "/auth/login" not in response.headers.get("Location", "")
    else:
        assert response.status_code == want, body[:300]
    if viewer != "owner":
        assert SECRET.lower() not in body.lower()


@pytest.mark.parametrize("viewer", ["other", "moderator", "admin"])
def test_nobody_else_sees_the_owners_evidence_on_the_pages_they_can_open(app, client, auth, world, viewer):
    sign_in(auth, world, viewer)
    for url in ["/trials/", "/trials/consent", "/trials/studies/NCT05869955", "/trials/studies"]:
        body = client.get(url).get_data(as_text=True)
        assert SECRET.lower() not in body.lower(), url
        assert "Owner" not in body or url == "/trials/studies"


def test_the_owner_does_see_their_own_evidence(app, client, auth, world):
    sign_in(auth, world, "owner")
    body = client.get("/trials/studies/NCT05869955").get_data(as_text=True)
    assert SECRET.lower() in body.lower()
    assert SECRET.lower() in client.get(f"/trials/interests/{world['interest']}").get_data(as_text=True).lower()


def test_withdrawal_by_someone_else_changes_nothing_of_the_owners(app, client, auth, world):
    sign_in(auth, world, "admin")
    client.submit("/trials/consent/withdraw", page="/trials/consent")
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == world["owner"]))
        assert consents.current_consent(owner) is not None
