"""Sign-up, email verification, sign-in, sign-out and password reset."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from community.auth import forms, services
from community.errors import ValidationFailed
from community.extensions import throttle
from community.forms import ActionForm
from community.permissions import ANONYMOUS_ONLY, MEMBER, PUBLIC, access
from community.security import sign_in, sign_out
from community.views import requested_next, safe_next, show_error

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@access(ANONYMOUS_ONLY)
@throttle("REGISTER_LIMIT_PER_IP")
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
    return render_template("auth/register.html", form=form)


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
            flash(f"Welcome, {user.display_name}.", "success")  # also true on a first sign-in
            return redirect(safe_next())
    return render_template("auth/login.html", form=form)


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
