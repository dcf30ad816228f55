"""Every moderation route × {visitor, member, silenced, suspended, author, moderator, admin}, CSRF on.

The content: a public topic whose opening post {post} was written by "the author"
(the signed-in user when the role is "author"), reported by a bystander (queue
item {item}); the author was warned twice ({action} not yet appealed, {appealed}
appealed as {appeal}); one watched word {word} and one helpline {resource}.
A suspended member signed in before the suspension: their session ends at once,
so they get exactly what a visitor gets.
"""

from datetime import timedelta

import pytest

from community.db import db, utcnow
from community.models import User
from community.models.moderation import Appeal, CrisisResource, MemberAction, QueueItem, WatchedWord
from community.moderation import reports
from tests.support.factories import make_user
from tests.support.forum import first_post, make_category, make_topic

ROLES = ["anonymous", "member", "silenced", "suspended", "author", "moderator", "admin"]
OK, LOGIN, HIDDEN, REDIRECT = 200, "login", 404, 302
ALLOWED = "allowed"  # handled: saved and redirected, or the form re-shown with its messages
MEMBERS = ["member", "silenced", "author"]


def rule(anonymous, default, **overrides):
    expected = {"anonymous": anonymous, "suspended": anonymous,
                **dict.fromkeys(["member", "silenced", "author", "moderator", "admin"], default)}
    expected.update(overrides)
    return expected


STAFF = dict.fromkeys(MEMBERS, HIDDEN)
ADMIN = {**STAFF, "moderator": HIDDEN}
AUTHOR_ONLY = {"member": HIDDEN, "silenced": HIDDEN, "moderator": HIDDEN, "admin": HIDDEN}

MATRIX = [
    ("GET", "/moderation/support", rule(OK, OK)),
    ("GET", "/moderation/report/post/{post}", rule(LOGIN, OK, author=HIDDEN)),
    ("POST", "/moderation/report/post/{post}", rule(LOGIN, ALLOWED, author=HIDDEN)),
    ("GET", "/moderation/report/member/{author}", rule(LOGIN, OK, author=HIDDEN)),
    ("POST", "/moderation/report/member/{author}", rule(LOGIN, ALLOWED, author=HIDDEN)),
    ("GET", "/moderation/history", rule(LOGIN, OK)),
    ("GET", "/moderation/history/{action}/appeal", rule(LOGIN, OK, **AUTHOR_ONLY)),
    ("POST", "/moderation/history/{action}/appeal", rule(LOGIN, ALLOWED, **AUTHOR_ONLY)),
    ("GET", "/moderation/", rule(LOGIN, OK, **STAFF)),
    ("GET", "/moderation/items/{item}", rule(LOGIN, OK, **STAFF)),
    ("POST", "/moderation/items/{item}/claim", rule(LOGIN, REDIRECT, **STAFF)),
    ("POST", "/moderation/items/{item}/resolve", rule(LOGIN, ALLOWED, **STAFF)),
    ("GET", "/moderation/posts/{post}", rule(LOGIN, OK, **STAFF)),
    ("POST", "/moderation/posts/{post}/act", rule(LOGIN, ALLOWED, **STAFF)),
    ("POST", "/moderation/posts/{post}/edit", rule(LOGIN, ALLOWED, **STAFF)),
    ("GET", "/moderation/topics/{topic}", rule(LOGIN, OK, **STAFF)),
    ("POST", "/moderation/topics/{topic}/act", rule(LOGIN, ALLOWED, **STAFF)),
    ("POST", "/moderation/topics/{topic}/move", rule(LOGIN, ALLOWED, **STAFF)),
    ("POST", "/moderation/topics/{topic}/merge", rule(LOGIN, ALLOWED, **STAFF)),
    ("POST", "/moderation/topics/{topic}/split", rule(LOGIN, ALLOWED, **STAFF)),
    ("GET", "/moderation/members", rule(LOGIN, OK, **STAFF)),
    ("GET", "/moderation/members/{author}", rule(LOGIN, OK, **STAFF)),
    ("POST", "/moderation/members/{author}/act", rule(LOGIN, ALLOWED, **STAFF)),
    ("GET", "/moderation/log", rule(LOGIN, OK, **STAFF)),
    ("GET", "/moderation/appeals", rule(LOGIN, OK, **ADMIN)),
    ("GET", "/moderation/appeals/{appeal}", rule(LOGIN, OK, **ADMIN)),
    ("POST", "/moderation/appeals/{appeal}", rule(LOGIN, ALLOWED, **ADMIN)),
    ("GET", "/moderation/words", rule(LOGIN, OK, **ADMIN)),
    ("POST", "/moderation/words", rule(LOGIN, ALLOWED, **ADMIN)),
    ("POST", "/moderation/words/{word}/remove", rule(LOGIN, REDIRECT, **ADMIN)),
    ("GET", "/moderation/crisis-resources", rule(LOGIN, OK, **ADMIN)),
    ("POST", "/moderation/crisis-resources", rule(LOGIN, ALLOWED, **ADMIN)),
    ("POST", "/moderation/crisis-resources/{resource}/remove", rule(LOGIN, REDIRECT, **ADMIN)),
]
POST_DATA = {
    "/moderation/report/post/{post}": {"reason": "spam"},
    "/moderation/report/member/{author}": {"reason": "harassment"},
    "/moderation/history/{action}/appeal": {"message": "Please look at this again."},
    "/moderation/items/{item}/resolve": {"action": "dismiss", "reason": "matrix"},
    "/moderation/posts/{post}/act": {"action": "hide", "reason": "matrix"},
    "/moderation/posts/{post}/edit": {"body": "edited by the matrix", "reason": "matrix"},
    "/moderation/topics/{topic}/act": {"action": "lock", "reason": "matrix"},
    "/moderation/topics/{topic}/move": {"category": "{other_cat}", "reason": "matrix"},
    "/moderation/topics/{topic}/merge": {"target": "{other_topic}", "reason": "matrix"},
    "/moderation/topics/{topic}/split": {"posts": "{reply}", "title": "Split by matrix", "reason": "matrix"},
    "/moderation/members/{author}/act": {"action": "warn", "reason": "matrix"},
    "/moderation/appeals/{appeal}": {"decision": "upheld", "reason": "matrix"},
    "/moderation/words": {"phrase": "matrixword", "action": "flag"},
    "/moderation/crisis-resources": {"country": "GB", "name": "Matrix line"},
}


