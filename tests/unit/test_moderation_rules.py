"""Screening rules (watched words, crisis phrases) and the moderation permission rules."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from community.db import utcnow
from community.models.user import Role
from community.moderation.safety import Helpline
from community.moderation.screening import Rule, country_for_time_zone, phrase_pattern, screen_text
from community.permissions import Guardian


def test_a_block_word_blocks_with_its_message_whatever_the_case_and_spacing():
    verdict = screen_text("Try this Miracle\n  Cure today", [Rule("miracle cure", "block", "No cures here.")])
    assert verdict.blocked == "No cures here."


def test_a_block_word_without_a_message_gets_a_clear_default():
    verdict = screen_text("buy cheap pills", [Rule("cheap pills", "block")])
    assert "cheap pills" in verdict.blocked and "still here" in verdict.blocked


def test_words_match_whole_words_only():
    rules = [Rule("ass", "block")]
    assert screen_text("I passed my assessment", rules).blocked is None
    assert screen_text("what an ass!", rules).blocked is not None


def test_replace_changes_every_occurrence_and_keeps_the_rest():
    verdict = screen_text("Darn it. DARN the fatigue", [Rule("darn", "replace", replacement="gosh")])
    assert verdict.text == "gosh it. gosh the fatigue" and verdict.replaced == ["darn"]


def test_hold_and_flag_are_reported_without_changing_the_text():
    verdict = screen_text("buy now, try CBD", [Rule("buy now", "hold"), Rule("cbd", "flag")])
    assert (verdict.held, verdict.flagged, verdict.text) == (["buy now"], ["cbd"], "buy now, try CBD")
    assert verdict.blocked is None


@pytest.mark.parametrize("text", [
    "Sometimes I want to die", "I've been thinking about suicide", "I keep wanting to self harm",
    "I could KILL MYSELF some days", "everyone would be better off dead without me", "self-harm again",
])
def test_crisis_phrases_are_found_and_never_block(text):
    verdict = screen_text(text, [Rule("cbd", "block")])
    assert verdict.crisis, text
    assert verdict.blocked is None and verdict.held == []


def test_a_crisis_word_added_by_admins_counts_too():
    verdict = screen_text("I feel hopeless", [Rule("hopeless", "crisis")])
    assert verdict.crisis == ["hopeless"]


def test_ordinary_posts_pass_untouched():
    verdict = screen_text("My rheumatologist changed my dose today.", [Rule("cbd", "flag")])
    assert (verdict.blocked, verdict.held, verdict.flagged, verdict.crisis) == (None, [], [], [])


def test_phrase_patterns_escape_what_admins_type():
    assert phrase_pattern("c++ (cheap)").search("try c++ (cheap) now")
    assert not phrase_pattern("a.b").search("axb")


def test_country_comes_from_the_time_zone():
    assert country_for_time_zone("Europe/London") == "GB"
    assert country_for_time_zone("America/Chicago") == "US"
    assert country_for_time_zone("UTC") is None


# -- permission rules -----------------------------------------------------------------------------------

def user(id_, role="member", silenced=False, **extra):
    until = utcnow() + timedelta(days=1) if silenced else None
    return SimpleNamespace(id=id_, role=role, is_authenticated=True, silenced_until=until,
                           is_silenced=lambda: until is not None, **extra)


VISITOR = SimpleNamespace(is_authenticated=False)
TOPIC = SimpleNamespace(members_only=False, hidden_at=None, locked_at=None, author_id=1, held_at=None)


def post(author_id=1, **extra):
    values = {"author_id": author_id, "deleted_at": None, "hidden_at": None, "held_at": None, **extra}
    return SimpleNamespace(**values)


@pytest.mark.parametrize(("contact", "links"), [
    ("Call 116 123, free, day or night", [("116 123", "tel:116123")]),
    ("Call or text 988", [("988", "tel:988")]),
    ("Text SHOUT to 85258", [("85258", "sms:85258")]),
    ("Call 13 11 14 or text 0477 13 11 14", [("13 11 14", "tel:131114"), ("0477 13 11 14", "sms:0477131114")]),
    ("+33 9-72-39-40-50", [("+33 9-72-39-40-50", "tel:+33972394050")]),
    ("If you might act on these thoughts now, call it", []),
])
def test_helpline_numbers_become_call_or_text_links_and_the_words_stay(contact, links):
    parts = Helpline("Line", contact, "").contact_parts()
    assert "".join(words for words, _link in parts) == contact
    assert [(words, link) for words, link in parts if link] == links


def test_a_silenced_member_reads_but_cannot_post_reply_or_edit():
    g = Guardian(user(1, silenced=True))
    assert g.can_view_topic(TOPIC) and g.can_view_post(post(), TOPIC)
    assert not g.can_start_topic(None) and not g.can_reply(TOPIC) and not g.can_edit_post(post(), TOPIC)
    assert g.can_report_post(post(author_id=2), TOPIC)  # reporting is still possible


def test_held_posts_are_seen_by_their_author_and_staff_only():
    held = post(author_id=1, hidden_at=utcnow(), held_at=utcnow())
    assert Guardian(user(1)).can_view_post(held, TOPIC)
    assert Guardian(user(5, "moderator")).can_view_post(held, TOPIC)
    assert not Guardian(user(2)).can_view_post(held, TOPIC)
    assert not Guardian(VISITOR).can_view_post(held, TOPIC)
    hidden = post(author_id=1, hidden_at=utcnow())
    assert not Guardian(user(1)).can_view_post(hidden, TOPIC)  # hidden by a moderator: not the author's


@pytest.mark.parametrize(("actor", "target", "allowed"), [
    (user(1, "moderator"), user(2), True),
    (user(1, "moderator"), user(2, "moderator"), False),
    (user(1, "moderator"), user(2, "admin"), False),
    (user(1, "admin"), user(2, "moderator"), True),
    (user(1, "admin"), user(2, "admin"), False),
    (user(1, "admin"), user(1, "admin"), False),
    (user(1), user(2), False),
])
def test_who_may_warn_silence_or_suspend_whom(actor, target, allowed):
    assert Guardian(actor).can_sanction(target) is allowed


def test_reports_are_for_members_about_others():
    assert not Guardian(VISITOR).can_report_post(post(author_id=2), TOPIC)
    assert not Guardian(user(1)).can_report_post(post(author_id=1), TOPIC)
    assert not Guardian(user(1)).can_report_member(user(1))
    assert Guardian(user(1)).can_report_member(user(2))


def test_escalated_items_are_for_admins_and_appeals_once_by_their_owner():
    escalated = SimpleNamespace(escalated_at=utcnow())
    assert not Guardian(user(1, "moderator")).can_handle_item(escalated)
    assert Guardian(user(1, "admin")).can_handle_item(escalated)
    action = SimpleNamespace(user_id=1)
    assert Guardian(user(1)).can_appeal(action, already_appealed=False)
    assert not Guardian(user(1)).can_appeal(action, already_appealed=True)
    assert not Guardian(user(2, "admin")).can_appeal(action, already_appealed=False)
    assert Guardian(user(2, "admin")).can_decide_appeals() and not Guardian(user(2, "moderator")).can_decide_appeals()
    assert not Guardian(user(2, "moderator")).can_manage_watched_words()


@pytest.mark.parametrize(("who", "allowed"), [
    (VISITOR, False), (user(1), False), (user(1, "moderator"), False), (user(1, "admin"), True),
])
def test_only_admins_change_the_crisis_helplines(who, allowed):
    assert Guardian(who).can_manage_crisis_helplines() is allowed


def test_a_member_sees_only_the_actions_taken_on_them():
    action = SimpleNamespace(user_id=1)
    assert Guardian(user(1)).can_view_own_action(action)
    assert not Guardian(user(2, "admin")).can_view_own_action(action)
    assert not Guardian(VISITOR).can_view_own_action(action)


@pytest.mark.parametrize(("who", "granted", "writes", "asked"), [
    (VISITOR, True, False, False),
    (user(1), True, False, False),
    (user(1, "moderator"), False, False, True),
    (user(1, "moderator"), True, True, True),
    (user(1, Role.ADMIN), False, True, False),
])
def test_admins_write_news_and_moderators_once_allowed(who, granted, writes, asked):
    lookups = []

    def has_grant():
        lookups.append(True)
        return granted

    assert Guardian(who).is_writer(has_grant) is writes
    assert bool(lookups) is asked  # the allowance is looked up only for moderators
