"""Forums through the test client, CSRF on: writing, reading, following, visibility."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.db import db
from community.models import User
from community.models.forum import (
    Category,
    Draft,
    ForumPreference,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicWatch,
)
from tests.support.factories import PASSWORD, make_user
from tests.support.forum import first_post, make_category, make_old_member, make_topic
from tests.support.observe import counting_statements, emails_to


@pytest.fixture(autouse=True)
def no_cooldown(app):
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 0


@pytest.fixture
def category(app):
    with app.app_context():
        c = make_category(name="Symptoms & flares")
        return c.slug, c.id


def html(response) -> str:
    return response.get_data(as_text=True)


def sign_in_old(auth, **fields) -> int:
    """Sign in a member past the first-day limits; returns their id."""
    with auth.app.app_context():
        user = make_old_member(**fields)
        user_id, email = user.id, user.email
    assert auth.login(email).status_code == 302
    return user_id


# -- starting topics and replying ---------------------------------------------------

def test_member_starts_a_members_only_topic_and_it_is_listed(app, client, auth, category):
    slug, _ = category
    sign_in_old(auth, display_name="Maya")
    response = client.submit(f"/forum/c/{slug}/new", {
        "title": "Anyone else lose hair on mycophenolate?", "body": "It is *falling out*.",
        "members_only": "y", "action": "post"})
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        post = first_post(topic)
        assert topic.members_only is True and topic.last_number == 1
        assert post.body_html == "<p>It is <em>falling out</em>.</p>\n"
        assert db.session.scalar(select(Category.topic_count)) == 1
        assert db.session.scalar(select(TopicWatch.user_id)) == topic.author_id  # author follows it
        topic_id = topic.id
    # The author has read their own topic: no "New" badge for them.
    assert "badge-new" not in html(client.get(f"/forum/c/{slug}"))
    page = html(client.get(f"/forum/t/{topic_id}"))
    assert "Anyone else lose hair on mycophenolate?" in page
    assert '<meta name="robots" content="noindex">' in page
    assert "Anyone else lose hair" in html(client.get(f"/forum/c/{slug}"))
    assert "Anyone else lose hair" in html(client.get("/forum/latest"))


def test_new_topic_form_defaults_to_the_categorys_visibility(app, client, auth):
    with app.app_context():
        health = make_category(members_only_default=True).slug
        chat = make_category(members_only_default=False).slug
    sign_in_old(auth)

    def ticked(page: str) -> bool:
        tag = re.search(r'<input[^>]*id="members_only"[^>]*>', page).group(0)
        return " checked" in tag

    assert ticked(html(client.get(f"/forum/c/{health}/new")))
    assert not ticked(html(client.get(f"/forum/c/{chat}/new")))


def test_invalid_topic_keeps_what_was_typed_and_stores_nothing(app, client, auth, category):
    slug, _ = category
    sign_in_old(auth)
    long_body = "Three paragraphs of careful writing about my flare & fatigue <3"
    response = client.submit(f"/forum/c/{slug}/new", {"title": "Hm", "body": long_body, "action": "post"})
    assert response.status_code == 400
    page = html(response)
    assert "Please write a title between 5 and 150 characters." in page
    assert "Three paragraphs of careful writing about my flare &amp; fatigue &lt;3" in page
    assert 'value="Hm"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Topic.id))) == 0
        assert db.session.scalar(select(func.count(Post.id))) == 0


def test_blank_body_made_of_spaces_is_refused_beside_the_field(app, client, auth, category):
    slug, _ = category
    sign_in_old(auth)
    response = client.submit(f"/forum/c/{slug}/new", {"title": "A fine title", "body": "   \n  ",
                                                      "action": "post"})
    assert response.status_code == 400
    assert 'id="body-error"' in html(response)


def test_preview_shows_rendered_text_and_saves_nothing(app, client, auth, category):
    slug, _ = category
    sign_in_old(auth)
    response = client.submit(f"/forum/c/{slug}/new", {"title": "", "body": "**Brain fog** today",
                                                      "action": "preview"})
    page = html(response)
    assert response.status_code == 200
    assert "<strong>Brain fog</strong> today" in page
    assert "**Brain fog** today</textarea>" in page  # the composer still holds the raw text
    assert "Please give your topic a title" not in page  # preview doesn't nag
    with app.app_context():
        assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_save_draft_button_keeps_text_until_the_topic_is_posted(app, client, auth, category):
    slug, category_id = category
    sign_in_old(auth)
    client.submit(f"/forum/c/{slug}/new", {"title": "Half a title", "body": "Half a thought",
                                           "action": "draft"})
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        assert (draft.key, draft.title, draft.body) == (f"category:{category_id}", "Half a title", "Half a thought")
    page = html(client.get(f"/forum/c/{slug}/new"))
    assert 'value="Half a title"' in page and "Half a thought</textarea>" in page
    client.submit(f"/forum/c/{slug}/new", {"title": "Half a title", "body": "Whole thought",
                                           "action": "post"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_autosave_endpoint_needs_the_csrf_header_and_saves_the_draft(app, client, auth, category):
    _, category_id = category
    sign_in_old(auth)
    token = client.csrf_token("/forum/")
    refused = client.post("/forum/drafts", data={"key": f"category:{category_id}", "body": "x"})
    assert refused.status_code == 400
    saved = client.post("/forum/drafts", data={"key": f"category:{category_id}", "title": "T",
                                               "body": "Autosaved words"},
                        headers={"X-CSRFToken": token})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    with app.app_context():
        assert db.session.scalar(select(Draft.body)) == "Autosaved words"
    nowhere = client.post("/forum/drafts", data={"key": "topic:999999", "body": "x"},
                          headers={"X-CSRFToken": token})
    assert nowhere.status_code == 404


def test_reply_quoting_and_mentioning_notifies_both_ways(app, client, auth):
    with app.app_context():
        c = make_category()
        alice = make_old_member(display_name="Alice Moon")
        topic = make_topic(alice, c, members_only=True, body="My joints ache every morning")
        topic_id, post_id, alice_id = topic.id, first_post(topic).id, alice.id
    bob_id = sign_in_old(auth, display_name="Bob")
    composer = html(client.get(f"/forum/t/{topic_id}/reply?quote={post_id}"))
    assert f"&gt; **Alice Moon** [wrote](/forum/posts/{post_id}):" in composer
    quote = f"> **Alice Moon** [wrote](/forum/posts/{post_id}):\n>\n> My joints ache every morning\n\n"
    response = client.submit(f"/forum/t/{topic_id}/reply",
                             {"body": quote + "Mine too, @Alice Moon. Warm showers help.", "action": "post"})
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalar(select(Post).where(Post.number == 2))
        assert f'<a href="/members/{alice_id}" class="mention"' in reply.body_html
        assert "<blockquote>" in reply.body_html
        notes = db.session.execute(select(Notification.user_id, Notification.kind)).all()
        # One notification per member per post: the mention wins over the quote and the reply.
        assert notes == [(alice_id, "mention")]
        assert db.session.scalar(select(Topic.reply_count)) == 1
    # Alice sees the count in the header, and reading the topic clears it.
    client.submit("/auth/logout", page="/account/")
    with app.app_context():
        email = db.session.get(User, alice_id).email
    auth.login(email)
    assert 'class="nav-count">1<' in html(client.get("/"))
    listing = html(client.get("/forum/notifications"))
    assert "Bob</span> mentioned you in" in listing  # the name in its own direction (dir=auto)
    client.get(f"/forum/t/{topic_id}")
    assert "nav-count" not in html(client.get("/"))
    assert bob_id


def test_quote_only_notifies_the_quoted_author_with_kind_quote(app, client, auth):
    with app.app_context():
        c = make_category()
        alice = make_old_member(display_name="Alice")
        topic = make_topic(alice, c)
        db.session.execute(TopicWatch.__table__.delete())
        db.session.commit()
        topic_id, post_id, alice_id = topic.id, first_post(topic).id, alice.id
    sign_in_old(auth)
    client.submit(f"/forum/t/{topic_id}/reply", {
        "body": f"> **Alice** [wrote](/forum/posts/{post_id}):\n> hello\n\nAgreed.", "action": "post"})
    with app.app_context():
        assert db.session.execute(select(Notification.user_id, Notification.kind)).all() == [(alice_id, "quote")]


def test_watchers_hear_about_replies_but_never_about_their_own(app, client, auth):
    with app.app_context():
        c = make_category()
        author = make_old_member()
        watcher = make_old_member()
        topic = make_topic(author, c)
        db.session.add_all([TopicWatch(user_id=author.id, topic_id=topic.id),
                            TopicWatch(user_id=watcher.id, topic_id=topic.id)])
        db.session.commit()
        topic_id, author_email, watcher_id = topic.id, author.email, watcher.id
    auth.login(author_email)
    client.submit(f"/forum/t/{topic_id}/reply", {"body": "An update from me", "action": "post"})
    with app.app_context():
        assert db.session.execute(select(Notification.user_id, Notification.kind)).all() == [(watcher_id, "reply")]


def test_category_watchers_hear_about_new_topics(app, client, auth, category):
    slug, category_id = category
    with app.app_context():
        watcher = make_old_member()
        watcher_email = watcher.id, watcher.email
    auth.login(watcher_email[1])
    client.submit(f"/forum/c/{slug}/watch", {"watch": "1"}, page=f"/forum/c/{slug}")
    assert "Following this category" in html(client.get(f"/forum/c/{slug}"))
    client.submit("/auth/logout", page="/account/")
    sign_in_old(auth)
    client.submit(f"/forum/c/{slug}/new", {"title": "A new question", "body": "Hello", "action": "post"})
    with app.app_context():
        assert db.session.execute(select(Notification.user_id, Notification.kind)).all() == [
            (watcher_email[0], "new_topic")]


def test_unwatching_a_topic_stops_reply_notifications(app, client, auth):
    with app.app_context():
        c = make_category()
        topic = make_topic(make_old_member(), c)
        topic_id = topic.id
    me = sign_in_old(auth)
    client.submit(f"/forum/t/{topic_id}/watch", {"watch": "1"}, page=f"/forum/t/{topic_id}")
    with app.app_context():
        assert db.session.scalar(select(TopicWatch.id).where(TopicWatch.user_id == me)) is not None
    client.submit(f"/forum/t/{topic_id}/watch", {"watch": "0"}, page=f"/forum/t/{topic_id}")
    with app.app_context():
        assert db.session.scalar(select(TopicWatch.id).where(TopicWatch.user_id == me)) is None


# -- editing and deleting -------------------------------------------------------------

def test_author_edits_and_moderators_see_the_history(app, client, auth):
    with app.app_context():
        c = make_category()
        me = make_old_member(display_name="Writer")
        topic = make_topic(me, c, title="Original title", body="First version")
        post_id, topic_id, email = first_post(topic).id, topic.id, me.email
    auth.login(email)
    form = html(client.get(f"/forum/posts/{post_id}/edit"))
    assert 'value="Original title"' in form and "First version</textarea>" in form
    response = client.submit(f"/forum/posts/{post_id}/edit", {"title": "Better title",
                                                               "body": "Second version", "action": "post"})
    assert response.status_code == 302
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post.body_raw == "Second version" and post.edit_count == 1 and post.edited_at
        assert db.session.get(Topic, topic_id).title == "Better title"
        revision = db.session.scalar(select(PostRevision))
        assert (revision.body_raw, revision.title) == ("First version", "Original title")
    assert client.get(f"/forum/posts/{post_id}/history").status_code == 404  # not for the author
    client.submit("/auth/logout", page="/account/")
    auth.sign_in_as("moderator")
    history = html(client.get(f"/forum/posts/{post_id}/history"))
    assert "First version" in history and "Second version" in history and "Original title" in history
    assert "Edit history (1)" in html(client.get(f"/forum/t/{topic_id}"))


def test_nobody_else_can_edit_or_delete_a_post(app, client, auth):
    with app.app_context():
        topic = make_topic(make_old_member(), make_category())
        post_id = first_post(topic).id
    auth.sign_in_as("admin")
    assert client.get(f"/forum/posts/{post_id}/edit").status_code == 404
    assert client.submit(f"/forum/posts/{post_id}/edit", {"body": "hijack", "action": "post"},
                         page="/account/").status_code == 404
    assert client.submit(f"/forum/posts/{post_id}/delete", page="/account/").status_code == 404
    with app.app_context():
        assert db.session.get(Post, post_id).body_raw == "Opening post"


def test_author_soft_deletes_a_reply_and_it_leaves_page_and_search(app, client, auth):
    with app.app_context():
        me = make_old_member()
        topic = make_topic(make_old_member(), make_category(), replies=0)
        topic_id, email = topic.id, me.email
    auth.login(email)
    client.submit(f"/forum/t/{topic_id}/reply", {"body": "Quinoa salad helps my butterfly rash",
                                                 "action": "post"})
    assert "Quinoa" in html(client.get("/forum/search?q=quinoa"))
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.number == 2))
    assert "Delete your post?" in html(client.get(f"/forum/posts/{post_id}/delete"))
    response = client.submit(f"/forum/posts/{post_id}/delete")
    assert response.status_code == 302
    page = html(client.get(f"/forum/t/{topic_id}"))
    assert "This post was deleted by its author." in page and "Quinoa" not in page
    assert "Quinoa" not in html(client.get("/forum/search?q=quinoa"))
    with app.app_context():
        assert db.session.get(Topic, topic_id).reply_count == 0
        assert db.session.get(Post, post_id).deleted_at is not None


# -- reactions ------------------------------------------------------------------------------

def test_reactions_are_one_of_each_kind_per_member_and_toggle(app, client, auth):
    with app.app_context():
        topic = make_topic(make_old_member(), make_category())
        post_id, topic_id = first_post(topic).id, topic.id
    auth.sign_in_as("member")
    url = f"/forum/posts/{post_id}/react/hugs"
    client.submit(url, page=f"/forum/t/{topic_id}")
    client.submit(f"/forum/posts/{post_id}/react/helpful", page=f"/forum/t/{topic_id}")
    page = html(client.get(f"/forum/t/{topic_id}"))
    assert re.search(r'aria-pressed="true">\s*Hugs <span class="reaction-count">1</span>', page)
    with app.app_context():
        assert db.session.scalar(select(func.count(Reaction.id))) == 2
    client.submit(url, page=f"/forum/t/{topic_id}")  # pressing again takes the hug back
    with app.app_context():
        assert db.session.scalar(select(func.count(Reaction.id))) == 1
    assert client.submit(f"/forum/posts/{post_id}/react/love", page=f"/forum/t/{topic_id}").status_code == 404


def test_members_cannot_react_to_their_own_posts(app, client, auth):
    with app.app_context():
        me = make_old_member()
        topic = make_topic(me, make_category())
        post_id, topic_id, email = first_post(topic).id, topic.id, me.email
    auth.login(email)
    assert 'class="reaction"' not in html(client.get(f"/forum/t/{topic_id}"))
    assert client.submit(f"/forum/posts/{post_id}/react/helpful", page=f"/forum/t/{topic_id}").status_code == 404


# -- visibility ----------------------------------------------------------------------------

def test_members_only_topic_is_invisible_to_visitors_everywhere(app, client):
    with app.app_context():
        c = make_category()
        author = make_old_member()
        secret = make_topic(author, c, members_only=True, title="Private worries about prednisone",
                            body="Moonface and sleeplessness")
        make_topic(author, c, members_only=False, title="Public gardening chat", body="Tomatoes")
        secret_id, post_id, slug = secret.id, first_post(secret).id, c.slug
    for path in [f"/forum/t/{secret_id}", f"/forum/posts/{post_id}"]:
        response = client.get(path)  # it exists, but only its existence shows, with a way in
        body = html(response)
        assert response.status_code == 403 and "This topic is for members. Sign in to read it." in body
        assert "Private worries" not in body and "sleeplessness" not in body
    assert client.get(f"/forum/t/{secret_id}?page=2").status_code == 403
    for page in [f"/forum/c/{slug}", "/forum/latest", "/forum/latest.atom", "/forum/search?q=moonface",
                 "/forum/search?q=prednisone"]:
        body = html(client.get(page))
        assert "Private worries" not in body and "sleeplessness" not in body, page
    assert "Public gardening chat" in html(client.get(f"/forum/c/{slug}"))
    assert "Public gardening chat" in html(client.get("/forum/latest.atom"))
    assert "Tomatoes" in html(client.get("/forum/search?q=tomatoes"))


def test_public_topics_are_indexable_and_members_only_are_not(app, client, auth):
    with app.app_context():
        c = make_category()
        public = make_topic(make_old_member(), c, members_only=False).id
        private = make_topic(make_old_member(), c, members_only=True).id
    assert 'name="robots"' not in html(client.get(f"/forum/t/{public}"))
    auth.sign_in_as("member")
    assert '<meta name="robots" content="noindex">' in html(client.get(f"/forum/t/{private}"))


def test_hidden_topics_and_posts_are_for_staff_only(app, client, auth):
    from community.db import utcnow

    with app.app_context():
        c = make_category()
        topic = make_topic(make_old_member(), c, title="A hidden argument", body="hidden words here")
        topic.hidden_at = utcnow()
        db.session.commit()
        topic_id = topic.id
    auth.sign_in_as("member")
    assert client.get(f"/forum/t/{topic_id}").status_code == 404
    assert "hidden" not in html(client.get("/forum/search?q=hidden+words")).split("<main")[1].split("</form>")[1]
    client.submit("/auth/logout", page="/account/")
    auth.sign_in_as("moderator")
    assert client.get(f"/forum/t/{topic_id}").status_code == 200


def test_a_signed_out_member_on_a_members_only_topic_signs_in_and_lands_on_it(app, client):
    with app.app_context():
        topic = make_topic(make_old_member(), make_category(), members_only=True, title="Fatigue tips")
        topic_id, post_id = topic.id, first_post(topic).id
        reader = make_user().email
    page = html(client.get(f"/forum/posts/{post_id}"))  # as linked from a notification email
    sign_in = re.search(r'<a class="button button-primary" href="([^"]+)">Sign in</a>', page).group(1)
    assert sign_in == f"/auth/login?next=/forum/posts/{post_id}"
    assert f'href="/auth/register?next=/forum/posts/{post_id}">Join free</a>' in page  # new members come back too
    response = client.submit(sign_in.replace("&amp;", "&"), {"email": reader, "password": PASSWORD})
    assert response.headers["Location"] == f"/forum/posts/{post_id}"
    assert "Fatigue tips" in html(client.get(f"/forum/t/{topic_id}"))


def test_a_hidden_members_only_topic_is_not_revealed_to_visitors(app, client):
    from community.db import utcnow

    with app.app_context():
        topic = make_topic(make_old_member(), make_category(), members_only=True)
        topic.hidden_at = utcnow()
        db.session.commit()
        topic_id, post_id = topic.id, first_post(topic).id
    for path in [f"/forum/t/{topic_id}", f"/forum/posts/{post_id}"]:
        response = client.get(path)
        assert response.status_code == 404 and "for members" not in html(response)


def test_the_header_sign_in_link_comes_back_to_the_page(app, client):
    with app.app_context():
        slug = make_category().slug
    page = html(client.get(f"/forum/c/{slug}?after=x"))
    assert f'href="/auth/login?next=/forum/c/{slug}?after%3Dx">Sign in</a>' in page
    login = html(client.get("/auth/login?next=/forum/latest"))
    assert 'href="/auth/login?next=/forum/latest">Sign in</a>' in login  # not a loop back to sign-in
    evil = html(client.get("/auth/login?next=//elsewhere.example"))
    assert 'href="/auth/login">Sign in</a>' in evil


def test_words_members_write_take_their_own_direction(app, client, auth):
    with app.app_context():
        author = make_old_member(display_name="سارة", bio="أعيش مع الذئبة منذ 2015")
        topic = make_topic(author, make_category(), title="التعب في الصباح", body="كل صباح أتعب")
        topic_id, author_id = topic.id, author.id
    page = html(client.get(f"/forum/t/{topic_id}"))
    assert '<h1 dir="auto">التعب في الصباح</h1>' in page
    assert '<div class="post-body" dir="auto"><p>كل صباح أتعب</p>' in page
    assert re.search(r'dir="auto">سارة</a>', page)
    assert '<p class="bio" dir="auto">أعيش مع الذئبة منذ 2015</p>' in html(client.get(f"/members/{author_id}"))
    assert 'dir="auto">التعب في الصباح</a>' in html(client.get("/forum/latest"))
    auth.sign_in_as("member")
    reply_box = re.search(r"<textarea[^>]*>", html(client.get(f"/forum/t/{topic_id}"))).group(0)
    assert 'dir="auto"' in reply_box


# -- reading: pagination and unread ----------------------------------------------------------

def test_deep_pages_are_served_by_post_number(app, client, auth):
    with app.app_context():
        topic = make_topic(make_old_member(), make_category(), replies=44)
        topic_id = topic.id
    page3 = html(client.get(f"/forum/t/{topic_id}?page=3"))
    assert 'id="p41"' in page3 and 'id="p45"' in page3 and 'id="p40"' not in page3
    assert client.get(f"/forum/t/{topic_id}?page=4").status_code == 404
    assert client.get(f"/forum/t/{topic_id}?page=-3").status_code == 200  # treated as page 1
    location = client.get("/forum/posts/" + str(_post_id(app, topic_id, 43))).headers["Location"]
    assert location.endswith(f"/forum/t/{topic_id}?page=3#p43")


def _post_id(app, topic_id, number):
    with app.app_context():
        return db.session.scalar(select(Post.id).where(Post.topic_id == topic_id, Post.number == number))


def test_unread_markers_follow_what_the_member_has_read(app, client, auth):
    with app.app_context():
        c = make_category()
        topic = make_topic(make_old_member(), c, replies=2, title="Sun sensitivity")
        topic_id, slug = topic.id, c.slug
        other_email = make_old_member().email
    me_email = None
    with app.app_context():
        me_email = make_old_member().email
    auth.login(me_email)
    assert re.search(r'Sun sensitivity</a>\s*<span class="badge badge-new">New', html(client.get(f"/forum/c/{slug}")))
    client.get(f"/forum/t/{topic_id}")
    listing = html(client.get(f"/forum/c/{slug}"))
    assert "badge-new" not in listing and "unread" not in listing
    client.submit("/auth/logout", page="/account/")
    auth.login(other_email)
    client.submit(f"/forum/t/{topic_id}/reply", {"body": "SPF 50 every day", "action": "post"})
    client.submit("/auth/logout", page="/account/")
    auth.login(me_email)
    assert "1 unread" in html(client.get(f"/forum/c/{slug}"))
    page = html(client.get(f"/forum/t/{topic_id}"))
    assert re.search(r'id="p4".*?badge badge-new', page, re.S)


def test_latest_pages_with_a_cursor_and_ignores_a_broken_one(app, client):
    with app.app_context():
        c = make_category()
        author = make_old_member()
        from datetime import timedelta
        for i in range(35):
            make_topic(author, c, title=f"Topic {i:02d}", age=timedelta(hours=100 - i))
    first = html(client.get("/forum/latest"))
    assert "Topic 34" in first and "Topic 04" not in first
    cursor = re.search(r'href="/forum/latest\?after=([^"]+)"', first).group(1)
    second = html(client.get(f"/forum/latest?after={cursor}"))
    assert "Topic 04" in second and "Topic 34" not in second
    assert client.get("/forum/latest?after=not-a-cursor").status_code == 200
    assert client.get("/forum/latest?after=99999999999999999999.1").status_code == 200


def test_header_counts_only_unread_notifications_the_member_can_open(app, auth):
    from community.db import utcnow
    from community.forum.notifications import list_notifications, unread_notification_count

    with app.app_context():
        c = make_category()
        author = make_old_member()
        visible = make_topic(author, c, replies=5)
        hidden_topic = make_topic(author, c, replies=1)
        hidden_topic.hidden_at = utcnow()
        posts = {p.number: p for p in db.session.scalars(select(Post).where(Post.topic_id == visible.id))}
        posts[3].hidden_at = utcnow()
        posts[4].deleted_at = utcnow()
        db.session.commit()
    member_id = sign_in_old(auth)
    with app.app_context():
        member = db.session.get(User, member_id)
        moderator = make_old_member(role="moderator")
        for reader in (member, moderator):
            for number in (2, 3, 4, 5):
                db.session.add(Notification(user_id=reader.id, kind="reply", topic_id=visible.id,
                                            post_id=posts[number].id, actor_id=author.id))
            db.session.add(Notification(user_id=reader.id, kind="reply", topic_id=hidden_topic.id,
                                        post_id=first_post(hidden_topic).id, actor_id=author.id))
        db.session.add(Notification(user_id=member.id, kind="reply", topic_id=visible.id,
                                    post_id=posts[6].id, actor_id=author.id, read_at=utcnow()))
        db.session.commit()
        # The member: replies 2 and 5 (3 is hidden, 4 deleted, the other topic hidden, 6 read).
        assert unread_notification_count(member) == 2
        assert len([n for n in list_notifications(member)[0] if n.notification.read_at is None]) == 2
        # Staff may open hidden posts and topics, never deleted ones.
        assert unread_notification_count(moderator) == 4


# -- search -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    '"', '""', "'", "-", "--flare", "AND", "OR", "NOT", "a AND", "(", ")", "((fatigue", "fatigue)",
    "*", "NEAR(", "col:fatigue", "^fatigue", "🦋", "🦋 fatigue", "   ", "%", "_", "\\", "x" * 600,
    "fatigue -rash", '"unbalanced', "{}", "[]", "title:rash", "<script>", "&amp;", "ǅ ß ﬁ",
    "the", "\x00", "SELECT * FROM users",
])
def test_any_search_input_is_answered_without_error(app, client, query):
    with app.app_context():
        make_topic(make_old_member(), make_category(), title="Fatigue and rash", body="fatigue rash notes")
    response = client.get("/forum/search", query_string={"q": query})
    assert response.status_code == 200


def test_search_ranks_highlights_and_escapes(app, client):
    with app.app_context():
        c = make_category()
        author = make_old_member()
        make_topic(author, c, title="Fatigue after methotrexate", body="Fatigue fatigue every week <b>bold</b>")
        make_topic(author, c, title="Garden update", body="The roses and one mention of fatigue")
    page = html(client.get("/forum/search?q=fatigue"))
    assert page.index("Fatigue after methotrexate") < page.index("Garden update")
    assert "<mark>" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page or "bold" in page
    assert "<b>bold</b>" not in page


def test_search_finds_words_in_titles_and_replies(app, client):
    with app.app_context():
        topic = make_topic(make_old_member(), make_category(), title="Hydroxychloroquine eye checks",
                           replies=1, reply_body="My optician found nothing at all")
        assert topic.id
    assert "Hydroxychloroquine eye checks" in html(client.get("/forum/search?q=hydroxychloroquine"))
    assert "optician" in html(client.get("/forum/search?q=optician"))


def test_searching_from_the_newest_posts_outward_finds_what_searching_everything_finds(app, monkeypatch):
    from flask_login import AnonymousUserMixin

    from community.search import forum as forum_search

    with app.app_context():
        c = make_category()
        author, member = make_old_member(), make_old_member()
        make_topic(author, c, title="Pacing for beginners", replies=30, reply_body="pacing note {n}")
        make_topic(author, c, title="Garden", replies=30, reply_body="roses {n} and one pacing idea")
        make_topic(author, c, title="Members talk", members_only=True, replies=10, reply_body="pacing {n}")
        make_topic(author, c, title="Quiet", replies=40, reply_body="nothing to see {n}")
        make_topic(author, c, title="Rare", body="a single voclosporin question")

        def found(viewer, query, page=1):
            results, more = forum_search.search(viewer, query, page)
            return [r.post_id for r in results], more

        cases = [(viewer, query, page) for viewer in (AnonymousUserMixin(), member)
                 for query in ("pacing", "voclosporin", "roses pacing") for page in (1, 2)]
        for candidates in (5, 25, 1000):
            monkeypatch.setattr(forum_search, "CANDIDATES", candidates)
            monkeypatch.setattr(forum_search, "RECENT_POSTS", 10**9)
            everything = [found(*case) for case in cases]
            monkeypatch.setattr(forum_search, "RECENT_POSTS", 3)
            assert [found(*case) for case in cases] == everything, candidates
        assert everything[0][0], "the comparison must be over real results"

        # A common word stops at the first window; a rare one widens until it has searched everything.
        monkeypatch.setattr(forum_search, "CANDIDATES", 5)
        monkeypatch.setattr(forum_search, "RECENT_POSTS", 50)  # members-only "pacing" replies are in it
        with counting_statements(app) as common:
            found(member, "pacing")
        with counting_statements(app) as rare:
            found(member, "voclosporin")
        assert len(common) == 2  # the newest post's id, then one window
        assert len(rare) > len(common)  # how many more depends on the ids the database gave out


# -- limits --------------------------------------------------------------------------------

def test_posting_cooldown_keeps_the_text_and_says_how_long(app, client, auth):
    app.config["FORUM_POST_COOLDOWN_SECONDS"] = 60
    with app.app_context():
        topic_id = make_topic(make_old_member(), make_category()).id
    sign_in_old(auth)
    assert client.submit(f"/forum/t/{topic_id}/reply", {"body": "first", "action": "post"}).status_code == 302
    response = client.submit(f"/forum/t/{topic_id}/reply", {"body": "second thoughts", "action": "post"})
    assert response.status_code == 400
    assert "Please wait" in html(response) and "second thoughts</textarea>" in html(response)


def test_new_members_have_first_day_limits_and_staff_do_not(app, client, auth, category):
    slug, _ = category
    auth.sign_in_as("member")  # joined just now
    for n in range(3):
        assert client.submit(f"/forum/c/{slug}/new", {"title": f"Question {n}", "body": "hi",
                                                      "action": "post"}).status_code == 302
    response = client.submit(f"/forum/c/{slug}/new", {"title": "Question 4", "body": "hi", "action": "post"})
    assert response.status_code == 400 and "New members can start 3 topics" in html(response)
    links = client.submit(f"/forum/t/{_any_topic(app)}/reply", {
        "body": "see https://a.example and https://b.example and www.c.example", "action": "post"})
    assert links.status_code == 400 and "up to 2 links" in html(links)
    client.submit("/auth/logout", page="/account/")
    auth.sign_in_as("moderator")
    for n in range(4):
        assert client.submit(f"/forum/c/{slug}/new", {"title": f"Staff note {n}", "body": "hi",
                                                      "action": "post"}).status_code == 302


def _any_topic(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Topic.id).limit(1))


def test_new_members_reply_limit_is_configurable(app, client, auth):
    app.config["FORUM_NEW_MEMBER_REPLIES_PER_DAY"] = 2
    with app.app_context():
        topic_id = make_topic(make_old_member(), make_category()).id
    auth.sign_in_as("member")
    for n in range(2):
        assert client.submit(f"/forum/t/{topic_id}/reply", {"body": f"r{n}", "action": "post"}).status_code == 302
    response = client.submit(f"/forum/t/{topic_id}/reply", {"body": "r3", "action": "post"})
    assert response.status_code == 400 and "2 replies on their first day" in html(response)


# -- profile, account deletion, digests, categories ------------------------------------------------

def test_profile_shows_post_count_and_no_health_data(app, client):
    with app.app_context():
        author = make_old_member(display_name="Counted")
        c = make_category()
        make_topic(author, c, replies=2)
        author_id = author.id
    page = html(client.get(f"/members/{author_id}"))
    assert "3 forum posts" in page


def test_deleting_an_account_anonymises_posts_and_erases_the_rest(app, client, auth):
    with app.app_context():
        c = make_category()
        other = make_old_member()
        topic = make_topic(other, c, replies=0)
        topic_id, post_id = topic.id, first_post(topic).id
    me = sign_in_old(auth, display_name="Leaving Soon")
    client.submit(f"/forum/t/{topic_id}/reply", {"body": "My goodbye post", "action": "post"})
    client.submit(f"/forum/posts/{post_id}/react/hugs", page=f"/forum/t/{topic_id}")
    client.submit("/forum/settings", {"digest": "weekly"})
    client.submit(f"/forum/c/{c.slug}/new", {"title": "Half", "body": "unfinished", "action": "draft"})
    response = client.submit("/account/delete", {"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, me) is None
        reply = db.session.scalar(select(Post).where(Post.number == 2))
        assert reply.author_id is None and reply.body_raw == "My goodbye post"
        for model in (Reaction, Draft, ForumPreference, TopicWatch):
            column = model.user_id
            assert db.session.scalar(select(func.count()).select_from(model).where(column == me)) == 0
        assert db.session.get(Topic, topic_id).last_poster_id is None
    assert "a former member" in html(client.get(f"/forum/t/{topic_id}"))


def test_digest_command_emails_unread_notifications_once(app, runner):
    with app.app_context():
        reader = make_user(display_name="Reader")
        topic = make_topic(make_old_member(display_name="Writer"), make_category(),
                           title="Cold hands in winter", replies=1)
        reply_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 2))
        db.session.add(Notification(user_id=reader.id, kind="reply", topic_id=topic.id, post_id=reply_id,
                                    actor_id=topic.author_id))
        db.session.add(ForumPreference(user_id=reader.id, digest="daily"))
        db.session.commit()
        email = reader.email
    result = runner.invoke(args=["forum", "send-digests", "--frequency", "daily"])
    assert result.exit_code == 0 and "Queued 1 daily digest email." in result.output
    messages = emails_to(app, email)
    assert len(messages) == 1
    assert 'Writer replied in "Cold hands in winter"' in messages[0].body
    assert f"/forum/posts/{reply_id}" in messages[0].body
    assert runner.invoke(args=["forum", "send-digests"]).output.startswith("Queued 0")
    assert len(emails_to(app, email)) == 1


def test_admin_adds_and_edits_a_category_and_members_cannot(app, client, auth):
    auth.sign_in_as("member")
    assert client.get("/forum/categories/new").status_code == 404
    client.submit("/auth/logout", page="/account/")
    auth.sign_in_as("admin")
    response = client.submit("/forum/categories/new", {"name": "Pregnancy & lupus", "description": "Planning",
                                                       "position": "5", "members_only_default": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/forum/c/pregnancy-lupus")
    client.submit("/forum/c/pregnancy-lupus/edit", {"name": "Pregnancy and lupus", "description": "x",
                                                    "position": "6"})
    with app.app_context():
        category = db.session.scalar(select(Category))
        assert (category.name, category.position, category.members_only_default) == ("Pregnancy and lupus", 6, False)
    clash = client.submit("/forum/categories/new", {"name": "pregnancy and lupus", "position": "1"})
    assert clash.status_code == 200 and "already exists" in html(clash)


def test_seeding_categories_is_idempotent(app):
    from community.forum.seed import CATEGORIES, load_categories

    with app.app_context():
        assert load_categories() == len(CATEGORIES) == 10
        assert load_categories() == 0
        names = set(db.session.scalars(select(Category.name)))
        assert {"Newly diagnosed", "Lupus nephritis", "Off-topic"} <= names
        assert db.session.scalar(select(Category.members_only_default).where(
            Category.slug == "symptoms-and-flares")) is True


def test_demo_forum_loads_twice_without_duplicates(app):
    from community.demo import load_demo

    with app.app_context():
        load_demo()
        count = db.session.scalar(select(func.count(Topic.id)))
        load_demo()
        assert count >= 3 and db.session.scalar(select(func.count(Topic.id))) == count
        assert db.session.scalar(select(Topic.id).where(
            Topic.title == "Anyone else lose hair on mycophenolate?")) is not None


@pytest.mark.parametrize("path", ["/forum/t/99999999999", "/forum/posts/99999999999",
                                  "/forum/posts/99999999999/edit", "/forum/t/99999999999/reply",
                                  "/forum/t/0"])
def test_absurd_ids_are_simply_not_found(app, client, auth, path):
    auth.sign_in_as("member")
    assert client.get(path).status_code == 404


def test_absurd_quote_and_draft_ids_are_harmless(app, client, auth):
    with app.app_context():
        topic_id = make_topic(make_old_member(), make_category()).id
    auth.sign_in_as("member")
    assert client.get(f"/forum/t/{topic_id}/reply?quote=99999999999").status_code == 200
    token = client.csrf_token("/forum/")
    response = client.post("/forum/drafts", data={"key": "category:9999999999", "body": "x"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 404


def test_header_count_ignores_notifications_about_posts_since_deleted(app, client, auth):
    with app.app_context():
        c = make_category()
        me = make_old_member()
        topic = make_topic(make_old_member(), c, replies=2)
        posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id, Post.number > 1)).all()
        for post in posts:
            db.session.add(Notification(user_id=me.id, kind="reply", topic_id=topic.id, post_id=post.id))
        from community.db import utcnow

        posts[0].deleted_at = utcnow()
        db.session.commit()
        email = me.email
    auth.login(email)
    assert 'class="nav-count">1<' in html(client.get("/"))


def test_pinned_topics_lead_their_category_but_not_latest(app, client):
    from datetime import timedelta

    from community.db import utcnow

    with app.app_context():
        c = make_category()
        author = make_old_member()
        make_topic(author, c, title="Fresh chatter", age=timedelta(minutes=5))
        old = make_topic(author, c, title="Read this first: how we talk here", age=timedelta(days=30))
        old.pinned_at = utcnow()
        db.session.commit()
        slug = c.slug
    page = html(client.get(f"/forum/c/{slug}"))
    assert page.index("Read this first") < page.index("Fresh chatter")
    assert page.count("Read this first") == 1
    latest = html(client.get("/forum/latest"))
    assert latest.index("Fresh chatter") < latest.index("Read this first")


# -- held posts: the one rule, in the topic, the listings and search ------------------------

def test_an_author_sees_their_own_held_topic_listed_and_found_marked_as_waiting_and_nobody_else_does(
        app, category):
    from tests.support.moderation import client_for

    slug, _ = category
    app.config["MODERATION_HOLD_FIRST_POSTS"] = 1
    with app.app_context():
        newcomer = make_user(display_name="Newcomer")
        reader, moderator = make_old_member(display_name="Reader"), make_user(role="moderator")
        emails = newcomer.email, reader.email, moderator.email
    author = client_for(app, emails[0])
    response = author.submit(f"/forum/c/{slug}/new", {"title": "Butterfly rash and sunscreen",
                                                      "body": "Which sunscreen works for you?",
                                                      "action": "post"}, page=f"/forum/c/{slug}/new")
    assert response.status_code == 302
    for path in ["/forum/latest", f"/forum/c/{slug}"]:
        listing = html(author.get(path))
        assert "Butterfly rash and sunscreen" in listing and "Waiting for review" in listing
        assert "Butterfly rash and sunscreen" not in html(client_for(app, emails[1]).get(path))
        assert "Butterfly rash and sunscreen" not in html(app.test_client().get(path))
        assert "Butterfly rash and sunscreen" in html(client_for(app, emails[2]).get(path))
    assert "Butterfly rash and sunscreen" in html(author.get("/forum/search?q=sunscreen"))
    assert "Butterfly rash and sunscreen" not in html(client_for(app, emails[1]).get("/forum/search?q=sunscreen"))
    assert "Butterfly rash and sunscreen" in html(client_for(app, emails[2]).get("/forum/search?q=sunscreen"))
