"""A member's own settings, data export and account deletion."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from community.account import forms, services
from community.errors import ValidationFailed
from community.forms import ActionForm
from community.forum import members as forum_members
from community.permissions import MEMBER, access
from community.security import sign_out, start_session
from community.views import show_error

bp = Blueprint("account", __name__)


@bp.get("/")
@access(MEMBER)
def settings():
    return render_template("account/settings.html", action_form=ActionForm())


@bp.route("/profile", methods=["GET", "POST"])
@access(MEMBER)
def profile():
    form = forms.ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, display_name=form.display_name.data,
                                    pronouns=form.pronouns.data, bio=form.bio.data,
                                    living_with_lupus_since=form.living_with_lupus_since.data,
                                    time_zone=form.time_zone.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form)


@bp.route("/privacy", methods=["GET", "POST"])
@access(MEMBER)
def privacy():
    form = forms.PrivacyForm(obj=current_user)
    if form.validate_on_submit():
        services.update_privacy(current_user, show_lupus_since=form.show_lupus_since.data)
        flash("Your privacy settings are saved.", "success")
        return redirect(url_for("account.privacy"))
    return render_template("account/privacy.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@access(MEMBER)
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            # Every other device is signed out; this one continues on the new token.
            start_session()
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("account.settings"))
    return render_template("account/password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@access(MEMBER)
def change_email():
    form = forms.ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.email.data, form.current_password.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            flash("We've sent a confirmation link to the new address. "
                  "Your email changes once you follow it.", "success")
            return redirect(url_for("account.settings"))
    return render_template("account/email.html", form=form)


@bp.get("/confirm-email/<token>")
@access(MEMBER)
def confirm_email(token: str):
    if services.confirm_email_change(current_user, token):
        flash("Your new email address is confirmed.", "success")
    else:
        flash("That confirmation link has expired, was already used, or belongs to another account.",
              "error")
    return redirect(url_for("account.settings"))


@bp.post("/sign-out-everywhere")
@access(MEMBER)
def sign_out_everywhere():
    if ActionForm().validate_on_submit():
        services.sign_out_everywhere(current_user)
        sign_out()
        flash("You're signed out on every device, including this one.", "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.settings"))


@bp.get("/export")
@access(MEMBER)
def export():
    document = services.export_data(current_user)
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="lupus-commons-my-data.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@access(MEMBER)
def delete():
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.current_password.data,
                                    delete_members_only_posts=form.delete_members_only_posts.data,
                                    delete_public_posts=form.delete_public_posts.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            sign_out()
            flash("Your account and your private records are deleted. We wish you well.", "success")
            return redirect(url_for("main.home"))
    return render_template("account/delete.html", form=form,
                           post_counts=forum_members.own_post_counts(current_user))
