"""Every messages route × {anonymous, member, participant, moderator, admin}, CSRF on.

The content: a conversation {conversation} between "the participant" (the signed-in
user when the role is "participant") and "the other", whose message {message} opens it.
Staff have no exemption: a conversation is its participants' alone.
"""

from datetime import timedelta

import pytest

from community.db import db, utcnow
from community.models import Conversation, ConversationMember, Message, User
from tests.support.factories import make_user
from tests.support.forum import make_old_member

ROLES = ["anonymous", "member", "participant", "moderator", "admin"]
OK, LOGIN, HIDDEN, REDIRECT = 200, "login", 404, 302
ALLOWED = "allowed"  # handled: saved and redirected, or the form re-shown with its messages
SIGNED_IN = ROLES[1:]


def rule(anonymous, default, **overrides):
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **overrides}


MATRIX = [
    ("GET", "/messages/", rule(LOGIN, OK)),
    ("GET", "/messages/new", rule(LOGIN, OK)),
    ("POST", "/messages/new", rule(LOGIN, ALLOWED)),
    ("GET", "/messages/{conversation}", rule(LOGIN, HIDDEN, participant=OK)),
    ("GET", "/messages/999999", rule(LOGIN, HIDDEN)),
    ("POST", "/messages/{conversation}/reply", rule(LOGIN, HIDDEN, participant=REDIRECT)),
    ("POST", "/messages/{conversation}/leave", rule(LOGIN, HIDDEN, participant=REDIRECT)),
    ("GET", "/messages/m/{message}/report", rule(LOGIN, HIDDEN, participant=OK)),
    ("POST", "/messages/m/{message}/report", rule(LOGIN, HIDDEN, participant=REDIRECT)),
    ("POST", "/messages/block/{other}", rule(LOGIN, REDIRECT)),
    ("GET", "/messages/settings", rule(LOGIN, OK)),
    ("POST", "/messages/settings", rule(LOGIN, REDIRECT)),
]
POST_DATA = {
    "/messages/new": {"to": "The other", "subject": "Matrix", "body": "hello"},
    "/messages/{conversation}/reply": {"body": "hello"},
    "/messages/m/{message}/report": {"reason": "spam"},
    "/messages/block/{other}": {"block": "1"},
    "/messages/settings": {"email_new_messages": "y"},
}


def test_matrix_covers_every_messages_route(app):
    covered = {(m, p) for m, p, _ in MATRIX}
    missing = []
    for rule_ in app.url_map.iter_rules():
        if not rule_.endpoint.startswith("messages."):
            continue
        for method in rule_.methods - {"HEAD", "OPTIONS"}:
            pattern = (rule_.rule.replace("<int:conversation_id>", "{conversation}")
                       .replace("<int:message_id>", "{message}").replace("<int:user_id>", "{other}"))
            if (method, pattern) not in covered:
                missing.append(f"{method} {rule_.rule}")
    assert not missing, f"add these messages routes to the matrix: {missing}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_messages_route_answers_each_role_as_intended(app, client, auth, role, method, path, expected):
    month_ago = utcnow() - timedelta(days=30)
    me = None
    if role != "anonymous":
        me = auth.sign_in_as("member" if role == "participant" else role, created_at=month_ago)
    with app.app_context():
        other = make_old_member(display_name="The other")
        participant = db.session.get(User, me) if role == "participant" else make_user(created_at=month_ago)
        conversation = Conversation(subject="Private", created_by_id=other.id, message_count=1)
        db.session.add(conversation)
        db.session.flush()
        message = Message(conversation_id=conversation.id, sender_id=other.id, body_raw="hi", body_html="<p>hi</p>")
        db.session.add(message)
        db.session.flush()
        conversation.last_message_id = message.id
        db.session.add_all([ConversationMember(conversation_id=conversation.id, user_id=u.id)
                            for u in (other, participant)])
        db.session.commit()
        ids = {"conversation": conversation.id, "message": message.id, "other": other.id}
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
