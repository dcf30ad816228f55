"""The Guardian's rules for private messages, blocks, bookmarks and ignoring, on their own."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from community.db import utcnow
from community.permissions import Guardian

NOW = utcnow()


def person(role="member", user_id=1, **kw):
    return SimpleNamespace(id=user_id, role=role, is_authenticated=True,
                           is_silenced=lambda: kw.get("silenced", False),
                           is_suspended=lambda: kw.get("suspended", False))


ME, OTHER = person(user_id=1), person(user_id=2)
MOD, ADMIN = person("moderator", 3), person("admin", 4)


def participant(user_id=1, left_at=None, conversation_id=10):
    return SimpleNamespace(user_id=user_id, left_at=left_at, conversation_id=conversation_id)


@pytest.mark.parametrize("who", [OTHER, MOD, ADMIN, AnonymousUserMixin()])
def test_nobody_but_a_participant_reads_a_conversation_staff_included(who):
    mine = participant(user_id=1)
    assert Guardian(ME).can_read_conversation(mine)
    assert not Guardian(who).can_read_conversation(mine)
    assert not Guardian(who).can_read_conversation(None)


def test_a_member_who_left_reads_no_more():
    assert not Guardian(ME).can_read_conversation(participant(left_at=NOW))


def test_a_block_or_a_silence_stops_sending():
    assert Guardian(ME).can_message(OTHER, blocked_by_recipient=False)
    assert not Guardian(ME).can_message(OTHER, blocked_by_recipient=True)
    assert not Guardian(person(user_id=1, silenced=True)).can_message(OTHER, False)
    assert not Guardian(ME).can_message(person(user_id=2, suspended=True), False)
    assert not Guardian(ME).can_message(ME, False)
    assert not Guardian(ME).can_send_in(participant(), blocked_by_someone_there=True)
    assert Guardian(ME).can_send_in(participant(), blocked_by_someone_there=False)


def test_new_members_wait_but_staff_do_not():
    assert not Guardian(ME).can_start_conversations(established=False)
    assert Guardian(ME).can_start_conversations(established=True)
    assert Guardian(MOD).can_start_conversations(established=False)
    assert not Guardian(person(silenced=True)).can_start_conversations(established=True)


def test_members_report_others_messages_in_their_own_conversations():
    theirs = SimpleNamespace(conversation_id=10, sender_id=2)
    mine = SimpleNamespace(conversation_id=10, sender_id=1)
    elsewhere = SimpleNamespace(conversation_id=11, sender_id=2)
    assert Guardian(ME).can_report_message(theirs, participant())
    assert not Guardian(ME).can_report_message(mine, participant())
    assert not Guardian(ME).can_report_message(elsewhere, participant())
    assert not Guardian(MOD).can_report_message(theirs, None)


@pytest.mark.parametrize(("target", "allowed"), [(OTHER, True), (ME, False), (MOD, False), (ADMIN, False)])
def test_members_block_and_ignore_members_not_staff_nor_themselves(target, allowed):
    assert Guardian(ME).can_block(target) is allowed
    assert Guardian(ME).can_ignore(target) is allowed


def test_bookmarks_are_the_owners_and_only_of_live_posts_they_see():
    topic = SimpleNamespace(members_only=True, hidden_at=None)
    live = SimpleNamespace(author_id=2, deleted_at=None, hidden_at=None)
    assert Guardian(ME).can_bookmark(live, topic)
    assert not Guardian(AnonymousUserMixin()).can_bookmark(live, topic)
    assert not Guardian(ME).can_bookmark(SimpleNamespace(author_id=2, deleted_at=NOW, hidden_at=None), topic)
    assert not Guardian(ME).can_bookmark(live, SimpleNamespace(members_only=False, hidden_at=NOW - timedelta(1)))
