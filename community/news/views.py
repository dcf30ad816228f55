"""Research news: reading, the feed, "check your eligibility", and writing for staff."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.db import utcnow
from community.errors import ValidationFailed
from community.forms import ActionForm
from community.news import forms, services
from community.pagecache import cached_for_visitors
from community.permissions import ADMIN, PUBLIC, STAFF, access
from community.views import page_number, show_error

bp = Blueprint("news", __name__)


@bp.get("/")
@access(PUBLIC)
@cached_for_visitors
def index():
    articles, has_more = services.list_published(page_number())
    return render_template("news/index.html", articles=articles, has_more=has_more, page=page_number())


@bp.get("/tags/<slug>")
@access(PUBLIC)
@cached_for_visitors
def tag(slug: str):
    label = services.tag_label(slug)
    articles, has_more = services.list_published(page_number(), tag=slug)
    return render_template("news/index.html", articles=articles, has_more=has_more, page=page_number(),
                           tag_slug=slug, tag_label=label)


@bp.get("/feed.atom")
@access(PUBLIC)
def feed():
    articles = services.feed_articles()
    updated = max((a.updated_at for a in articles), default=utcnow())
    body = render_template("news/feed.xml", articles=articles, updated=updated)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/<slug>")
@access(PUBLIC)
@cached_for_visitors
def article(slug: str):
    item = services.get_for_reading(current_user, slug)
    return render_template("news/article.html", article=item, author=services.author_name(item),
                           trials=services.linked_trials(item))


@bp.get("/check/<nct_id>")
@access(PUBLIC)
def check_eligibility(nct_id: str):
    """Where "check your eligibility" leads: join, consent, or the explained result."""
    step = services.eligibility_step(current_user, nct_id)
    here = url_for("news.check_eligibility", nct_id=nct_id)
    if step == "join":
        return redirect(url_for("auth.register", trial=nct_id, next=here))
    if step == "consent":
        return redirect(url_for("trials.consent", trial=nct_id, next=here))
    return redirect(url_for("trials.trial", nct_id=nct_id, _anchor="you-heading"))


# -- writing (admins, and moderators an admin allows) -----------------------------------------

@bp.get("/write/")
@access(STAFF)
def write_index():
    return render_template("news/write_index.html", articles=services.writer_dashboard(current_user),
                           action_form=ActionForm())


def _edit_page(form, item=None, status=200):
    return render_template("news/edit.html", form=form, article=item,
                           action_form=ActionForm(), link_form=forms.LinkDiscussionForm()), status


@bp.route("/write/new", methods=["GET", "POST"])
@access(STAFF)
def write_new():
    services.writer_dashboard(current_user)  # 404 for staff not allowed to write
    form = forms.ArticleForm()
    if form.validate_on_submit():
        try:
            item = services.save_article(current_user, None, **_article_fields(form))
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Draft saved. Publish it when it's ready.", "success")
            return redirect(url_for("news.edit", article_id=item.id))
    return _edit_page(form)


def _form_for(item) -> forms.ArticleForm:
    """The edit form filled from a saved article."""
    return forms.ArticleForm(data={
        "title": item.title, "summary": item.summary, "body": item.body_raw,
        "tags": ", ".join(t.label for t in item.tags), "trials": "\n".join(item.nct_ids),
        "hero_image": item.hero_image or "", "hero_alt": item.hero_alt})


def _article_fields(form) -> dict:
    return {"title": form.title.data, "summary": form.summary.data, "body": form.body.data,
            "tags": form.tags.data or "", "trials": form.trials.data or "",
            "hero_image": form.hero_image.data or None, "hero_alt": form.hero_alt.data or ""}


@bp.route("/write/<int:article_id>", methods=["GET", "POST"])
@access(STAFF)
def edit(article_id: int):
    item = services.get_for_editing(current_user, article_id)
    form = forms.ArticleForm() if request.method == "POST" else _form_for(item)
    if form.validate_on_submit():
        try:
            services.save_article(current_user, article_id, **_article_fields(form))
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Article saved.", "success")
            return redirect(url_for("news.edit", article_id=article_id))
    return _edit_page(form, item)


@bp.post("/write/<int:article_id>/publish")
@access(STAFF)
def publish(article_id: int):
    if ActionForm().validate_on_submit():
        item = services.set_published(current_user, article_id, True)
        flash("Published. It's now on the news page and in the feed.", "success")
        return redirect(url_for("news.article", slug=item.slug))
    return redirect(url_for("news.edit", article_id=article_id))


@bp.post("/write/<int:article_id>/unpublish")
@access(STAFF)
def unpublish(article_id: int):
    if ActionForm().validate_on_submit():
        services.set_published(current_user, article_id, False)
        flash("Taken back to draft. Only writers can see it now.", "success")
    return redirect(url_for("news.edit", article_id=article_id))


@bp.get("/write/<int:article_id>/history")
@access(STAFF)
def history(article_id: int):
    item, revisions = services.history(current_user, article_id)
    return render_template("news/history.html", article=item, revisions=revisions)


@bp.post("/write/<int:article_id>/discussion")
@access(STAFF)
def open_discussion(article_id: int):
    if ActionForm().validate_on_submit():
        services.open_discussion(current_user, article_id)
        flash("A public discussion topic is open for this article.", "success")
    return redirect(url_for("news.edit", article_id=article_id))


@bp.post("/write/<int:article_id>/discussion/link")
@access(STAFF)
def link_discussion(article_id: int):
    item = services.get_for_editing(current_user, article_id)
    form = forms.LinkDiscussionForm()
    if form.validate_on_submit():
        try:
            services.link_discussion(current_user, article_id, form.topic_id.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The article now points to that discussion.", "success")
            return redirect(url_for("news.edit", article_id=article_id))
    return render_template("news/edit.html", form=_form_for(item), article=item,
                           action_form=ActionForm(), link_form=form), 400


@bp.route("/writers", methods=["GET", "POST"])
@access(ADMIN)
def writers():
    form = forms.WriterForm()
    if form.validate_on_submit():
        allowed = request.form.get("allow") == "1"
        try:
            member = services.set_writer(current_user, form.user_id.data, allowed)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash(f"{member.display_name} {'can now' if allowed else 'can no longer'} write articles.",
                  "success")
        return redirect(url_for("news.writers"))
    status = 200
    if form.is_submitted():  # the buttons send a member's id: only a tampered form fails
        flash("That change didn't go through. Please use the buttons on this page.", "error")
        status = 400
    allowed, others = services.list_writers(current_user)
    return render_template("news/writers.html", allowed=allowed, others=others), status

