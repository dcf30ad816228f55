"""The XSS corpus (tests/data/xss_payloads.txt) sent as private-message subjects and bodies:
the conversation and inbox pages carry no script, event handler or dangerous URL, on both
rendering paths (a stranger's first message, links spelled out as text, and later replies)."""

from __future__ import annotations

from sqlalchemy import select

from community.db import db
from community.errors import ValidationFailed
from community.messages import services
from community.models import Conversation, User
from tests.browser.test_forum_xss import PAYLOADS, unsafe_markup
from tests.support.forum import make_old_member


def test_no_payload_survives_in_a_conversation_or_the_inbox(app, client, auth):
    app.config["MESSAGES_PER_PAGE"] = len(PAYLOADS) * 2 + 10
    app.config["MESSAGES_NEW_CONVERSATIONS_PER_DAY"] = len(PAYLOADS) + 10
    with app.app_context():
        anne = make_old_member(display_name="Anne")
        ben = make_old_member(display_name="Ben")
        ben_email = ben.email
        # The first message of each conversation goes through the stranger path (links as text).
        for payload in PAYLOADS:
            try:
                services.start_conversation(db.session.get(User, anne.id), to="Ben",
                                            subject=payload[:150] or "x", body=payload)
            except ValidationFailed:  # a payload that is empty once cleaned is refused: fine
                db.session.rollback()
        conversation_id = db.session.scalar(select(Conversation.id).order_by(Conversation.id))
        for payload in PAYLOADS:
            try:
                services.reply(db.session.get(User, anne.id), conversation_id, body=payload)
            except ValidationFailed:
                db.session.rollback()
    auth.login(ben_email)
    for url in ("/messages/", f"/messages/{conversation_id}",
                f"/messages/{conversation_id + len(PAYLOADS) // 2}"):
        response = client.get(url)
        assert response.status_code == 200, url
        problems = unsafe_markup(response.get_data(as_text=True))
        assert not problems, f"{url}: {problems[:5]}"
    page = client.get(f"/messages/{conversation_id}").get_data(as_text=True)
    assert page.count('<li class="message') > len(PAYLOADS) * 0.9  # the payloads really are on it
