"""Private messages through the test client, CSRF on: conversations, their privacy and safety."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from sqlalchemy import select

from community.account.services import delete_account, export_data
from community.db import db, utcnow
from community.models import (
    Conversation,
    ConversationMember,
    MemberBlock,
    Message,
    OutboxMessage,
    QueueItem,
    Report,
    User,
    WatchedWord,
)
from tests.support.factories import PASSWORD
from tests.support.forum import make_category, make_old_member, make_topic
from tests.support.observe import emails_to, last_email, link_in


def member(app, **fields) -> tuple[int, str]:
    """An established member (joined a month ago): their id and email."""
    with app.app_context():
        user = make_old_member(**fields)
        return user.id, user.email


def start(client, to: str, body: str = "Hello, how is the new dose going?", subject: str = "Our chat"):
    return client.submit("/messages/new", {"to": to, "subject": subject, "body": body})


def switch_to(auth, email: str) -> None:
    auth.logout()
    response = auth.login(email)
    assert response.status_code == 302


def only_conversation(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Conversation.id))


def test_two_members_converse_and_the_header_counts_unread(app, client, auth):
    _anne_id, anne = member(app, display_name="Anne")
    _ben_id, ben = member(app, display_name="Ben")
    auth.login(anne)
    response = start(client, "ben")
    assert response.status_code == 302
    conversation_id = only_conversation(app)
    assert response.headers["Location"].endswith(f"/messages/{conversation_id}")

    email = last_email(app, ben)
    assert "Hello, how is the new dose" not in email.body and "Our chat" not in email.body
    assert link_in(email, f"/messages/{conversation_id}")

    switch_to(auth, ben)
    inbox = client.get("/messages/").get_data(as_text=True)
    assert "Our chat" in inbox and "Unread" in inbox
    assert 'Messages: </span><span class="nav-count">1' in inbox  # the header's count
    page = client.get(f"/messages/{conversation_id}").get_data(as_text=True)
    assert "Hello, how is the new dose going?" in page
    assert 'class="nav-count">1' not in client.get("/messages/").get_data(as_text=True)

    response = client.submit(f"/messages/{conversation_id}/reply", {"body": "Better, **thank you**"},
                             page=f"/messages/{conversation_id}")
    assert response.status_code == 302
    switch_to(auth, anne)
    page = client.get(f"/messages/{conversation_id}").get_data(as_text=True)
    assert "<strong>thank you</strong>" in page


def test_one_email_per_unread_spell_and_none_when_turned_off(app, client, auth):
    _anne_id, anne = member(app, display_name="Anne")
    _ben_id, ben = member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben")
    conversation_id = only_conversation(app)
    client.submit(f"/messages/{conversation_id}/reply", {"body": "And another thing"},
                  page=f"/messages/{conversation_id}")
    assert len(emails_to(app, ben)) == 1  # Ben hasn't read the first yet
    switch_to(auth, ben)
    client.submit("/messages/settings", {})  # unticked: no emails
    switch_to(auth, anne)
    start(client, "Ben", subject="Second chat")
    assert len(emails_to(app, ben)) == 1


def test_nobody_else_reads_a_conversation_not_even_staff(app, client, auth):
    _anne_id, anne = member(app, display_name="Anne")
    member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben")
    conversation_id = only_conversation(app)
    for role in ("member", "moderator", "admin"):
        auth.logout()
        auth.sign_in_as(role, created_at=utcnow() - timedelta(days=30))
        assert client.get(f"/messages/{conversation_id}").status_code == 404, role
        assert client.submit(f"/messages/{conversation_id}/reply", {"body": "me too"},
                             page="/messages/").status_code == 404, role
        assert "Our chat" not in client.get("/messages/").get_data(as_text=True)


def test_a_new_member_waits_until_a_first_post_is_approved(app, client, auth):
    member(app, display_name="Ben")
    auth.sign_in_as("member")  # joined just now, no posts
    response = client.get("/messages/new")
    assert response.status_code == 403
    assert "first forum post is approved" in response.get_data(as_text=True)
    with app.app_context():
        me = db.session.scalar(select(User).order_by(User.id.desc()))
        make_topic(me, make_category())
    assert client.get("/messages/new").status_code == 200
    assert start(client, "Ben").status_code == 302


def test_the_daily_limit_keeps_what_was_written(app, client, auth):
    app.config["MESSAGES_NEW_CONVERSATIONS_PER_DAY"] = 1
    _id, anne = member(app, display_name="Anne")
    member(app, display_name="Ben")
    auth.login(anne)
    assert start(client, "Ben").status_code == 302
    response = start(client, "Ben", body="My carefully written second message")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 new conversation a day" in page and "My carefully written second message" in page


def test_bad_recipients_and_empty_messages_get_clear_messages(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    auth.login(anne)
    for to, body, words in [("Nobody Here", "hi", "There is no member called nobody here"),
                            ("Anne", "hi", "someone other than yourself"),
                            ("", "hi", "who the message is for"),
                            ("Anne", "   ", "write a message"),
                            (",".join(f"x{i}" for i in range(11)), "hi", "up to 10")]:
        response = start(client, to, body=body)
        assert response.status_code == 400, to
        assert words in response.get_data(as_text=True), to


def test_a_block_stops_new_messages_and_is_never_announced(app, client, auth):
    _anne_id, anne = member(app, display_name="Anne")
    ben_id, ben = member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben")
    conversation_id = only_conversation(app)
    switch_to(auth, ben)
    anne_id = _anne_id
    response = client.submit(f"/messages/block/{anne_id}", {"block": "1"}, page=f"/members/{anne_id}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(MemberBlock.blocked_id).where(MemberBlock.blocker_id == ben_id)) == anne_id
    outbox_before = len(emails_to(app, anne))

    switch_to(auth, anne)
    assert len(emails_to(app, anne)) == outbox_before  # no email about it
    response = start(client, "Ben", body="Please answer me")
    assert response.status_code == 400
    assert "Ben can't receive your messages" in unescape(response.get_data(as_text=True))
    assert "Please answer me" in response.get_data(as_text=True)
    page = client.get(f"/messages/{conversation_id}").get_data(as_text=True)
    assert "You can't send messages in this conversation" in unescape(page)
    response = client.submit(f"/messages/{conversation_id}/reply", {"body": "Hello? It's me"},
                             page=f"/messages/{conversation_id}")
    assert response.status_code == 400
    assert "Hello? It's me" in unescape(response.get_data(as_text=True))  # not lost
    with app.app_context():
        assert db.session.scalar(select(Conversation.message_count)) == 1

    switch_to(auth, ben)
    assert "Anne" in client.get("/messages/settings").get_data(as_text=True)
    client.submit(f"/messages/block/{anne_id}", {"block": "0", "next": "/messages/settings"},
                  page="/messages/settings")
    switch_to(auth, anne)
    assert client.submit(f"/messages/{conversation_id}/reply", {"body": "Hello again"},
                         page=f"/messages/{conversation_id}").status_code == 302


def test_staff_cannot_be_blocked(app, client, auth):
    with app.app_context():
        from tests.support.factories import make_user

        moderator_id = make_user(role="moderator").id
    auth.sign_in_as("member")
    assert client.submit(f"/messages/block/{moderator_id}", {"block": "1"},
                         page="/messages/settings").status_code == 404


def test_a_silenced_member_cannot_send(app, client, auth):
    anne_id, anne = member(app, display_name="Anne")
    member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben")
    conversation_id = only_conversation(app)
    with app.app_context():
        db.session.get(User, anne_id).silenced_until = utcnow() + timedelta(days=2)
        db.session.commit()
    response = client.get("/messages/new")
    assert response.status_code == 403 and "silenced" in response.get_data(as_text=True)
    response = client.submit(f"/messages/{conversation_id}/reply", {"body": "still here"},
                             page=f"/messages/{conversation_id}")
    assert response.status_code == 400


def test_watched_words_apply_and_keep_the_text(app, client, auth):
    with app.app_context():
        db.session.add_all([WatchedWord(phrase="miracle cure", action="block"),
                            WatchedWord(phrase="darn", action="replace", replacement="gosh")])
        db.session.commit()
    _id, anne = member(app, display_name="Anne")
    member(app, display_name="Ben")
    auth.login(anne)
    response = start(client, "Ben", body="Buy my Miracle Cure today")
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert "Messages can't include" in page and "Buy my Miracle Cure today" in page
    assert start(client, "Ben", body="darn flares").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Message.body_raw)) == "gosh flares"


def test_links_from_a_stranger_are_shown_as_text_with_a_warning(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    _id, ben = member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben", body="Try [this](https://cure.example/buy)")
    first = only_conversation(app)
    start(client, "Ben", body="And [this](https://second.example/)", subject="Again")
    switch_to(auth, ben)
    page = client.get(f"/messages/{first}").get_data(as_text=True)
    assert "this (https://cure.example/buy)" in page and 'href="https://cure.example' not in page
    assert "links are shown as plain text" in page
    with app.app_context():
        second = db.session.scalar(select(Conversation.id).where(Conversation.subject == "Again"))
    page = client.get(f"/messages/{second}").get_data(as_text=True)  # they have talked before now
    assert 'href="https://second.example/"' in page and "links are shown as plain text" not in page


def test_a_reported_message_reaches_staff_with_only_ten_before_it(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    _id, ben = member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben", body="message number 0")
    conversation_id = only_conversation(app)
    for n in range(1, 13):
        client.submit(f"/messages/{conversation_id}/reply", {"body": f"message number {n}"},
                      page=f"/messages/{conversation_id}")
    with app.app_context():
        reported = db.session.scalar(select(Message.id).order_by(Message.id.desc()))
    switch_to(auth, ben)
    assert client.submit(f"/messages/m/{reported}/report", {"reason": "", "note": ""}).status_code == 400
    response = client.submit(f"/messages/m/{reported}/report", {"reason": "spam", "note": "selling"})
    assert response.status_code == 302
    again = client.submit(f"/messages/m/{reported}/report", {"reason": "spam", "note": ""})
    assert "already reported" in again.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(QueueItem))
        assert item.message_id == reported and item.post_id is None
        assert "message number 12" in item.snapshot and "message number 2\n" in item.snapshot
        assert "message number 1\n" not in item.snapshot and "message number 0" not in item.snapshot
        assert db.session.scalar(select(Report.reason)) == "spam"
        item_id = item.id

    auth.logout()
    auth.sign_in_as("moderator")
    page = client.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "message number 12" in page and "message number 1\n" not in page
    assert "The reported message" in page
    assert client.get(f"/messages/{conversation_id}").status_code == 404


def test_members_report_only_others_messages_in_their_conversations(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben")
    with app.app_context():
        message_id = db.session.scalar(select(Message.id))
    assert client.get(f"/messages/m/{message_id}/report").status_code == 404  # her own
    auth.logout()
    auth.sign_in_as("member")
    assert client.get(f"/messages/m/{message_id}/report").status_code == 404  # not hers to see


def test_leaving_takes_the_conversation_away(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    _id, ben = member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben")
    conversation_id = only_conversation(app)
    response = client.submit(f"/messages/{conversation_id}/leave", {}, page=f"/messages/{conversation_id}")
    assert response.status_code == 302
    assert "Our chat" not in client.get("/messages/").get_data(as_text=True)
    assert client.get(f"/messages/{conversation_id}").status_code == 404
    switch_to(auth, ben)
    page = client.get(f"/messages/{conversation_id}").get_data(as_text=True)
    assert "Anne</a> (left)" in page and "You can't send messages in this conversation" in unescape(page)


def test_export_has_messages_and_blocks_and_deletion_erases_the_words(app, client, auth):
    anne_id, anne = member(app, display_name="Anne")
    ben_id, ben = member(app, display_name="Ben")
    auth.login(anne)
    start(client, "Ben", body="Something only Ben should read")
    conversation_id = only_conversation(app)
    client.submit(f"/messages/block/{ben_id}", {"block": "1"}, page="/messages/settings")
    with app.app_context():
        user = db.session.get(User, anne_id)
        sections = export_data(user)["sections"]
        assert sections["messages_sent"][0]["body_raw"] == "Something only Ben should read"
        assert sections["blocks"][0]["blocked_id"] == ben_id
        assert sections["message_conversations"][0]["conversation_id"] == conversation_id
        delete_account(user, PASSWORD)
        message = db.session.scalar(select(Message))
        assert (message.sender_id, message.body_raw, message.body_html, message.erased) == (None, "", "", True)
        assert db.session.scalar(select(MemberBlock)) is None
        assert db.session.scalar(select(ConversationMember.user_id).where(
            ConversationMember.user_id == anne_id)) is None
    auth.login(ben)  # Anne's session ended with her account
    page = client.get(f"/messages/{conversation_id}").get_data(as_text=True)
    assert "removed when its sender deleted their account" in page
    assert "Something only Ben should read" not in page


def test_the_profile_offers_message_and_block(app, client, auth):
    ben_id, _ben = member(app, display_name="Ben")
    auth.sign_in_as("member")
    page = client.get(f"/members/{ben_id}").get_data(as_text=True)
    assert f"/messages/new?to={ben_id}" in page and "Block Ben" in page
    page = client.get(f"/messages/new?to={ben_id}").get_data(as_text=True)
    assert 'value="Ben"' in page or "403" not in page


def test_no_email_goes_to_a_member_who_left(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    _id, ben = member(app, display_name="Ben")
    member(app, display_name="Cara")
    auth.login(anne)
    start(client, "Ben, Cara")
    conversation_id = only_conversation(app)
    switch_to(auth, ben)
    client.submit(f"/messages/{conversation_id}/leave", {}, page=f"/messages/{conversation_id}")
    switch_to(auth, anne)
    with app.app_context():
        before = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    client.get(f"/messages/{conversation_id}")
    client.submit(f"/messages/{conversation_id}/reply", {"body": "Cara, still there?"},
                  page=f"/messages/{conversation_id}")
    with app.app_context():
        recipients = list(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.id > before)))
    assert ben not in recipients


def test_crisis_words_in_a_message_offer_helplines_and_stay_private(app, client, auth):
    _id, anne = member(app, display_name="Anne")
    member(app, display_name="Ben")
    auth.login(anne)
    response = start(client, "Ben", body="Some days I want to die")
    assert "/moderation/support" in response.headers["Location"] and "sent=message" in response.headers["Location"]
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Only the people in the conversation can read it; moderators are not told" in page
    assert "Back to the conversation" in page
    with app.app_context():
        assert db.session.scalar(select(QueueItem)) is None
