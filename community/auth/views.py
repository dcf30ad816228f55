"""Sign-up, email verification, sign-in, sign-out and password reset."""

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from community.auth import forms, services
from community.errors import ValidationFailed, render_error
from community.extensions import throttle, went_through
from community.forms import ActionForm
from community.permissions import ANONYMOUS_ONLY, MEMBER, PUBLIC, access
from community.security import sign_in, sign_out
from community.trials.trial_pages import find_trial
from community.views import requested_next, safe_next, show_error

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@access(ANONYMOUS_ONLY)
@throttle("REGISTER_LIMIT_PER_IP", counts=went_through)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            services.register(form.email.data, form.display_name.data, form.password.data,
                              form.time_zone.data, next_path=requested_next())
        except ValidationFailed as error:
            show_error(form, error)
        else:
            return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form, came_for=find_trial(request.args.get("trial", "")))


@bp.get("/check-email")
@access(PUBLIC)
def check_email():
    return render_template("auth/check_email.html", form=forms.ResendVerificationForm())


@bp.post("/resend-verification")
@access(PUBLIC)
@throttle("RESET_LIMIT_PER_IP")
@throttle("RESET_LIMIT_PER_ACCOUNT", per="account")
def resend_verification():
    form = forms.ResendVerificationForm()
    if form.validate_on_submit():
        services.resend_verification(form.email.data)
        flash("If that address has an account waiting for confirmation, we've sent a new link.", "success")
        return redirect(url_for("auth.check_email"))
    return render_template("auth/check_email.html", form=form), 400


@bp.get("/verify/<token>")
@access(PUBLIC)
def verify_email(token: str):
    user = services.verify_email(token)
    if user is None:
        flash("That confirmation link has expired or was already used. "
              "Sign in and we'll send you a new one.", "error")
        return redirect(url_for("auth.login"))
    flash("Thank you, your email address is confirmed. Please sign in.", "success")
    return redirect(url_for("auth.login", next=requested_next()))


@bp.route("/login", methods=["GET", "POST"])
@access(ANONYMOUS_ONLY)
@throttle("LOGIN_LIMIT_PER_IP")
@throttle("LOGIN_LIMIT_PER_ACCOUNT", per="account")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = forms.LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.NotVerified:
            flash("Please confirm your email address first. We've sent you a new link.", "info")
            return redirect(url_for("auth.check_email"))
        if user is None:
            form.form_errors.append("That email address and password don't match an account. "
                                    "Please check both and try again.")
        else:
            sign_in(user, remember=form.remember.data)
            flash(f"Welcome, {user.display_name}." if user.first_sign_in
                  else f"Welcome back, {user.display_name}.", "success")
            return redirect(safe_next())
    return render_template("auth/login.html", form=form)


def minutes_until_allowed() -> int:
    """How long until the limit this request ran into lets the next attempt through."""
    limit = current_app.extensions["throttling"].current_limit
    seconds = limit.reset_at - time.time() if limit is not None else 600
    return max(1, round(seconds / 60))


@bp.errorhandler(429)
def too_many_attempts(_error):
    """The same form again, with what was typed, when to try again and another way in."""
    minutes = minutes_until_allowed()
    if request.endpoint == "auth.login":
        form = forms.LoginForm()
        return render_template("auth/login.html", form=form, wait_minutes=minutes,
                               link_form=forms.SignInLinkForm(email=form.email.data)), 429
    if request.endpoint == "auth.register":
        return render_template("auth/register.html", form=forms.RegisterForm(), wait_minutes=minutes,
                               came_for=find_trial(request.args.get("trial", ""))), 429
    return render_error(429, f"There have been too many attempts. Please try again in about "
                             f"{minutes} minute{'s' if minutes != 1 else ''}.")


@bp.route("/sign-in-link", methods=["GET", "POST"])
@access(ANONYMOUS_ONLY)
@throttle("RESET_LIMIT_PER_IP")
@throttle("RESET_LIMIT_PER_ACCOUNT", per="account")
def request_sign_in_link():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.SignInLinkForm()
    if form.validate_on_submit():
        services.send_sign_in_link(form.email.data)
        return render_template("auth/sign_in_link_sent.html")
    return render_template("auth/sign_in_link.html", form=form)


@bp.route("/sign-in-link/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def sign_in_with_link(token: str):
    # Opening the link only shows a button: mail scanners that fetch links must not spend it.
    if services.user_for_sign_in_link(token) is None:
        flash("That sign-in link has expired or was already used. Please ask for a new one.", "error")
        return redirect(url_for("auth.request_sign_in_link"))
    form = ActionForm()
    if form.validate_on_submit():
        user = services.sign_in_with_link(token)
        if current_user.is_authenticated:
            sign_out()
        sign_in(user)
        flash(f"Welcome back, {user.display_name}.", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/sign_in_with_link.html", form=form)


@bp.post("/logout")
@access(MEMBER)
def logout():
    if ActionForm().validate_on_submit():
        sign_out()
        flash("You're signed out. Take care.", "success")
    return redirect(url_for("main.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@access(PUBLIC)
@throttle("RESET_LIMIT_PER_IP")
@throttle("RESET_LIMIT_PER_ACCOUNT", per="account")
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html")
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def reset_password(token: str):
    if services.user_for_reset_token(token) is None:
        flash("That reset link has expired or was already used. Please ask for a new one.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ValidationFailed as error:
            show_error(form, error)
        else:
            if current_user.is_authenticated:
                sign_out()
            flash("Your password is changed and you're signed out everywhere. "
                  "Please sign in with your new password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
