"""A member's own account: profile, privacy, email change, export and deletion."""

import json

from sqlalchemy import func, select

from community.db import db
from community.models import AuditEvent, OutboxMessage, User
from tests.conftest import AuthActions
from tests.support.factories import PASSWORD, make_user
from tests.support.observe import last_email, link_in


def test_member_edits_their_profile_and_it_shows_publicly(app, client, auth):
    user_id = auth.sign_in_as(display_name="Maya")
    response = client.submit("/account/profile", {
        "display_name": "Maya R", "pronouns": "she/her", "bio": "Gardener.\nTea drinker.",
        "living_with_lupus_since": "2016", "time_zone": "America/Chicago"})
    assert response.status_code == 302
    page = client.get(f"/members/{user_id}").get_data(as_text=True)
    assert "Maya R" in page and "she/her" in page and "Living with lupus since 2016" in page


def test_profile_rejects_bad_input_beside_the_field_and_keeps_what_was_saved(app, client, auth):
    user_id = auth.sign_in_as(display_name="Maya")
    with app.app_context():
        make_user(display_name="Sam")
    page = client.submit("/account/profile", {
        "display_name": "Sam", "bio": "x" * 501, "living_with_lupus_since": "3020",
        "time_zone": "UTC"}).get_data(as_text=True)
    assert "Please keep it under 500 characters." in page
    assert "not in the future" in page
    page = client.submit("/account/profile", {"display_name": "sam", "time_zone": "UTC"}).get_data(as_text=True)
    assert "That display name is taken" in page
    page = client.submit("/account/profile", {"display_name": "Maya", "living_with_lupus_since": "soon",
                                              "time_zone": "UTC"}).get_data(as_text=True)
    assert "Please enter a year" in page or "Not a valid integer value." in page
    with app.app_context():
        assert db.session.get(User, user_id).display_name == "Maya"


def test_privacy_setting_hides_the_lupus_year_from_the_public_page(app, client, auth):
    user_id = auth.sign_in_as(living_with_lupus_since=2011)
    assert "Living with lupus since 2011" in client.get(f"/members/{user_id}").get_data(as_text=True)
    client.submit("/account/privacy", {})  # box unticked
    assert "Living with lupus since" not in app.test_client().get(f"/members/{user_id}").get_data(as_text=True)


def test_public_profile_never_shows_the_email_address(app, client, auth):
    user_id = auth.sign_in_as(email="private@example.org")
    assert "private@example.org" not in app.test_client().get(f"/members/{user_id}").get_data(as_text=True)
    assert app.test_client().get("/members/999999").status_code == 404


def test_email_change_waits_for_the_new_address_to_confirm(app, client, auth):
    user_id = auth.sign_in_as(email="old@example.org")
    response = client.submit("/account/email", {"email": "New@Example.org", "current_password": PASSWORD})
    assert response.status_code == 302
    assert "asked to change its email address" in last_email(app, "old@example.org").body
    with app.app_context():
        assert db.session.get(User, user_id).email == "old@example.org"
    client.get(link_in(last_email(app, "new@example.org"), "/account/confirm-email/"))
    with app.app_context():
        assert db.session.get(User, user_id).email == "new@example.org"


def test_email_change_needs_the_password_and_does_not_reveal_taken_addresses(app, client, auth):
    auth.sign_in_as(email="old@example.org")
    page = client.submit("/account/email", {"email": "new@example.org", "current_password": "nope"})
    assert "That password isn" in page.get_data(as_text=True)
    with app.app_context():
        make_user(email="taken@example.org")
    response = client.submit("/account/email", {"email": "taken@example.org", "current_password": PASSWORD})
    assert response.status_code == 302  # same answer as for a free address
    with app.app_context():
        sent_to_taken = db.session.scalar(select(func.count(OutboxMessage.id))
                                          .where(OutboxMessage.recipient == "taken@example.org"))
    assert sent_to_taken == 0


def test_export_is_a_json_download_of_the_members_data_without_secrets(app, client, auth):
    auth.sign_in_as(display_name="Maya", bio="Hello")
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    account = document["sections"]["account"][0]
    assert account["display_name"] == "Maya" and account["bio"] == "Hello"
    assert "password_hash" not in account and "session_token" not in account


def test_deleting_the_account_needs_the_password_and_the_tick(app, client, auth):
    user_id = auth.sign_in_as()
    page = client.submit("/account/delete", {"current_password": "wrong", "confirm": "y"}).get_data(as_text=True)
    assert "That password isn" in page
    page = client.submit("/account/delete", {"current_password": PASSWORD}).get_data(as_text=True)
    assert "Please tick the box" in page
    with app.app_context():
        assert db.session.get(User, user_id) is not None


def test_deleting_the_account_erases_it_and_signs_out(app, client, auth):
    user_id = auth.sign_in_as(email="gone@example.org")
    response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id) is None
        assert db.session.scalar(select(func.count(OutboxMessage.id))
                                 .where(OutboxMessage.recipient == "gone@example.org")) == 0
    assert client.get("/account/").status_code == 302
    assert AuthActions(app, client).login("gone@example.org").status_code == 200


