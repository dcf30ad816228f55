"""Bookmarks (with notes and reminder emails) and ignoring members, through the test client."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html import unescape

from sqlalchemy import select

from community.db import db, utcnow
from community.forum.bookmarks import send_reminders
from community.models import Bookmark, MemberBlock, Notification, Post, User
from tests.support.forum import first_post, make_category, make_old_member, make_topic
from tests.support.observe import emails_to, last_email, link_in


def scene(app) -> dict:
    """A members-only topic by Tess, with a reply by Rob; the reader Ida follows it."""
    with app.app_context():
        tess = make_old_member(display_name="Tess")
        rob = make_old_member(display_name="Rob")
        ida = make_old_member(display_name="Ida")
        topic = make_topic(tess, make_category(), title="Fatigue and iron", body="Try iron tests",
                           members_only=True, replies=1, reply_author=rob, reply_body="Rob's reply words")
        return {"topic": topic.id, "post": first_post(topic).id, "tess": tess.id, "rob": rob.id,
                "ida": ida.email, "rob_email": rob.email, "tess_email": tess.email}


def test_a_bookmark_with_a_note_is_listed_only_for_its_owner(app, client, auth):
    ids = scene(app)
    auth.login(ids["ida"])
    response = client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "Ask Dr K in March"})
    assert response.status_code == 302
    page = client.get("/forum/bookmarks").get_data(as_text=True)
    assert "Fatigue and iron" in page and "Ask Dr K in March" in page
    assert "Bookmarked: change" in client.get(f"/forum/t/{ids['topic']}").get_data(as_text=True)
    auth.logout()
    auth.login(ids["rob_email"])
    assert "Ask Dr K" not in client.get("/forum/bookmarks").get_data(as_text=True)


def test_a_deleted_or_hidden_post_leaves_the_list(app, client, auth):
    ids = scene(app)
    auth.login(ids["ida"])
    client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "keep"})
    with app.app_context():
        db.session.get(Post, ids["post"]).hidden_at = utcnow()
        db.session.commit()
    assert "Fatigue and iron" not in client.get("/forum/bookmarks").get_data(as_text=True)
    with app.app_context():
        post = db.session.get(Post, ids["post"])
        post.hidden_at, post.deleted_at = None, utcnow()
        db.session.commit()
    assert "Fatigue and iron" not in client.get("/forum/bookmarks").get_data(as_text=True)


def test_bad_reminder_days_get_a_clear_message_and_the_note_stays(app, client, auth):
    ids = scene(app)
    auth.login(ids["ida"])
    for day, words in [("not a date", "Please enter a date like"), ("2001-01-01", "today or a later day"),
                       ((date.today() + timedelta(days=3000)).isoformat(), "within the next five years")]:
        response = client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "my note", "remind_on": day})
        assert response.status_code == 400, day
        assert words in unescape(response.get_data(as_text=True)), day
        assert "my note" in response.get_data(as_text=True)
    response = client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "x" * 501})
    assert response.status_code == 400


def test_the_reminder_goes_out_on_its_day_once_and_can_be_set_again(app, client, auth, runner):
    ids = scene(app)
    auth.login(ids["ida"])
    tomorrow = (utcnow() + timedelta(days=1)).date()
    client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "Bring to rheumatology",
                                                            "remind_on": tomorrow.isoformat()})
    with app.app_context():
        assert send_reminders() == 0  # not yet
        on_the_day = datetime.combine(tomorrow, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        assert send_reminders(on_the_day) == 1
        assert send_reminders(on_the_day) == 0  # once
    email = last_email(app, ids["ida"])
    assert "Bring to rheumatology" in email.body and "Fatigue and iron" in email.subject
    assert link_in(email, f"/forum/posts/{ids['post']}")
    # Choosing a day again asks for a new reminder; the cron command sends due ones.
    today = utcnow().date().isoformat()
    client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "again", "remind_on": today})
    result = runner.invoke(args=["forum", "send-bookmark-reminders"])
    assert "Queued 1 bookmark reminder." in result.output
    assert len(emails_to(app, ids["ida"])) == 2


def test_a_member_far_east_is_reminded_on_their_own_day(app):
    ids = scene(app)
    with app.app_context():
        ida = db.session.scalar(select(User).where(User.email == ids["ida"]))
        ida.time_zone = "Pacific/Auckland"  # UTC+13 in December
        db.session.add(Bookmark(user_id=ida.id, post_id=ids["post"], note="", remind_on=date(2026, 12, 4)))
        db.session.commit()
        assert send_reminders(datetime(2026, 12, 3, 9, 0, tzinfo=UTC)) == 0  # 22:00 on the 3rd there
        assert send_reminders(datetime(2026, 12, 3, 12, 0, tzinfo=UTC)) == 1  # 01:00 on the 4th


def test_removing_a_bookmark(app, client, auth):
    ids = scene(app)
    auth.login(ids["ida"])
    client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": ""})
    client.submit(f"/forum/posts/{ids['post']}/bookmark/remove", {}, page="/forum/bookmarks")
    with app.app_context():
        assert db.session.scalar(select(Bookmark)) is None


def test_an_ignored_members_posts_fold_and_they_do_not_notify(app, client, auth):
    ids = scene(app)
    auth.login(ids["ida"])
    client.submit(f"/forum/t/{ids['topic']}/watch", {"watch": "1"}, page=f"/forum/t/{ids['topic']}")
    response = client.submit(f"/forum/members/{ids['rob']}/ignore", {"ignore": "1"}, page=f"/members/{ids['rob']}")
    assert response.status_code == 302
    page = client.get(f"/forum/t/{ids['topic']}").get_data(as_text=True)
    assert "You ignore this member — show" in page
    assert page.count('<details class="post-folded">') == 1  # Rob's reply, not Tess's post
    assert "Rob's reply words" in unescape(page)  # still there, one tap away

    auth.logout()
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0
    auth.login(ids["rob_email"])
    client.submit(f"/forum/t/{ids['topic']}/reply", {"body": "Hello @Ida", "action": "post"})
    auth.logout()
    auth.login(ids["tess_email"])
    client.submit(f"/forum/t/{ids['topic']}/reply", {"body": "Tess replying", "action": "post"})
    with app.app_context():
        ida_id = db.session.scalar(select(User.id).where(User.email == ids["ida"]))
        actors = list(db.session.scalars(select(Notification.actor_id).where(Notification.user_id == ida_id)))
    assert actors == [ids["tess"]]  # Tess's reply notifies; Rob's mention and reply don't


def test_a_blocked_members_posts_fold_for_the_blocker(app, client, auth):
    ids = scene(app)
    with app.app_context():
        ida_id = db.session.scalar(select(User.id).where(User.email == ids["ida"]))
        db.session.add(MemberBlock(blocker_id=ida_id, blocked_id=ids["rob"]))
        db.session.commit()
    auth.login(ids["ida"])
    assert 'class="post-folded"' in client.get(f"/forum/t/{ids['topic']}").get_data(as_text=True)
    auth.logout()
    auth.login(ids["tess_email"])
    assert 'class="post-folded"' not in client.get(f"/forum/t/{ids['topic']}").get_data(as_text=True)


def test_staff_cannot_be_ignored(app, client, auth):
    with app.app_context():
        moderator = make_old_member(role="moderator").id
    auth.sign_in_as("member")
    assert client.submit(f"/forum/members/{moderator}/ignore", {"ignore": "1"},
                         page="/forum/bookmarks").status_code == 404


def test_export_and_deletion_cover_bookmarks_and_ignores(app, client, auth):
    from community.account.services import delete_account, export_data
    from tests.support.factories import PASSWORD

    ids = scene(app)
    auth.login(ids["ida"])
    client.submit(f"/forum/posts/{ids['post']}/bookmark", {"note": "mine"})
    client.submit(f"/forum/members/{ids['rob']}/ignore", {"ignore": "1"}, page=f"/members/{ids['rob']}")
    with app.app_context():
        ida = db.session.scalar(select(User).where(User.email == ids["ida"]))
        sections = export_data(ida)["sections"]
        assert sections["forum_bookmarks"][0]["note"] == "mine"
        assert sections["forum_ignores"][0]["ignored_id"] == ids["rob"]
        delete_account(ida, PASSWORD)
        assert db.session.scalar(select(Bookmark)) is None
