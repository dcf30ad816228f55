"""Sign-up, sign-in and password reset forms: shape only, meaning lives in the services."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Regexp

from community.forms import email_field, password_field, time_zone_field
from community.passwords import password_problem

DISPLAY_NAME_RULE = r"^[\w][\w .'-]*[\w.]$"


def display_name_field() -> StringField:
    return StringField("Display name", validators=[
        DataRequired("Please choose a display name."),
        Length(min=2, max=40, message="Use between 2 and 40 characters."),
        Regexp(DISPLAY_NAME_RULE, message="Use letters, numbers, spaces, dots, dashes or apostrophes."),
    ], description="Shown with your posts. It doesn't need to be your real name.",
        render_kw={"autocomplete": "nickname"})


class RegisterForm(FlaskForm):
    email = email_field()
    display_name = display_name_field()
    password = password_field("Password", "new-password")
    time_zone = time_zone_field()
    agree = BooleanField("I agree to the terms of use and the privacy notice", validators=[
        DataRequired("Please agree to the terms and the privacy notice to join."),
    ])

    # The service's rules, checked here too so that every problem shows in one round trip.
    # Neither looks at whether the address has an account: the answer must not tell.
    def validate_display_name(self, field):
        from community.auth.services import DISPLAY_NAME_TAKEN, display_name_taken

        if display_name_taken(field.data):
            raise ValidationError(DISPLAY_NAME_TAKEN)

    def validate_password(self, field):
        problem = password_problem(field.data, email=self.email.data or "",
                                   display_name=self.display_name.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = email_field()
    password = password_field("Password", "current-password")
    remember = BooleanField("Keep me signed in on this device for 30 days")


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password = password_field("New password", "new-password")


class SignInLinkForm(FlaskForm):
    email = email_field()


class ResendVerificationForm(FlaskForm):
    email = email_field()
