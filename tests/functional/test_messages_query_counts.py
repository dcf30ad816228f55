"""The inbox and a conversation load in a bounded number of SQL statements.

Each page is measured with a little content and with a lot (an inbox of 25
conversations, a conversation of 100 messages from many senders): the count
must not grow with the amount of content (no N+1 queries).
"""

import re

from community.db import db
from community.models import Conversation, ConversationMember, Message
from tests.support.forum import make_old_member
from tests.support.observe import counting_statements


def conversation_with(me_id: int, messages: int) -> int:
    """A conversation of ``messages`` messages, each from a different member, all unread by me."""
    senders = [make_old_member() for _ in range(min(messages, 30))]
    conversation = Conversation(subject=f"About {messages} things", created_by_id=senders[0].id)
    db.session.add(conversation)
    db.session.flush()
    db.session.add_all([ConversationMember(conversation_id=conversation.id, user_id=uid)
                        for uid in {me_id, *(s.id for s in senders)}])
    rows = [Message(conversation_id=conversation.id, sender_id=senders[i % len(senders)].id,
                    body_raw=f"message {i}", body_html=f"<p>message {i}</p>") for i in range(messages)]
    db.session.add_all(rows)
    db.session.flush()
    conversation.last_message_id, conversation.message_count = rows[-1].id, messages
    db.session.commit()
    return conversation.id


def measure(app, client, url: str) -> int:
    client.get(url)  # warm-up: the first visit marks the conversation read
    with counting_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_inbox_queries_do_not_grow_with_conversations(app, client, auth, without_page_cache):
    me = auth.sign_in_as("member")
    with app.app_context():
        conversation_with(me, 2)
    few = measure(app, client, "/messages/")
    with app.app_context():
        for _ in range(24):
            conversation_with(me, 2)
    many = measure(app, client, "/messages/")
    assert few == many, f"inbox: {few} statements with 1 conversation, {many} with 25"
    assert many <= 12, many


def test_a_conversation_of_100_messages_costs_what_one_of_5_costs(app, client, auth, without_page_cache):
    app.config["MESSAGES_PER_PAGE"] = 100
    me = auth.sign_in_as("member")
    with app.app_context():
        small, large = conversation_with(me, 5), conversation_with(me, 100)
    counts = [measure(app, client, f"/messages/{cid}") for cid in (small, large)]
    assert counts[0] == counts[1], f"{counts[0]} statements for 5 messages, {counts[1]} for 100"
    assert counts[1] <= 14, counts[1]
    page = client.get(f"/messages/{large}").get_data(as_text=True)
    assert len(re.findall(r'<li class="message[" ]', page)) == 100  # all 100 really are on the page
