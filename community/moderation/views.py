"""Moderation pages: thin views over the community.moderation service modules."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.errors import ValidationFailed
from community.forms import ActionForm, choices
from community.models.moderation import ItemKind, ReportReason
from community.moderation import appeals as appeal_service
from community.moderation import forms, post_actions, reports, safety, staff_log, wording
from community.moderation import members as member_service
from community.moderation import queue as queue_service
from community.moderation import topic_tools as topic_service
from community.permissions import ADMIN, MEMBER, PUBLIC, STAFF, access
from community.views import local_path, page_number, show_error

bp = Blueprint("moderation", __name__)


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


# -- reports (members) ---------------------------------------------------------------------------

@bp.route("/report/post/<int:post_id>", methods=["GET", "POST"])
@access(MEMBER)
def report_post(post_id: int):
    post, topic = reports.report_target_post(current_user, post_id)
    form = forms.ReportForm()
    if form.validate_on_submit():
        try:
            reports.report_post(current_user, post_id, form.reason.data, form.note.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Thank you for telling us. A moderator will look at this post; "
                  "its author won't be told who reported it.", "success")
            if form.reason.data == ReportReason.MEMBER_AT_RISK:
                return redirect(url_for("moderation.support", next=url_for("forum.post", post_id=post_id),
                                        about="someone"))
            return redirect(url_for("forum.post", post_id=post_id))
    return render_template("moderation/report.html", form=form, post=post, topic=topic,
                           member=None), _status(form)


@bp.route("/report/member/<int:user_id>", methods=["GET", "POST"])
@access(MEMBER)
def report_member(user_id: int):
    member = reports.report_target_member(current_user, user_id)
    form = forms.ReportForm()
    if form.validate_on_submit():
        try:
            reports.report_member(current_user, user_id, form.reason.data, form.note.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Thank you for telling us. A moderator will look into it; "
                  "the member won't be told who reported them.", "success")
            return redirect(url_for("main.member_profile", user_id=user_id))
    return render_template("moderation/report.html", form=form, post=None, topic=None,
                           member=member), _status(form)


@bp.get("/support")
@access(PUBLIC)
def support():
    country = request.args.get("country") or safety.support_country(current_user)
    country, helplines = safety.crisis_resources(country)
    next_url = local_path(request.args.get("next"))
    return render_template("moderation/support.html", country=country, helplines=helplines,
                           next_url=next_url, about_someone=request.args.get("about") == "someone",
                           post_held=request.args.get("post") == "held",
                           message_sent=request.args.get("sent") == "message",
                           countries=sorted(safety.DEFAULT_RESOURCES.keys() - {"*"}))


# -- the review queue (staff) ------------------------------------------------------------------------

@bp.get("/")
@access(STAFF)
def queue():
    resolved = request.args.get("show") == "resolved"
    return render_template("moderation/queue.html", rows=queue_service.review_queue(current_user, resolved=resolved),
                           resolved=resolved, kinds=ItemKind)


def _item_page(item_id: int, form=None, status: int = 200):
    page = queue_service.get_item(current_user, item_id)
    form = form or forms.ResolveForm()
    form.action.choices = choices((a.value, a.label) for a in page.actions)
    if page.row.post is not None and not form.body.data:
        form.body.data = page.row.post.body_raw
    return render_template("moderation/item.html", page=page, item=page.row.item, form=form,
                           claim_form=ActionForm()), status


@bp.get("/items/<int:item_id>")
@access(STAFF)
def item(item_id: int):
    return _item_page(item_id)


@bp.post("/items/<int:item_id>/claim")
@access(STAFF)
def claim(item_id: int):
    if ActionForm().validate_on_submit():
        try:
            queue_service.claim(current_user, item_id)
        except ValidationFailed as error:
            flash(error.message, "error")
        else:
            flash("You have claimed this item.", "success")
    return redirect(url_for("moderation.item", item_id=item_id))


@bp.post("/items/<int:item_id>/resolve")
@access(STAFF)
def resolve(item_id: int):
    form = forms.ResolveForm()
    form.action.validate_choice = False  # the service decides which actions apply
    if form.validate_on_submit():
        try:
            item = queue_service.resolve(current_user, item_id, form.action.data, form.reason.data,
                                    days=form.days.data, body=form.body.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Escalated to the admins." if item.escalated_at and item.is_open
                  else "Done. The item is resolved and in the staff log.", "success")
            return redirect(url_for("moderation.queue"))
    return _item_page(item_id, form, 400)


# -- post and topic tools (staff) -------------------------------------------------------------------

def _post_page(post_id: int, edit_form=None, tool_form=None, status: int = 200):
    post, topic, author, revisions = post_actions.post_tools(current_user, post_id)
    edit_form = edit_form or forms.EditPostForm(body=post.body_raw)
    return render_template("moderation/post.html", post=post, topic=topic, author=author,
                           revisions=revisions, edit_form=edit_form,
                           tool_form=tool_form or forms.PostToolForm()), status


@bp.get("/posts/<int:post_id>")
@access(STAFF)
def post_tools(post_id: int):
    return _post_page(post_id)


@bp.post("/posts/<int:post_id>/act")
@access(STAFF)
def post_act(post_id: int):
    form = forms.PostToolForm()
    if form.validate_on_submit():
        try:
            post_actions.act_on_post(current_user, post_id, form.action.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Done, and noted in the staff log.", "success")
            return redirect(url_for("moderation.post_tools", post_id=post_id))
    return _post_page(post_id, tool_form=form, status=400)


@bp.post("/posts/<int:post_id>/edit")
@access(STAFF)
def post_edit(post_id: int):
    form = forms.EditPostForm()
    if form.validate_on_submit():
        try:
            post_actions.act_on_post(current_user, post_id, "edit", form.reason.data, body=form.body.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The post is edited; the earlier version is kept.", "success")
            return redirect(url_for("moderation.post_tools", post_id=post_id))
    return _post_page(post_id, edit_form=form, status=400)


def _topic_page(topic_id: int, status: int = 200, **given):
    topic, category, posts, categories = topic_service.get_topic(current_user, topic_id)
    move = given.get("move_form") or forms.MoveForm()
    move.category.choices = choices((c.id, c.name) for c in categories if c.id != topic.category_id)
    split = given.get("split_form") or forms.SplitForm(category=topic.category_id)
    split.category.choices = choices((c.id, c.name) for c in categories)
    split.posts.choices = choices((p.id, p.number) for p in posts if p.number > 1)
    return render_template("moderation/topic.html", topic=topic, category=category, posts=posts,
                           tool_form=given.get("tool_form") or forms.TopicToolForm(), move_form=move,
                           merge_form=given.get("merge_form") or forms.MergeForm(), split_form=split), status


@bp.get("/topics/<int:topic_id>")
@access(STAFF)
def topic_tools(topic_id: int):
    return _topic_page(topic_id)


@bp.post("/topics/<int:topic_id>/act")
@access(STAFF)
def topic_act(topic_id: int):
    form = forms.TopicToolForm()
    if form.validate_on_submit():
        try:
            topic_service.set_topic_state(current_user, topic_id, form.action.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Done, and noted in the staff log.", "success")
            return redirect(url_for("moderation.topic_tools", topic_id=topic_id))
    return _topic_page(topic_id, 400, tool_form=form)


@bp.post("/topics/<int:topic_id>/move")
@access(STAFF)
def topic_move(topic_id: int):
    form = forms.MoveForm()
    if form.validate_on_submit():
        try:
            topic_service.move_topic(current_user, topic_id, form.category.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The topic is moved.", "success")
            return redirect(url_for("moderation.topic_tools", topic_id=topic_id))
    return _topic_page(topic_id, 400, move_form=form)


@bp.post("/topics/<int:topic_id>/merge")
@access(STAFF)
def topic_merge(topic_id: int):
    form = forms.MergeForm()
    if form.validate_on_submit():
        try:
            target = topic_service.merge_topics(current_user, topic_id, form.target.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The topics are merged.", "success")
            return redirect(url_for("moderation.topic_tools", topic_id=target.id))
    return _topic_page(topic_id, 400, merge_form=form)


@bp.post("/topics/<int:topic_id>/split")
@access(STAFF)
def topic_split(topic_id: int):
    form = forms.SplitForm()
    if form.validate_on_submit():
        try:
            new = topic_service.split_topic(current_user, topic_id, form.posts.data, form.title.data,
                                       form.category.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The replies are moved into a new topic.", "success")
            return redirect(url_for("moderation.topic_tools", topic_id=new.id))
    return _topic_page(topic_id, 400, split_form=form)


# -- members (staff) --------------------------------------------------------------------------------

@bp.get("/members")
@access(STAFF)
def members():
    form = forms.MemberSearchForm(request.args)
    query = form.q.data if form.validate() else ""
    return render_template("moderation/members.html", form=form,
                           rows=member_service.find_members(current_user, query or ""))


def _member_page(user_id: int, form=None, status: int = 200):
    page = member_service.member_overview(current_user, user_id)
    return render_template("moderation/member.html", page=page, member=page.row.card,
                           form=form or forms.SanctionForm()), status


@bp.get("/members/<int:user_id>")
@access(STAFF)
def member(user_id: int):
    return _member_page(user_id)


@bp.post("/members/<int:user_id>/act")
@access(STAFF)
def member_act(user_id: int):
    form = forms.SanctionForm()
    if form.validate_on_submit():
        try:
            if form.action.data == "unsilence":
                target = member_service.lift_silence(current_user, user_id, form.reason.data)
            else:
                target = member_service.sanction_member(current_user, user_id, form.action.data,
                                                  form.reason.data, form.days.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash(f"Done: {target.display_name} is told why, and it is in the staff log.", "success")
            return redirect(url_for("moderation.member", user_id=user_id))
    return _member_page(user_id, form, 400)


# -- the staff log (staff) ------------------------------------------------------------------------------

@bp.get("/log")
@access(STAFF)
def log():
    form = forms.LogFilterForm(request.args)
    form.validate()
    page = page_number()
    result = staff_log.staff_log(current_user, moderator=form.moderator.data or None,
                                member=form.member.data or "", action=form.action.data or "", page=page)
    form.moderator.choices = choices([(0, "Anyone"), *result.moderators])
    form.action.choices = choices([("", "Any action"), *((a, wording.action_name(a)) for a in result.actions)])
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("moderation/log.html", form=form, result=result, page=page, filters=filters,
                           said=wording.describe(result.events))


# -- a member's own history and appeals -------------------------------------------------------------------

@bp.get("/history")
@access(MEMBER)
def history():
    return render_template("moderation/history.html", rows=appeal_service.my_history(current_user))


@bp.route("/history/<int:action_id>/appeal", methods=["GET", "POST"])
@access(MEMBER)
def appeal(action_id: int):
    try:
        action = appeal_service.appeal_target(current_user, action_id)
    except ValidationFailed as error:
        flash(error.message, "info")
        return redirect(url_for("moderation.history"))
    form = forms.AppealForm()
    if form.validate_on_submit():
        try:
            appeal_service.appeal(current_user, action_id, form.message.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Your appeal is sent. An admin will look at it and you'll get an email.", "success")
            return redirect(url_for("moderation.history"))
    return render_template("moderation/appeal.html", form=form, action=action), _status(form)


@bp.get("/appeals")
@access(ADMIN)
def appeals():
    return render_template("moderation/appeals.html", rows=appeal_service.list_appeals(current_user))


@bp.route("/appeals/<int:appeal_id>", methods=["GET", "POST"])
@access(ADMIN)
def decide_appeal(appeal_id: int):
    row = appeal_service.get_appeal(current_user, appeal_id)
    form = forms.DecideAppealForm()
    if form.validate_on_submit():
        try:
            appeal_service.decide_appeal(current_user, appeal_id, form.decision.data, form.reason.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The appeal is decided and the member is told.", "success")
            return redirect(url_for("moderation.appeals"))
    return render_template("moderation/decide_appeal.html", row=row, form=form), _status(form)


# -- watched words and crisis resources (admins) -------------------------------------------------------------

@bp.route("/words", methods=["GET", "POST"])
@access(ADMIN)
def words():
    form = forms.WatchedWordForm()
    if form.validate_on_submit():
        try:
            safety.add_word(current_user, form.phrase.data, form.action.data, form.message.data,
                              form.replacement.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The word is watched from now on.", "success")
            return redirect(url_for("moderation.words"))
    return render_template("moderation/words.html", form=form, words=safety.list_words(current_user),
                           remove_form=ActionForm()), _status(form)


@bp.post("/words/<int:word_id>/remove")
@access(ADMIN)
def remove_word(word_id: int):
    if ActionForm().validate_on_submit():
        safety.remove_word(current_user, word_id)
        flash("The word is no longer watched.", "success")
    return redirect(url_for("moderation.words"))


@bp.route("/crisis-resources", methods=["GET", "POST"])
@access(ADMIN)
def resources():
    form = forms.CrisisResourceForm()
    if form.validate_on_submit():
        try:
            safety.add_resource(current_user, form.country.data, form.name.data, form.contact.data,
                                  form.url.data, form.position.data or 0)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("The helpline is added.", "success")
            return redirect(url_for("moderation.resources"))
    return render_template("moderation/resources.html", form=form,
                           resources=safety.list_resources(current_user),
                           defaults=safety.DEFAULT_RESOURCES, remove_form=ActionForm()), _status(form)


@bp.post("/crisis-resources/<int:resource_id>/remove")
@access(ADMIN)
def remove_resource(resource_id: int):
    if ActionForm().validate_on_submit():
        safety.remove_resource(current_user, resource_id)
        flash("The helpline is removed.", "success")
    return redirect(url_for("moderation.resources"))
