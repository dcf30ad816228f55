"""Forum rules on their own: the Guardian's predicates, search query handling, posting limits."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from community.db import utcnow
from community.errors import ValidationFailed
from community.permissions import Guardian
from community.search import forum as search


def person(role="member", user_id=1):
    return SimpleNamespace(id=user_id, role=role, is_authenticated=True)


ANON = AnonymousUserMixin()
MEMBER, AUTHOR, MOD, ADMIN = person(user_id=2), person(user_id=1), person("moderator", 3), person("admin", 4)
NOW = utcnow()


def topic(**kw):
    return SimpleNamespace(**{"members_only": False, "hidden_at": None, "locked_at": None, "author_id": 1, **kw})


def post(**kw):
    return SimpleNamespace(**{"author_id": 1, "deleted_at": None, "hidden_at": None, **kw})


VIEW = [  # (topic, {who: can view})
    (topic(), {"anon": True, "member": True, "moderator": True}),
    (topic(members_only=True), {"anon": False, "member": True, "moderator": True}),
    (topic(hidden_at=NOW), {"anon": False, "member": False, "moderator": True}),
]
WHO = {"anon": ANON, "member": MEMBER, "moderator": MOD}


@pytest.mark.parametrize(("t", "expected"), VIEW)
@pytest.mark.parametrize("who", list(WHO))
def test_who_sees_which_topic(t, expected, who):
    assert Guardian(WHO[who]).can_view_topic(t) is expected[who]


@pytest.mark.parametrize(("t", "told"), [
    (topic(members_only=True), True),
    (topic(members_only=True, hidden_at=NOW), False),  # hidden or held: its existence stays secret
    (topic(), False),  # public: they can simply read it
])
def test_visitors_learn_only_that_a_visible_members_only_topic_exists(t, told):
    assert Guardian(ANON).may_learn_topic_is_for_members(t) is told
    assert Guardian(MEMBER).may_learn_topic_is_for_members(t) is False


@pytest.mark.parametrize(("user", "edit", "delete", "history", "react"), [
    (ANON, False, False, False, False),
    (MEMBER, False, False, False, True),
    (AUTHOR, True, True, False, False),
    (MOD, False, False, True, True),
    (ADMIN, False, False, True, True),
])
def test_post_actions_by_role(user, edit, delete, history, react):
    g = Guardian(user)
    p, t = post(), topic()
    assert g.can_edit_post(p, t) is edit
    assert g.can_delete_post(p, t) is delete
    assert g.can_view_edit_history(p, t) is history
    assert g.can_react(p, t) is react


def test_locked_topics_take_staff_replies_and_no_edits():
    t = topic(locked_at=NOW)
    assert not Guardian(MEMBER).can_reply(t) and Guardian(MOD).can_reply(t)
    assert not Guardian(AUTHOR).can_edit_post(post(), t)


def test_deleted_posts_cannot_be_edited_deleted_again_or_reacted_to():
    gone = post(deleted_at=NOW)
    assert not Guardian(AUTHOR).can_edit_post(gone, topic())
    assert not Guardian(AUTHOR).can_delete_post(gone, topic())
    assert not Guardian(MEMBER).can_react(gone, topic())


def test_only_admins_manage_categories_and_staff_skip_limits():
    assert [Guardian(u).can_manage_categories() for u in (ANON, MEMBER, MOD, ADMIN)] == [False, False, False, True]
    assert [Guardian(u).can_skip_posting_limits() for u in (ANON, MEMBER, MOD, ADMIN)] == [False, False, True, True]


@pytest.mark.parametrize(("typed", "expected"), [
    ('hair "loss', ["hair", "loss"]),
    ("fatigue -rash", ["fatigue", "rash"]),
    ("a AND b OR NOT c", ["a", "AND", "b", "OR", "NOT", "c"]),
    ("((brackets]", ["brackets"]),
    ("🦋🦋", []),
    ("🦋 flare", ["flare"]),
    ("Flare flare FLARE", ["Flare"]),
    ("col:term NEAR(x y)", ["col", "term", "NEAR", "x", "y"]),
    ("naïve café", ["naïve", "café"]),
    ("", []),
    (None, []),
])
def test_whatever_is_typed_becomes_plain_words(typed, expected):
    assert search.words(typed) == expected


def test_word_count_and_length_are_capped():
    assert len(search.words(" ".join(f"w{i}" for i in range(50)))) == search.MAX_WORDS
    assert len(search.words("x" * 500)[0]) == search.MAX_WORD_CHARS


def test_fts5_query_quotes_every_word_so_operators_are_literal():
    assert search.fts5_query(["a", "AND", "NEAR"]) == '"a" "AND" "NEAR"'


def test_highlight_escapes_everything_but_the_markers():
    out = search.highlight("<b>x</b> \x02flare\x03 & more")
    assert str(out) == "&lt;b&gt;x&lt;/b&gt; <mark>flare</mark> &amp; more"


def test_limits_raise_validation_errors_on_the_right_fields(app):
    from community.forum.posting import check_posting_limits
    from tests.support.factories import make_user

    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0
    with app.app_context():
        newcomer = make_user()
        with pytest.raises(ValidationFailed) as error:
            check_posting_limits(newcomer, starting_topic=False, link_count=3)
        assert error.value.field == "body" and "up to 2 links" in error.value.message
        check_posting_limits(newcomer, starting_topic=False, link_count=2)
        # A day later the same post is fine.
        check_posting_limits(newcomer, starting_topic=False, link_count=9, now=utcnow() + timedelta(days=2))