def test_matrix_covers_every_moderation_route(app):
    covered = {(m, p) for m, p, _ in MATRIX}
    missing = []
    replacements = {"<int:post_id>": "{post}", "<int:user_id>": "{author}", "<int:action_id>": "{action}",
                    "<int:item_id>": "{item}", "<int:topic_id>": "{topic}", "<int:appeal_id>": "{appeal}",
                    "<int:word_id>": "{word}", "<int:resource_id>": "{resource}"}
    for rule_ in app.url_map.iter_rules():
        if not rule_.endpoint.startswith("moderation."):
            continue
        pattern = rule_.rule
        for old, new in replacements.items():
            pattern = pattern.replace(old, new)
        for method in rule_.methods - {"HEAD", "OPTIONS"}:
            if (method, pattern) not in covered:
                missing.append(f"{method} {rule_.rule}")
    assert not missing, f"add these moderation routes to the matrix: {missing}"


def build(me: int | None, role: str) -> dict:
    author = db.session.get(User, me) if role == "author" else make_user(display_name="The author")
    bystander = make_user(display_name="A bystander")
    category, other_category = make_category(members_only_default=False), make_category()
    topic = make_topic(author, category, title="A public topic", replies=1)
    other_topic = make_topic(bystander, category, title="Another topic")
    post = first_post(topic)
    reply_id = db.session.query(type(post)).filter_by(topic_id=topic.id, number=2).one().id
    reports.report_post(bystander, post.id, "misinformation")
    item_id = db.session.query(QueueItem.id).scalar()
    actions = [MemberAction(user_id=author.id, kind="warn", reason="Be kind", created_at=utcnow())
               for _ in range(2)]
    db.session.add_all(actions)
    db.session.flush()
    appeal = Appeal(action_id=actions[1].id, user_id=author.id, message="Please reconsider", status="open")
    word = WatchedWord(phrase="oldword", action="flag")
    resource = CrisisResource(country="US", name="Some line")
    db.session.add_all([appeal, word, resource])
    db.session.commit()
    return {"post": post.id, "reply": reply_id, "topic": topic.id, "author": author.id, "item": item_id,
            "action": actions[0].id, "appealed": actions[1].id, "appeal": appeal.id, "word": word.id,
            "resource": resource.id, "other_cat": other_category.id, "other_topic": other_topic.id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_moderation_route_answers_each_role_as_intended(app, client, auth, role, method, path, expected):
    login_role = {"author": "member", "silenced": "member", "suspended": "member"}.get(role, role)
    me = auth.sign_in_as(login_role) if role != "anonymous" else None
    with app.app_context():
        ids = build(me, role)
        if role in ("silenced", "suspended"):
            user = db.session.get(User, me)
            if role == "silenced":
                user.silenced_until = utcnow() + timedelta(days=3)
            else:
                user.suspended_until = utcnow() + timedelta(days=3)
                user.rotate_session_token()
            db.session.commit()
    url = path.format(**ids)
    if method == "GET":
        response = client.get(url)
    else:
        data = {k: v.format(**ids) for k, v in POST_DATA.get(path, {}).items()}
        page = "/account/" if me and role != "suspended" else "/auth/login"
        response = client.submit(url, data, page=page)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif want == ALLOWED:
        assert response.status_code in (200, 302, 400), response.get_data(as_text=True)[:300]
        assert "/auth/login" not in response.headers.get("Location", "")
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
