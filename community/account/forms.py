"""Profile, privacy, password, email and deletion forms."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.auth.forms import display_name_field
from community.forms import IntegerField, email_field, password_field, time_zone_field


class ProfileForm(FlaskForm):
    display_name = display_name_field()
    pronouns = StringField("Pronouns (optional)", validators=[
        Optional(), Length(max=40, message="Use at most 40 characters.")])
    bio = TextAreaField("A few words about you (optional)", validators=[
        Optional(), Length(max=500, message="Please keep it under 500 characters.")],
        description="Shown on your public profile.")
    living_with_lupus_since = IntegerField(
        "Living with lupus since (year, optional)",
        validators=[Optional(), NumberRange(min=1920, max=date.today().year,
                                            message="Please enter a year like 2015, not in the future.")],
        render_kw={"inputmode": "numeric"})
    time_zone = time_zone_field()


class PrivacyForm(FlaskForm):
    show_lupus_since = BooleanField("Show the year I've been living with lupus on my public profile")


class ChangePasswordForm(FlaskForm):
    current_password = password_field("Current password", "current-password")
    new_password = password_field("New password", "new-password")


class ChangeEmailForm(FlaskForm):
    email = email_field("New email address")
    current_password = password_field("Current password", "current-password")


class DeleteAccountForm(FlaskForm):
    current_password = password_field("Your password", "current-password")
    # Members-only talk is often about health and was never meant for the world: delete it
    # unless the member says otherwise. Public posts more often help others: kept unless asked.
    delete_members_only_posts = BooleanField("Also delete my posts in members-only topics", default=True)
    delete_public_posts = BooleanField("Also delete my posts in public topics", default=False)
    confirm = BooleanField("I understand this erases my health records and cannot be undone",
                           validators=[DataRequired("Please tick the box to confirm.")])
