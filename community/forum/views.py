"""Forum pages: thin views over the community.forum modules (search is community.search)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import AnonymousUserMixin, current_user

from community.errors import NotFound, ValidationFailed
from community.forms import ActionForm
from community.forum import (
    bookmarks,
    categories,
    digests,
    drafts,
    following,
    forms,
    ignoring,
    listings,
    posting,
    reactions,
    reading,
)
from community.forum import notifications as forum_notifications
from community.models.forum import ReactionKind
from community.moderation.posting_hooks import after_posting
from community.pagecache import cached_for_visitors
from community.permissions import ADMIN, MEMBER, PUBLIC, STAFF, access
from community.views import page_number, show_error

bp = Blueprint("forum", __name__)


@bp.app_context_processor
def _forum_helpers():
    return {"forum_is_ignoring": lambda user_id: ignoring.is_ignoring(current_user, user_id),
            "reaction_kinds": list(ReactionKind)}


@bp.errorhandler(reading.MembersOnly)
def _members_only(_error):
    # Notification emails and timed-out sessions bring members here signed out: offer the way in.
    return render_template("forum/members_only.html"), 403


def _action() -> str:
    return request.form.get("action", "post")


# -- reading -------------------------------------------------------------------------

@bp.get("/")
@access(PUBLIC)
@cached_for_visitors
def index():
    return render_template("forum/index.html", categories=categories.list_categories(),
                           search_form=forms.SearchForm())


@bp.get("/latest")
@access(PUBLIC)
@cached_for_visitors
def latest():
    rows, next_cursor = listings.list_topics(current_user, cursor=request.args.get("after"))
    return render_template("forum/latest.html", rows=rows, next_cursor=next_cursor,
                           first_page=not request.args.get("after"))


@bp.get("/latest.atom")
@access(PUBLIC)
def feed():
    # Feeds are read by machines without a session: always the visitor's view.
    rows, _next = listings.list_topics(AnonymousUserMixin())
    body = render_template("forum/feed.xml", rows=rows)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/c/<slug>")
@access(PUBLIC)
@cached_for_visitors
def category(slug: str):
    category = categories.get_category(slug)
    rows, next_cursor = listings.list_topics(current_user, category=category,
                                             cursor=request.args.get("after"))
    return render_template("forum/category.html", category=category, rows=rows,
                           next_cursor=next_cursor, first_page=not request.args.get("after"),
                           watching=listings.category_watching(current_user, category),
                           action_form=ActionForm() if current_user.is_authenticated else None)


@bp.get("/t/<int:topic_id>")
@access(PUBLIC)
@cached_for_visitors
def topic(topic_id: int):
    page = reading.read_topic(current_user, topic_id, page_number())
    form = action_form = None
    # Forms hand out a CSRF token, which would make the page personal: visitors get none.
    if current_user.is_authenticated:
        form, action_form = forms.ReplyForm(), ActionForm()
        draft = drafts.get_draft(current_user, f"topic:{topic_id}")
        if draft is not None:
            form.body.data = draft.body
    return render_template("forum/topic.html", view=page, topic=page.topic, form=form,
                           action_form=action_form, folded=ignoring.folded_author_ids(current_user),
                           bookmarked=bookmarks.bookmarked_post_ids(current_user, [v.post.id for v in page.posts]))


@bp.get("/posts/<int:post_id>")
@access(PUBLIC)
def post(post_id: int):
    topic_id, page, number = reading.locate_post(current_user, post_id)
    return redirect(url_for("forum.topic", topic_id=topic_id, page=page if page > 1 else None,
                            _anchor=f"p{number}"))


@bp.get("/posts/<int:post_id>/history")
@access(STAFF)
def history(post_id: int):
    post, topic, revisions = reading.post_history(current_user, post_id)
    return render_template("forum/history.html", post=post, topic=topic, revisions=revisions)


# -- writing -------------------------------------------------------------------------

def _composer_step(form, draft_key: str, *, title_field: bool) -> str | None:
    """Handle Preview and Save draft presses; returns the preview HTML (or None)."""
    form.validate()
    if form.csrf_token.errors:
        return None
    for field in form:
        if field.name != "csrf_token":
            field.errors = []
    if _action() == "draft":
        try:
            drafts.save_draft(current_user, draft_key,
                                title=form.title.data if title_field else "",
                                body=form.body.data or "")
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Your draft is saved. It will be here when you come back.", "success")
        return None
    return posting.preview(form.body.data or "")


@bp.route("/c/<slug>/new", methods=["GET", "POST"])
@access(MEMBER)
def new_topic(slug: str):
    category = posting.composer_category(current_user, slug)
    draft_key = f"category:{category.id}"
    form = forms.TopicForm()
    preview_html = None
    if request.method == "GET":
        form.members_only.data = category.members_only_default
        draft = drafts.get_draft(current_user, draft_key)
        if draft is not None:
            form.title.data, form.body.data = draft.title, draft.body
    elif _action() in ("preview", "draft"):
        preview_html = _composer_step(form, draft_key, title_field=True)
    elif form.validate_on_submit():
        try:
            posted = posting.start_topic(current_user, slug, title=form.title.data,
                                         body=form.body.data, members_only=form.members_only.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return after_posting(posted.screening, "Your topic is posted.",
                                 url_for("forum.topic", topic_id=posted.topic.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("forum/new_topic.html", category=category, form=form,
                           draft_key=draft_key, preview_html=preview_html), status


@bp.route("/t/<int:topic_id>/reply", methods=["GET", "POST"])
@access(MEMBER)
def reply(topic_id: int):
    topic, category = posting.reply_context(current_user, topic_id)
    draft_key = f"topic:{topic.id}"
    form = forms.ReplyForm()
    preview_html = None
    if request.method == "GET":
        draft = drafts.get_draft(current_user, draft_key)
        body = draft.body if draft is not None else ""
        quote = request.args.get("quote", type=int)
        if quote:
            body = (body.rstrip() + "\n\n" if body.strip() else "") + posting.quote_markdown(
                current_user, quote, topic.id)
        form.body.data = body
    elif _action() in ("preview", "draft"):
        preview_html = _composer_step(form, draft_key, title_field=False)
    elif form.validate_on_submit():
        try:
            posted = posting.reply(current_user, topic_id, body=form.body.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return after_posting(posted.screening, "Your reply is posted.",
                                 url_for("forum.post", post_id=posted.post.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("forum/reply.html", topic=topic, category=category, form=form,
                           draft_key=draft_key, preview_html=preview_html), status


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@access(MEMBER)
def edit(post_id: int):
    post, topic = posting.get_post_for_edit(current_user, post_id)
    form = forms.EditPostForm()
    preview_html = None
    if request.method == "GET":
        form.body.data = post.body_raw
        form.title.data = topic.title if post.number == 1 else None
    elif _action() == "preview":
        form.validate()
        if not form.csrf_token.errors:
            form.title.errors, form.body.errors = [], []
            preview_html = posting.preview(form.body.data or "")
    elif form.validate_on_submit():
        try:
            posted = posting.edit_post(current_user, post_id, body=form.body.data,
                                         title=form.title.data if post.number == 1 else None)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return after_posting(posted.screening, "Your changes are saved.", url_for("forum.post", post_id=post_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("forum/edit.html", post=post, topic=topic, form=form,
                           preview_html=preview_html), status


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@access(MEMBER)
def delete(post_id: int):
    post, topic = posting.get_post_for_delete(current_user, post_id)
    form = ActionForm()
    if form.validate_on_submit():
        posting.delete_post(current_user, post_id)
        flash("Your post is deleted.", "success")
        return redirect(url_for("forum.post", post_id=post_id))
    return render_template("forum/delete.html", post=post, topic=topic, form=form)


@bp.post("/posts/<int:post_id>/react/<kind>")
@access(MEMBER)
def react(post_id: int, kind: str):
    if ActionForm().validate_on_submit():
        reactions.toggle_reaction(current_user, post_id, kind)
    else:
        flash("That didn't go through. Please try again.", "error")
    return redirect(url_for("forum.post", post_id=post_id))


@bp.post("/drafts")
@access(MEMBER)
def save_draft():
    form = forms.DraftForm()
    if not form.validate_on_submit():
        return jsonify(saved=False, message="Couldn't save the draft."), 400
    try:
        saved_at = drafts.save_draft(current_user, form.key.data, title=form.title.data or "",
                                       body=form.body.data or "")
    except ValidationFailed as error:
        return jsonify(saved=False, message=error.message), 400
    except NotFound:
        return jsonify(saved=False, message="Couldn't save the draft."), 404
    return jsonify(saved=True, saved_at=saved_at.isoformat(), message="Draft saved")


# -- following -----------------------------------------------------------------------

@bp.post("/t/<int:topic_id>/watch")
@access(MEMBER)
def watch_topic(topic_id: int):
    form = forms.WatchForm()
    if form.validate_on_submit():
        watch = form.watch.data == "1"
        following.set_topic_watch(current_user, topic_id, watch)
        flash("You'll be told about new replies here." if watch
              else "You won't be told about new replies here any more.", "success")
    return redirect(url_for("forum.topic", topic_id=topic_id))


@bp.post("/c/<slug>/watch")
@access(MEMBER)
def watch_category(slug: str):
    form = forms.WatchForm()
    if form.validate_on_submit():
        watch = form.watch.data == "1"
        category = following.set_category_watch(current_user, slug, watch)
        flash(f"You'll be told about new topics in {category.name}." if watch
              else f"You won't be told about new topics in {category.name} any more.", "success")
    return redirect(url_for("forum.category", slug=slug))


@bp.get("/notifications")
@access(MEMBER)
def notifications():
    items, has_more = forum_notifications.list_notifications(current_user, page_number())
    return render_template("forum/notifications.html", items=items, has_more=has_more,
                           page=page_number(), action_form=ActionForm())


@bp.post("/notifications/read")
@access(MEMBER)
def mark_read():
    if ActionForm().validate_on_submit():
        forum_notifications.mark_all_read(current_user)
        flash("All notifications are marked as read.", "success")
    return redirect(url_for("forum.notifications"))


@bp.route("/settings", methods=["GET", "POST"])
@access(MEMBER)
def settings():
    form = forms.SettingsForm(digest=digests.get_preferences(current_user).digest)
    if form.validate_on_submit():
        try:
            digests.set_digest(current_user, form.digest.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Your forum settings are saved.", "success")
            return redirect(url_for("forum.settings"))
    return render_template("forum/settings.html", form=form)


# -- bookmarks and ignoring ------------------------------------------------------------

@bp.route("/posts/<int:post_id>/bookmark", methods=["GET", "POST"])
@access(MEMBER)
def bookmark(post_id: int):
    post, topic, existing = bookmarks.bookmark_target(current_user, post_id)
    form = forms.BookmarkForm(obj=existing)
    if form.validate_on_submit():
        try:
            bookmarks.save_bookmark(current_user, post_id, note=form.note.data or "",
                                    remind_on=form.remind_on.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The post is in your bookmarks." + (" We'll email you a reminder on that day."
                                                      if form.remind_on.data else ""), "success")
            return redirect(url_for("forum.post", post_id=post_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("forum/bookmark.html", form=form, post=post, topic=topic, existing=existing,
                           action_form=ActionForm()), status


@bp.post("/posts/<int:post_id>/bookmark/remove")
@access(MEMBER)
def remove_bookmark(post_id: int):
    if ActionForm().validate_on_submit():
        bookmarks.remove_bookmark(current_user, post_id)
        flash("The bookmark is removed.", "success")
    else:
        flash("That didn't go through. Please try again.", "error")
    return redirect(url_for("forum.bookmarks"))


@bp.get("/bookmarks", endpoint="bookmarks")
@access(MEMBER)
def bookmarks_page():
    return render_template("forum/bookmarks.html", rows=bookmarks.list_bookmarks(current_user))


@bp.post("/members/<int:user_id>/ignore")
@access(MEMBER)
def ignore(user_id: int):
    ignored = request.form.get("ignore") == "1"
    if ActionForm().validate_on_submit():
        target = ignoring.set_ignore(current_user, user_id, ignored)
        flash(f"You ignore {target.display_name} now: their posts are folded away and they don't notify you. "
              "They are not told." if ignored else f"You no longer ignore {target.display_name}.", "success")
    else:
        flash("That didn't go through. Please try again.", "error")
    return redirect(url_for("main.member_profile", user_id=user_id))


# -- categories (admins) ------------------------------------------------------------

@bp.route("/categories/new", methods=["GET", "POST"])
@access(ADMIN)
def new_category():
    form = forms.CategoryForm()
    if form.validate_on_submit():
        try:
            category = categories.save_category(
                current_user, None, name=form.name.data, description=form.description.data,
                position=form.position.data, members_only_default=form.members_only_default.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash(f"The category {category.name} is added.", "success")
            return redirect(url_for("forum.category", slug=category.slug))
    return render_template("forum/category_form.html", form=form, category=None)


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
@access(ADMIN)
def edit_category(slug: str):
    category = categories.get_category(slug)
    form = forms.CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            categories.save_category(
                current_user, slug, name=form.name.data, description=form.description.data,
                position=form.position.data, members_only_default=form.members_only_default.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The category is saved.", "success")
            return redirect(url_for("forum.category", slug=slug))
    return render_template("forum/category_form.html", form=form, category=category)


from community.forum import seed  # noqa: E402,F401 - registers the seed loader
