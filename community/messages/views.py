"""Private message pages: thin views over community.messages.services."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.errors import ValidationFailed
from community.forms import ActionForm
from community.messages import forms, services
from community.models.moderation import ReportReason
from community.moderation import screening
from community.moderation.forms import ReportForm
from community.permissions import MEMBER, access
from community.views import requested_next, show_error

bp = Blueprint("messages", __name__, cli_group="messages")


@bp.app_context_processor
def _message_helpers():
    return {"messages_has_blocked": lambda user_id: services.has_blocked(current_user, user_id)}


def _after_sending(message, flash_text: str, url: str):
    """Back to the conversation; helplines first when the sender wrote about harming themselves.

    Private words stay private: moderators are not told, and the support page says so.
    """
    flash(flash_text, "success")
    verdict = screening.verdict_of(message)
    if verdict is not None and verdict.crisis:
        return redirect(url_for("moderation.support", next=url, sent="message"))
    return redirect(url)


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


@bp.get("/")
@access(MEMBER)
def inbox():
    return render_template("messages/inbox.html", rows=services.inbox(current_user))


@bp.route("/new", methods=["GET", "POST"])
@access(MEMBER)
def new():
    form = forms.NewConversationForm()
    try:
        services.ensure_may_start(current_user)
    except ValidationFailed as error:
        return render_template("messages/new.html", form=None, refusal=error.message), 403
    if request.method == "GET":
        form.to.data = services.composer_recipient(current_user, request.args.get("to", type=int))
    elif form.validate_on_submit():
        try:
            message = services.start_conversation(current_user, to=form.to.data, subject=form.subject.data,
                                                  body=form.body.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _after_sending(message, "Your message is sent.",
                                 url_for("messages.conversation", conversation_id=message.conversation_id))
    return render_template("messages/new.html", form=form, refusal=None), _status(form)


def _conversation_page(conversation_id: int, form: forms.ReplyForm, status: int = 200):
    page = services.read_conversation(current_user, conversation_id, request.args.get("page", type=int))
    return render_template("messages/conversation.html", view=page, form=form,
                           action_form=ActionForm()), status


@bp.get("/<int:conversation_id>")
@access(MEMBER)
def conversation(conversation_id: int):
    return _conversation_page(conversation_id, forms.ReplyForm())


@bp.post("/<int:conversation_id>/reply")
@access(MEMBER)
def reply(conversation_id: int):
    form = forms.ReplyForm()
    if form.validate_on_submit():
        try:
            message = services.reply(current_user, conversation_id, body=form.body.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return _after_sending(message, "Your reply is sent.",
                                 url_for("messages.conversation", conversation_id=conversation_id,
                                         _anchor=f"m{message.id}"))
    # What they wrote stays in the box, with the reason beside it.
    return _conversation_page(conversation_id, form, 400)


@bp.post("/<int:conversation_id>/leave")
@access(MEMBER)
def leave(conversation_id: int):
    if ActionForm().validate_on_submit():
        services.leave(current_user, conversation_id)
        flash("You have left the conversation. It is no longer in your messages.", "success")
        return redirect(url_for("messages.inbox"))
    flash("That didn't go through. Please try again.", "error")
    return redirect(url_for("messages.conversation", conversation_id=conversation_id))


@bp.route("/m/<int:message_id>/report", methods=["GET", "POST"])
@access(MEMBER)
def report(message_id: int):
    message, conversation, sender_name = services.report_target(current_user, message_id)
    back = url_for("messages.conversation", conversation_id=conversation.id, _anchor=f"m{message.id}")
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report_message(current_user, message_id, form.reason.data, form.note.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Thank you for telling us. A moderator will see this message and up to 10 before it, "
                  "nothing else of the conversation. The sender won't be told who reported it.", "success")
            if form.reason.data == ReportReason.MEMBER_AT_RISK:
                return redirect(url_for("moderation.support", next=back, about="someone"))
            return redirect(back)
    return render_template("messages/report.html", form=form, message=message, conversation=conversation,
                           sender_name=sender_name, back=back), _status(form)


@bp.post("/block/<int:user_id>")
@access(MEMBER)
def block(user_id: int):
    form = ActionForm()
    blocked = request.form.get("block") == "1"
    if form.validate_on_submit():
        target = services.set_block(current_user, user_id, blocked)
        flash(f"You have blocked {target.display_name}. They can't send you new messages, and they are not told."
              if blocked else f"{target.display_name} can send you messages again.", "success")
    else:
        flash("That didn't go through. Please try again.", "error")
    return redirect(requested_next() or url_for("main.member_profile", user_id=user_id))


@bp.route("/settings", methods=["GET", "POST"])
@access(MEMBER)
def settings():
    form = forms.SettingsForm()
    if request.method == "GET":
        form.email_new_messages.data = services.wants_email(current_user)
    elif form.validate_on_submit():
        services.set_wants_email(current_user, form.email_new_messages.data)
        flash("Your message settings are saved.", "success")
        return redirect(url_for("messages.settings"))
    return render_template("messages/settings.html", form=form, action_form=ActionForm(),
                           blocked=services.blocked_members(current_user)), _status(form)