def test_staff_log_rows_about_a_deleted_member_are_kept(app, client, auth):
    user_id = auth.sign_in_as()
    with app.app_context():
        admin = make_user(role="admin")
        from community.admin.services import set_role
        set_role(admin, user_id, "moderator", "trusted helper")
    client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


# -- deleting the account: the member's forum posts ------------------------------------------------

def _forum_scene(app, me_id: int) -> dict:
    """Topics around a leaving member: their replies, a topic others answered, one nobody did."""
    from community.models.forum import Post, PostRevision
    from tests.support.forum import first_post, make_category, make_old_member, make_topic

    with app.app_context():
        me, other = db.session.get(User, me_id), make_old_member(display_name="Stays")
        c = make_category()
        private = make_topic(other, c, members_only=True, title="Bad days", replies=1, reply_author=me,
                             reply_body="Some days I just want to die")
        mine_answered = make_topic(me, c, members_only=True, title="Hair loss on methotrexate",
                                   body="My hair falls out", replies=1, reply_author=other,
                                   reply_body="Mine too, it grew back")
        mine_alone = make_topic(me, c, members_only=True, title="My kidney biopsy", body="Results today")
        public = make_topic(other, c, members_only=False, title="Garden tips", replies=1, reply_author=me,
                            reply_body="Shade helps my rash")
        my_reply = db.session.scalar(select(Post).where(Post.topic_id == private.id, Post.number == 2))
        db.session.add(PostRevision(post_id=my_reply.id, editor_id=me_id, body_raw="Earlier words",
                                    body_html="<p>Earlier words</p>", written_at=my_reply.created_at))
        db.session.commit()
        return {"private": private.id, "private_first": first_post(private).id, "answered": mine_answered.id,
                "alone": mine_alone.id, "public": public.id, "my_reply": my_reply.id}


def _posts(app, topic_id: int) -> list:
    from community.models.forum import Post

    with app.app_context():
        rows = db.session.execute(select(Post.number, Post.author_id, Post.body_raw, Post.deleted_at,
                                         Post.deleted_by_author).where(Post.topic_id == topic_id)
                                  .order_by(Post.number)).all()
        return [tuple(r) for r in rows]


def test_the_delete_form_offers_to_delete_members_only_posts_and_ticks_it(app, client, auth):
    _forum_scene(app, auth.sign_in_as())
    page = client.get("/account/delete").get_data(as_text=True)
    assert 'checked id="delete_members_only_posts"' in page
    assert 'id="delete_public_posts" name="delete_public_posts" type="checkbox" value="y">' in page
    assert "You have 3 posts there." in page and "You have 1 post there." in page


def test_deleting_the_account_with_members_only_posts_deletes_them_and_keeps_others_replies(app, client, auth):
    from community.forum.members import DELETED_TOPIC_TITLE
    from community.models.forum import PostRevision, Topic

    me = auth.sign_in_as()
    ids = _forum_scene(app, me)
    response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y",
                                                  "delete_members_only_posts": "y"})
    assert response.status_code == 302
    (first, _other, intro, _, _), (n, author, body, deleted_at, by_author) = _posts(app, ids["private"])
    assert intro == "Opening post" and n == 2 and author is None and body == "" and deleted_at and by_author
    answered = _posts(app, ids["answered"])
    assert answered[0][2] == "" and answered[0][4] and answered[1][2] == "Mine too, it grew back"
    assert _posts(app, ids["public"])[1][1:4] == (None, "Shade helps my rash", None)  # public: kept
    with app.app_context():
        private, kept, alone = (db.session.get(Topic, ids[k]) for k in ("private", "answered", "alone"))
        assert private.reply_count == 0 and kept.reply_count == 1
        assert kept.title == "Hair loss on methotrexate" and kept.hidden_at is None
        assert alone.title == DELETED_TOPIC_TITLE and alone.hidden_at is not None
        assert db.session.scalar(select(func.count(PostRevision.id))) == 0
    with app.app_context():
        reader_email = make_user().email
    reader = app.test_client()
    AuthActions(app, reader).login(reader_email)
    page = reader.get(f"/forum/t/{ids['private']}").get_data(as_text=True)
    assert "This post was deleted by its author." in page and "want to die" not in page
    assert reader.get(f"/forum/t/{ids['alone']}").status_code == 404
    assert "want to die" not in reader.get("/forum/search?q=die").get_data(as_text=True)


def test_deleting_the_account_can_delete_public_posts_only(app, client, auth):
    ids = _forum_scene(app, auth.sign_in_as())
    client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y", "delete_public_posts": "y"})
    _n, _author, body, deleted_at, by_author = _posts(app, ids["public"])[1]
    assert body == "" and deleted_at and by_author
    assert _posts(app, ids["private"])[1][1:3] == (None, "Some days I just want to die")  # kept, anonymous
    assert "Shade helps" not in app.test_client().get("/forum/search?q=shade").get_data(as_text=True)


def test_a_first_sign_in_is_not_welcomed_back(app, client):
    with app.app_context():
        email = make_user(display_name="Newcomer").email
    AuthActions(app, client).login(email)
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Newcomer." in page and "Welcome back" not in page
    AuthActions(app, client).logout()
    AuthActions(app, client).login(email)
    assert "Welcome back, Newcomer." in client.get("/").get_data(as_text=True)
