"""Moderation through the test client, CSRF on: reports, the queue, actions, appeals, the staff log."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from community.db import db, utcnow
from community.models import AuditEvent, User
from community.models.forum import Category, Notification, Post, PostRevision, Topic, TopicWatch
from community.models.moderation import Appeal, MemberAction, QueueItem, Report, WatchedWord
from tests.support.moderation import (
    MISINFORMATION,
    client_for,
    make_scene,
    member,
    old_member,
    text,
)
from tests.support.observe import emails_to


@pytest.fixture(autouse=True)
def no_cooldown(app):
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0


@pytest.fixture
def scene(app):
    with app.app_context():
        return make_scene()


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def report(client, post_id: int, reason: str = "misinformation", note: str = ""):
    return client.submit(f"/moderation/report/post/{post_id}", {"reason": reason, "note": note})


# -- reports -------------------------------------------------------------------------------------

def test_member_reports_a_post_with_a_snapshot_and_is_thanked(app, scene):
    with app.app_context():
        _id, email = member(display_name="Reporter Rae")
    reporter = client_for(app, email)
    response = report(reporter, scene.post_id, note="Dangerous advice")
    assert response.status_code == 302
    assert "Thank you for telling us" in text(reporter.get(response.headers["Location"], follow_redirects=True))
    with app.app_context():
        post = db.session.get(Post, scene.post_id)
        post.body_raw = "edited afterwards"
        db.session.commit()
        saved = db.session.scalar(select(Report))
        assert saved.reason == "misinformation" and saved.note == "Dangerous advice"
        assert MISINFORMATION in saved.snapshot and "Natural cures thread" in saved.snapshot
        item = db.session.get(QueueItem, saved.item_id)
        assert item.kind == "report" and item.subject_id == scene.author_id and item.is_open


def test_the_author_is_never_told_who_reported(app, scene):
    with app.app_context():
        _id, email = member(display_name="Secret Sam")
        mod_id, mod_email = member("moderator", display_name="Mod Mo")
    report(client_for(app, email), scene.post_id)
    moderator = client_for(app, mod_email)
    item_id = _only_item(app)
    moderator.submit(f"/moderation/items/{item_id}/resolve", {"action": "hide", "reason": "Unsafe advice"},
                     page=f"/moderation/items/{item_id}")
    author = client_for(app, scene.author_email)
    page = text(author.get("/moderation/history"))
    assert "Unsafe advice" in page and "Post hidden" in page
    assert "Secret Sam" not in page
    for message in emails_to(app, scene.author_email):
        assert "Secret Sam" not in message.body
    # ...while staff see the reporter on the item.
    assert "Secret Sam" in text(moderator.get(f"/moderation/items/{item_id}"))


def test_a_member_reports_a_post_once(app, scene):
    with app.app_context():
        _id, email = member()
    reporter = client_for(app, email)
    report(reporter, scene.post_id)
    again = report(reporter, scene.post_id, reason="spam")
    assert again.status_code == 400 and "already reported" in text(again)
    with app.app_context():
        assert db.session.scalar(select(func.count(Report.id))) == 1


def test_other_needs_a_note_and_nothing_is_saved_without_one(app, scene):
    with app.app_context():
        _id, email = member()
    response = report(client_for(app, email), scene.post_id, reason="other")
    assert response.status_code == 400 and "Please say what is wrong" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(Report.id))) == 0


def test_the_report_form_preselects_no_reason(app, scene):
    with app.app_context():
        _id, email = member()
    page = text(client_for(app, email).get(f"/moderation/report/post/{scene.post_id}"))
    assert '<option selected value="">Choose a reason</option>' in page
    assert "selected value=\"member_at_risk\"" not in page


def test_sending_a_report_without_a_reason_asks_for_one_and_keeps_the_note(app, scene):
    with app.app_context():
        _id, email = member()
    reporter = client_for(app, email)
    response = report(reporter, scene.post_id, reason="", note="Odd advice about steroids")
    page = text(response)
    assert response.status_code == 400 and "Please choose a reason." in page
    assert "Odd advice about steroids" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(QueueItem.id))) == 0


def test_members_cannot_report_their_own_post(app, scene):
    author = client_for(app, scene.author_email)
    assert author.get(f"/moderation/report/post/{scene.post_id}").status_code == 404


def test_enough_distinct_reporters_hide_the_post_until_reviewed(app, scene):
    app.config["MODERATION_AUTO_HIDE_REPORTS"] = 2
    with app.app_context():
        emails = [member()[1] for _ in range(2)]
    report(client_for(app, emails[0]), scene.reply_id, reason="spam")
    with app.app_context():
        assert db.session.get(Post, scene.reply_id).hidden_at is None
    report(client_for(app, emails[1]), scene.reply_id, reason="off_topic")
    with app.app_context():
        assert db.session.get(Post, scene.reply_id).hidden_at is not None
        assert db.session.scalar(select(func.count(QueueItem.id))) == 1  # one item, two reports
    assert "post.auto_hide" in actions(app)
    visitor = app.test_client()
    assert "This post is hidden by a moderator" in text(visitor.get(f"/forum/t/{scene.topic_id}"))


def test_a_member_can_be_reported_from_their_profile(app, scene):
    with app.app_context():
        _id, email = member()
    reporter = client_for(app, email)
    assert "Report Author Anne" in text(reporter.get(f"/members/{scene.author_id}"))
    response = reporter.submit(f"/moderation/report/member/{scene.author_id}",
                               {"reason": "harassment", "note": "Rude in messages"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(QueueItem))
        assert item.post_id is None and item.subject_id == scene.author_id


# -- the queue ----------------------------------------------------------------------------------------

def _only_item(app) -> int:
    with app.app_context():
        return db.session.scalar(select(QueueItem.id).where(QueueItem.resolved_at.is_(None)))


def test_member_at_risk_comes_first_then_the_oldest(app, scene):
    with app.app_context():
        emails = [member()[1] for _ in range(2)]
        _mod, mod_email = member("moderator")
    report(client_for(app, emails[0]), scene.post_id, reason="spam")
    report(client_for(app, emails[1]), scene.reply_id, reason="member_at_risk")
    with app.app_context():  # make the spam item clearly older
        spam = db.session.scalar(select(QueueItem).where(QueueItem.post_id == scene.post_id))
        spam.created_at = utcnow() - timedelta(days=2)
        db.session.commit()
    page = text(client_for(app, mod_email).get("/moderation/"))
    assert page.index("Member at risk") < page.index("Post 1 in")
    assert page.index("Post 2 in") < page.index("Post 1 in")


def test_moderator_claims_and_resolves_with_a_reason_and_it_is_logged(app, scene):
    with app.app_context():
        _id, email = member()
        mod_id, mod_email = member("moderator", display_name="Mod Mo")
    report(client_for(app, email), scene.post_id)
    item_id = _only_item(app)
    moderator = client_for(app, mod_email)
    assert moderator.submit(f"/moderation/items/{item_id}/claim", {},
                            page=f"/moderation/items/{item_id}").status_code == 302
    missing = moderator.submit(f"/moderation/items/{item_id}/resolve", {"action": "hide", "reason": ""},
                               page=f"/moderation/items/{item_id}")
    assert missing.status_code == 400 and "Please give a reason" in text(missing)
    done = moderator.submit(f"/moderation/items/{item_id}/resolve",
                            {"action": "hide", "reason": "Dangerous medical advice"},
                            page=f"/moderation/items/{item_id}")
    assert done.status_code == 302
    with app.app_context():
        item = db.session.get(QueueItem, item_id)
        assert (item.claimed_by_id, item.resolved_by_id, item.resolution) == (mod_id, mod_id, "hide")
        assert db.session.get(Post, scene.post_id).hidden_at is not None
        assert db.session.scalar(select(MemberAction.kind)) == "hide_post"
    assert actions(app) == ["queue.claim", "post.hide", "queue.resolve"]
    log = unescape(text(moderator.get("/moderation/log")))
    assert "Hid Author Anne's post in “Natural cures thread” — reason: Dangerous medical advice" in log
    assert "Mod Mo" in log and "post.hide" not in log.split("<table")[1]  # words, not codes


def test_silencing_stops_posting_but_not_reading(app, scene):
    with app.app_context():
        _mod, mod_email = member("moderator")
    moderator = client_for(app, mod_email)
    response = moderator.submit(f"/moderation/members/{scene.author_id}/act",
                                {"action": "silence", "days": "3", "reason": "Repeated misinformation"},
                                page=f"/moderation/members/{scene.author_id}")
    assert response.status_code == 302
    with app.app_context():
        until = db.session.get(User, scene.author_id).silenced_until
        assert timedelta(days=2, hours=23) < until - utcnow() <= timedelta(days=3)
    author = client_for(app, scene.author_email)
    topic_page = text(author.get(f"/forum/t/{scene.topic_id}"))
    assert "you can't post until" in topic_page and 'id="reply-heading"' not in topic_page
    refused = author.submit(f"/forum/t/{scene.topic_id}/reply", {"body": "still here"},
                            page=f"/forum/t/{scene.topic_id}")
    assert refused.status_code == 403 and "while your account is" in text(refused)
    assert "moderation history" in text(author.get(f"/forum/t/{scene.topic_id}/reply"))
    with app.app_context():
        assert db.session.scalar(select(func.count(Post.id))) == 2
    assert "Repeated misinformation" in text(author.get("/moderation/history"))
    assert any("silenced" in m.body for m in emails_to(app, scene.author_email))
    assert "member.silence" in actions(app)


def test_suspension_ends_the_members_sessions_at_once(app, scene):
    with app.app_context():
        _id, email = member()
        _mod, mod_email = member("moderator")
    report(client_for(app, email), scene.post_id)
    author = client_for(app, scene.author_email)
    assert author.get("/account/").status_code == 200
    item_id = _only_item(app)
    client_for(app, mod_email).submit(f"/moderation/items/{item_id}/resolve",
                                      {"action": "suspend", "days": "7", "reason": "Spam ring"},
                                      page=f"/moderation/items/{item_id}")
    response = author.get("/account/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    with app.app_context():
        user = db.session.get(User, scene.author_id)
        assert user.is_suspended() and user.suspension_reason == "Spam ring"
        assert db.session.scalar(select(MemberAction.kind)) == "suspend"
    assert "user.suspend" in actions(app)


def test_moderators_cannot_act_on_admins_or_other_moderators(app):
    with app.app_context():
        admin_id, _ = member("admin")
        other_mod, _ = member("moderator")
        _mod, mod_email = member("moderator")
    moderator = client_for(app, mod_email)
    for target in (admin_id, other_mod):
        response = moderator.submit(f"/moderation/members/{target}/act",
                                    {"action": "warn", "reason": "no"}, page="/moderation/members")
        assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(MemberAction.id))) == 0


def test_editing_a_post_keeps_the_earlier_version_and_the_diff(app, scene):
    with app.app_context():
        _id, email = member()
        _mod, mod_email = member("moderator")
    report(client_for(app, email), scene.post_id)
    item_id = _only_item(app)
    client_for(app, mod_email).submit(
        f"/moderation/items/{item_id}/resolve",
        {"action": "edit", "reason": "Removed the advice to stop medicine",
         "body": "Please talk to your rheumatologist before changing any medicine."},
        page=f"/moderation/items/{item_id}")
    with app.app_context():
        post = db.session.get(Post, scene.post_id)
        assert post.body_raw.startswith("Please talk") and post.edit_count == 1
        assert db.session.scalar(select(PostRevision.body_raw)) == MISINFORMATION
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "post.edit"))
        assert event.before["body"] == MISINFORMATION and event.after["body"].startswith("Please talk")


def test_escalated_items_are_for_admins(app, scene):
    with app.app_context():
        _id, email = member()
        _mod, mod_email = member("moderator")
        _admin, admin_email = member("admin")
    report(client_for(app, email), scene.post_id, reason="harassment")
    item_id = _only_item(app)
    moderator = client_for(app, mod_email)
    moderator.submit(f"/moderation/items/{item_id}/resolve", {"action": "escalate", "reason": "Legal threat"},
                     page=f"/moderation/items/{item_id}")
    assert moderator.get(f"/moderation/items/{item_id}").status_code == 404
    admin = client_for(app, admin_email)
    assert "Escalated to admins" in text(admin.get(f"/moderation/items/{item_id}"))
    admin.submit(f"/moderation/items/{item_id}/resolve", {"action": "dismiss", "reason": "Handled by email"},
                 page=f"/moderation/items/{item_id}")
    with app.app_context():
        assert db.session.get(QueueItem, item_id).resolution == "dismiss"
    assert actions(app)[-2:] == ["queue.escalate", "queue.resolve"] or "queue.escalate" in actions(app)


def test_nav_shows_staff_the_open_count(app, scene):
    with app.app_context():
        _id, email = member()
        _mod, mod_email = member("moderator")
    reporter = client_for(app, email)
    report(reporter, scene.post_id)
    assert "Review queue" not in text(reporter.get("/"))
    page = text(client_for(app, mod_email).get("/"))
    assert "Review queue" in page and '<span class="nav-count">1<span class="visually-hidden"> open' in page


# -- new-member approval -------------------------------------------------------------------------------

def test_a_new_members_first_post_waits_and_only_they_see_it(app, scene):
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 1
    with app.app_context():
        _new, new_email = member(display_name="Newbie Nia")
        watcher_id, other_email = old_member()
        _mod, mod_email = member("moderator")
        db.session.add(TopicWatch(user_id=watcher_id, topic_id=scene.topic_id, created_at=utcnow()))
        db.session.commit()
    newbie = client_for(app, new_email)
    response = newbie.submit(f"/forum/t/{scene.topic_id}/reply", {"body": "Hello, first post here"},
                             page=f"/forum/t/{scene.topic_id}")
    assert response.status_code == 302
    page = text(newbie.get(response.headers["Location"], follow_redirects=True))
    assert "waiting for a moderator" in page and "Hello, first post here" in page
    other = text(client_for(app, other_email).get(f"/forum/t/{scene.topic_id}"))
    assert "Hello, first post here" not in other and "waiting for a moderator's approval" in other
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.body_raw == "Hello, first post here"))
        item = db.session.scalar(select(QueueItem).where(QueueItem.post_id == post.id))
        assert item.kind == "held" and post.held_at is not None
        post_id, item_id = post.id, item.id
        # Until approved it doesn't count: no new reply in listings, nobody notified.
        topic_before = db.session.get(Topic, scene.topic_id)
        replies_before, last_poster_before = topic_before.reply_count, topic_before.last_poster_id
        assert last_poster_before != post.author_id
        assert db.session.scalar(select(func.count(Notification.id)).where(Notification.post_id == post_id)) == 0
    moderator_page = text(client_for(app, mod_email).get(f"/moderation/items/{item_id}"))
    assert "Approve the post" in moderator_page
    assert "Dismiss: nothing needs doing" not in moderator_page  # a held post can't be left in limbo
    client_for(app, mod_email).submit(f"/moderation/items/{item_id}/resolve",
                                      {"action": "approve", "reason": "Welcome!"},
                                      page=f"/moderation/items/{item_id}")
    assert "Hello, first post here" in text(client_for(app, other_email).get(f"/forum/t/{scene.topic_id}"))
    with app.app_context():
        topic_after = db.session.get(Topic, scene.topic_id)
        assert topic_after.reply_count == replies_before + 1
        assert topic_after.last_poster_id == db.session.get(Post, post_id).author_id
        told = db.session.scalars(select(Notification.user_id).where(Notification.post_id == post_id)).all()
        assert watcher_id in told  # a member watching the topic hears of the reply now
    # The second post of a member with one approved post goes straight up.
    newbie.submit(f"/forum/t/{scene.topic_id}/reply", {"body": "Second post"}, page=f"/forum/t/{scene.topic_id}")
    with app.app_context():
        assert db.session.scalar(select(Post.held_at).where(Post.body_raw == "Second post")) is None
        assert db.session.get(Post, post_id).hidden_at is None


def test_a_new_members_held_topic_is_hidden_from_listings_but_not_from_them(app, scene):
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 2
    with app.app_context():
        _new, new_email = member()
    newbie = client_for(app, new_email)
    response = newbie.submit(f"/forum/c/{scene.category_slug}/new",
                             {"title": "My very first topic", "body": "Hi everyone", "action": "post"},
                             page=f"/forum/c/{scene.category_slug}/new")
    assert response.status_code == 302
    assert "waiting for a moderator" in text(newbie.get(response.headers["Location"]))
    assert "My very first topic" not in text(app.test_client().get("/forum/latest"))
    with app.app_context():
        topic = db.session.scalar(select(Topic).where(Topic.title == "My very first topic"))
        assert topic.held_at is not None
    assert app.test_client().get(f"/forum/t/{topic.id}").status_code == 404


def test_a_screened_opening_post_shows_no_changes_until_it_is_edited(app, scene):
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 1
    with app.app_context():
        _new, new_email = member()
        _writer, writer_email = member()
        _mod, mod_email = member("moderator")
    moderator = client_for(app, mod_email)

    def item_page() -> str:
        with app.app_context():
            item_id = db.session.scalar(select(QueueItem.id).order_by(QueueItem.id.desc()))
        return text(moderator.get(f"/moderation/items/{item_id}"))

    new_topic = f"/forum/c/{scene.category_slug}/new"
    client_for(app, new_email).submit(new_topic, {"title": "My very first topic", "body": "Hi everyone",
                                                  "action": "post"}, page=new_topic)
    page = item_page()  # held for approval
    assert "My very first topic\n\nHi everyone" in page and "Changed since" not in page
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 0
    writer = client_for(app, writer_email)
    writer.submit(new_topic, {"title": "A hard month", "body": "Some days I just want to die.",
                              "action": "post"}, page=new_topic)
    assert "Changed since" not in item_page()  # crisis words: live, and unchanged
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.body_raw == "Some days I just want to die."))
    edited = writer.submit(f"/forum/posts/{post_id}/edit", {"title": "A hard month", "body": "Better today.",
                                                            "action": "post"}, page=f"/forum/posts/{post_id}/edit")
    assert edited.status_code == 302
    page = item_page()
    assert "Changed since" in page and "+Better today." in page


# -- watched words and crisis support ---------------------------------------------------------------------

def add_word(app, admin, phrase, action, **extra):
    response = admin.submit("/moderation/words", {"phrase": phrase, "action": action, **extra})
    assert response.status_code == 302, text(response)


def test_watched_words_block_replace_hold_and_flag(app, scene):
    with app.app_context():
        _admin, admin_email = member("admin")
        _w, writer_email = old_member()
    admin = client_for(app, admin_email)
    add_word(app, admin, "miracle cure", "block", message="We don't allow miracle-cure claims.")
    add_word(app, admin, "darn", "replace", replacement="d***")
    add_word(app, admin, "buy now", "hold")
    add_word(app, admin, "cbd", "flag")
    writer = client_for(app, writer_email)
    url, page = f"/forum/t/{scene.topic_id}/reply", f"/forum/t/{scene.topic_id}"

    blocked = writer.submit(url, {"body": "This MIRACLE   cure works"}, page=page)
    assert blocked.status_code == 400 and "We don&#39;t allow miracle-cure claims." in text(blocked)
    assert "This MIRACLE" in text(blocked)  # what they wrote is kept
    writer.submit(url, {"body": "Darn this fatigue"}, page=page)
    writer.submit(url, {"body": "Great pills, buy now"}, page=page)
    writer.submit(url, {"body": "Has anyone tried CBD oil?"}, page=page)
    with app.app_context():
        bodies = dict(db.session.execute(select(Post.body_raw, Post.held_at).where(Post.number > 2)).all())
        assert set(bodies) == {"d*** this fatigue", "Great pills, buy now", "Has anyone tried CBD oil?"}
        assert bodies["Great pills, buy now"] is not None and bodies["Has anyone tried CBD oil?"] is None
        kinds = sorted(db.session.scalars(select(QueueItem.kind)))
        assert kinds == ["flag", "held"]
        assert db.session.scalar(select(func.count(WatchedWord.id))) == 4
    assert actions(app).count("watched_word.add") == 4


def test_crisis_words_never_block_and_offer_support_and_an_urgent_item(app, scene):
    with app.app_context():
        _w, writer_email = old_member(time_zone="America/Chicago")
        _mod, mod_email = member("moderator")
    writer = client_for(app, writer_email)
    response = writer.submit(f"/forum/t/{scene.topic_id}/reply",
                             {"body": "Some days I just want to die, the pain never stops"},
                             page=f"/forum/t/{scene.topic_id}")
    assert response.status_code == 302 and "/moderation/support" in response.headers["Location"]
    support = text(writer.get(response.headers["Location"]))
    assert "988" in support and "You don't have to face this alone" in support
    assert "Continue to the forum" in support and "Thank you for sharing this with us" in support
    assert "Your words are posted" in support  # an established member's post is live
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.body_raw.like("Some days%")))
        assert post.hidden_at is None and post.held_at is None  # not blocked, not hidden
        item = db.session.scalar(select(QueueItem).where(QueueItem.post_id == post.id))
        assert item.kind == "crisis" and item.urgent
    queue = text(client_for(app, mod_email).get("/moderation/"))
    assert "Member at risk" in queue


def test_a_held_crisis_post_is_not_called_posted_on_the_support_page(app, scene):
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 1
    with app.app_context():
        _w, writer_email = member(time_zone="Europe/London")  # new: their first post waits for approval
    writer = client_for(app, writer_email)
    response = writer.submit(f"/forum/t/{scene.topic_id}/reply",
                             {"body": "Some days I just want to die, the pain never stops"},
                             page=f"/forum/t/{scene.topic_id}")
    support = text(writer.get(response.headers["Location"]))
    assert "only you can see it" in support and "Your words are posted" not in support
    with app.app_context():
        assert db.session.scalar(select(Post.held_at).where(Post.body_raw.like("Some days%"))) is not None


def test_helpline_numbers_on_the_support_page_can_be_tapped(app):
    page = text(app.test_client().get("/moderation/support?country=GB"))
    assert '<a href="tel:116123">116 123</a>' in page
    assert '<a href="sms:85258">85258</a>' in page  # "Text SHOUT to 85258"


def test_crisis_words_added_in_an_edit_also_lead_the_author_to_support(app, scene):
    with app.app_context():
        _w, writer_email = old_member(time_zone="America/Chicago")
    writer = client_for(app, writer_email)
    response = writer.submit(f"/forum/t/{scene.topic_id}/reply", {"body": "A hard week."},
                             page=f"/forum/t/{scene.topic_id}")
    assert "/moderation/support" not in response.headers["Location"]
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.body_raw == "A hard week."))
    response = writer.submit(f"/forum/posts/{post_id}/edit",
                             {"body": "A hard week. Some days I just want to die."},
                             page=f"/forum/posts/{post_id}/edit")
    assert response.status_code == 302 and "/moderation/support" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(QueueItem.kind).where(QueueItem.post_id == post_id)) == "crisis"


def test_admins_add_helplines_per_country(app):
    with app.app_context():
        _admin, admin_email = member("admin")
    admin = client_for(app, admin_email)
    response = admin.submit("/moderation/crisis-resources",
                            {"country": "fr", "name": "SOS Amitié", "contact": "09 72 39 40 50",
                             "url": "https://www.sos-amitie.com", "position": "0"})
    assert response.status_code == 302
    page = text(app.test_client().get("/moderation/support?country=FR"))
    assert "SOS Amitié" in page and "findahelpline.com" in page
    bad = admin.submit("/moderation/crisis-resources", {"country": "France", "name": "X"})
    assert bad.status_code == 400


# -- topic tools ------------------------------------------------------------------------------------------

def tool(moderator, topic_id, path, data):
    return moderator.submit(f"/moderation/topics/{topic_id}/{path}", data, page=f"/moderation/topics/{topic_id}")


def test_pin_lock_hide_and_move_a_topic(app, scene):
    with app.app_context():
        _mod, mod_email = member("moderator")
        from tests.support.forum import make_category

        other = make_category(name="Daily life")
        other_id = other.id
    moderator = client_for(app, mod_email)
    for action in ("pin", "lock", "hide"):
        assert tool(moderator, scene.topic_id, "act", {"action": action, "reason": f"{action} it"}).status_code == 302
    again = tool(moderator, scene.topic_id, "act", {"action": "pin", "reason": "again"})
    assert again.status_code == 400 and "already" in text(again)
    assert tool(moderator, scene.topic_id, "move", {"category": other_id, "reason": "Fits better"}).status_code == 302
    with app.app_context():
        topic = db.session.get(Topic, scene.topic_id)
        assert topic.pinned_at and topic.locked_at and topic.hidden_at and topic.category_id == other_id
        assert db.session.get(Category, other_id).topic_count == 1
        assert db.session.get(Category, scene.category_id).topic_count == 0
    assert app.test_client().get(f"/forum/t/{scene.topic_id}").status_code == 404
    tool(moderator, scene.topic_id, "act", {"action": "unhide", "reason": "ok"})
    assert app.test_client().get(f"/forum/t/{scene.topic_id}").status_code == 200
    assert actions(app) == ["topic.pin", "topic.lock", "topic.hide", "topic.move", "topic.unhide"]
    with app.app_context():
        old_name = db.session.get(Category, scene.category_id).name
    log = text(moderator.get("/moderation/log"))
    assert f"Moved the topic “Natural cures thread” from {old_name} to Daily life — reason: Fits better" in log
    assert "Pinned the topic “Natural cures thread” — reason: pin it" in log
    assert "topic_id" not in log and "{" not in log.split("<table")[1]


def test_merge_two_topics_and_split_replies_out(app, scene):
    with app.app_context():
        _mod, mod_email = member("moderator")
        from tests.support.forum import make_old_member, make_topic

        other = make_topic(make_old_member(), db.session.get(Category, scene.category_id),
                           title="Duplicate cures thread", replies=2)
        other_id = other.id
    moderator = client_for(app, mod_email)
    assert tool(moderator, other_id, "merge", {"target": scene.topic_id, "reason": "Duplicate"}).status_code == 302
    with app.app_context():
        numbers = list(db.session.scalars(select(Post.number).where(Post.topic_id == scene.topic_id)
                                          .order_by(Post.number)))
        assert numbers == [1, 2, 3, 4, 5]
        target = db.session.get(Topic, scene.topic_id)
        assert target.reply_count == 4 and target.last_number == 5
        assert db.session.get(Topic, other_id).hidden_at is not None
        moved = list(db.session.scalars(select(Post.id).where(Post.topic_id == scene.topic_id, Post.number >= 4)))
    response = moderator.submit(f"/moderation/topics/{scene.topic_id}/split",
                                {"posts": moved, "title": "Split-off discussion", "category": scene.category_id,
                                 "reason": "Different subject"}, page=f"/moderation/topics/{scene.topic_id}")
    assert response.status_code == 302
    with app.app_context():
        new = db.session.scalar(select(Topic).where(Topic.title == "Split-off discussion"))
        assert sorted(db.session.scalars(select(Post.number).where(Post.topic_id == new.id))) == [1, 2]
        assert new.reply_count == 1
        assert db.session.get(Topic, scene.topic_id).reply_count == 2
    assert "Split-off discussion" in text(app.test_client().get(f"/forum/t/{new.id}"))
    # Search knows the moved opening post by its new topic's title.
    found = text(moderator.get("/forum/search?q=split+off+discussion"))
    assert f'href="/forum/posts/{min(moved)}"' in found
    assert actions(app) == ["topic.merge", "topic.split"]


# -- appeals -------------------------------------------------------------------------------------------------

def test_member_appeals_once_and_an_admin_overturns_the_silence(app, scene):
    with app.app_context():
        _mod, mod_email = member("moderator")
        _admin, admin_email = member("admin")
    client_for(app, mod_email).submit(f"/moderation/members/{scene.author_id}/act",
                                      {"action": "silence", "days": "3", "reason": "Heated replies"},
                                      page=f"/moderation/members/{scene.author_id}")
    with app.app_context():
        action_id = db.session.scalar(select(MemberAction.id))
    author = client_for(app, scene.author_email)
    short = author.submit(f"/moderation/history/{action_id}/appeal", {"message": "no"})
    assert short.status_code == 400
    assert author.submit(f"/moderation/history/{action_id}/appeal",
                         {"message": "I was quoting my doctor, please look again."}).status_code == 302
    again = author.get(f"/moderation/history/{action_id}/appeal", follow_redirects=True)
    assert "already appealed" in text(again)
    assert "waiting for an admin" in text(author.get("/moderation/history"))
    admin = client_for(app, admin_email)
    with app.app_context():
        appeal_id = db.session.scalar(select(Appeal.id))
    told = emails_to(app, admin_email)
    assert told and f"/moderation/appeals/{appeal_id}" in told[-1].body
    assert "I was quoting my doctor" not in told[-1].body  # the appeal itself stays on the site
    assert emails_to(app, mod_email) == []
    assert "I was quoting my doctor" in text(admin.get(f"/moderation/appeals/{appeal_id}"))
    admin.submit(f"/moderation/appeals/{appeal_id}", {"decision": "overturned", "reason": "Fair point"})
    with app.app_context():
        assert db.session.get(User, scene.author_id).silenced_until is None
        assert db.session.get(MemberAction, action_id).undone_at is not None
        assert db.session.get(Appeal, appeal_id).status == "overturned"
    assert actions(app) == ["member.silence", "appeal.open", "appeal.overturned"]
    assert any("overturned" in m.body for m in emails_to(app, scene.author_email))


def test_nobody_appeals_someone_elses_action(app, scene):
    with app.app_context():
        _mod, mod_email = member("moderator")
        _x, other_email = member()
    client_for(app, mod_email).submit(f"/moderation/members/{scene.author_id}/act",
                                      {"action": "warn", "reason": "Be kind"},
                                      page=f"/moderation/members/{scene.author_id}")
    with app.app_context():
        action_id = db.session.scalar(select(MemberAction.id))
    assert client_for(app, other_email).get(f"/moderation/history/{action_id}/appeal").status_code == 404
    assert client_for(app, mod_email).get(f"/moderation/history/{action_id}/appeal").status_code == 404


# -- staff log ---------------------------------------------------------------------------------------------------

def test_staff_log_filters_by_moderator_member_and_action(app, scene):
    with app.app_context():
        mod_a, mod_a_email = member("moderator", display_name="Mod Ada")
        _mod_b, mod_b_email = member("moderator", display_name="Mod Bea")
        _target, _ = member(display_name="Target Tom")
        target_id = _target
    client_for(app, mod_a_email).submit(f"/moderation/members/{target_id}/act",
                                        {"action": "warn", "reason": "Reason from Ada"},
                                        page="/moderation/members")
    client_for(app, mod_b_email).submit(f"/moderation/members/{scene.author_id}/act",
                                        {"action": "warn", "reason": "Reason from Bea"},
                                        page="/moderation/members")
    viewer = client_for(app, mod_a_email)
    by_mod = text(viewer.get(f"/moderation/log?moderator={mod_a}"))
    assert "Reason from Ada" in by_mod and "Reason from Bea" not in by_mod
    by_member = text(viewer.get("/moderation/log?member=author+anne"))
    assert "Reason from Bea" in by_member and "Reason from Ada" not in by_member
    by_action = text(viewer.get("/moderation/log?action=member.silence"))
    assert "Reason from Ada" not in by_action and "No staff actions match" in by_action
    assert "Warned Target Tom — reason: Reason from Ada" in by_mod
    assert '<option value="member.warn">Member: warn</option>' in by_mod


def test_the_staff_log_says_a_silence_in_plain_words(app, scene):
    with app.app_context():
        _mod, mod_email = member("moderator")
    moderator = client_for(app, mod_email)
    moderator.submit(f"/moderation/members/{scene.author_id}/act",
                     {"action": "silence", "days": "3", "reason": "spam"}, page="/moderation/members")
    log = text(moderator.get("/moderation/log"))
    assert "Silenced Author Anne for 3 days — reason: spam" in log and "silenced_until" not in log


def test_the_staff_log_has_no_way_to_change_it(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/moderation/log"):
            assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}
    with app.app_context():
        from community import audit

        event = audit.record(None, "test.action", reason="kept")
        db.session.commit()
        event.reason = "changed"
        with pytest.raises(RuntimeError):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(RuntimeError):
            db.session.delete(db.session.get(AuditEvent, event.id))
            db.session.commit()


def test_the_demo_puts_two_reports_in_the_queue_once(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        items = db.session.scalars(select(QueueItem).order_by(QueueItem.urgent.desc())).all()
        assert [(i.kind, i.urgent) for i in items] == [("report", True), ("report", False)]
        assert db.session.scalar(select(func.count(Report.id))) == 2


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/x"])
def test_the_support_page_only_links_back_into_this_site(app, target):
    page = text(app.test_client().get("/moderation/support", query_string={"next": target}))
    assert "evil.example" not in page and "Continue to the forum" not in page


def test_a_suspension_from_the_admin_pages_is_in_the_members_history_too(app, scene):
    with app.app_context():
        _admin, admin_email = member("admin")
    client_for(app, admin_email).submit(f"/admin/members/{scene.author_id}/suspend",
                                        {"days": "2", "reason": "Cooling-off period"},
                                        page=f"/admin/members/{scene.author_id}")
    with app.app_context():
        action = db.session.scalar(select(MemberAction))
        assert (action.kind, action.reason, action.user_id) == ("suspend", "Cooling-off period", scene.author_id)
        db.session.get(User, scene.author_id).suspended_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "Cooling-off period" in text(client_for(app, scene.author_email).get("/moderation/history"))
