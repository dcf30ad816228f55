"""Form pieces shared by several blueprints."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms import IntegerField as WTFormsIntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from community.db import MAX_ROW_ID

MAX_EMAIL = 254


class IntegerField(WTFormsIntegerField):
    """Every whole-number field in the app: Python reads 400 nines happily, but no column,
    date or duration holds them, so anything past a 32-bit integer is refused as typed."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > MAX_ROW_ID:
            self.data = None
            raise ValueError("That number is far too large. Please check it.")


def row_id(value) -> int:
    """``coerce=`` for selects of rows: an id that could exist, or a refusal the form shows."""
    number = int(value)
    if not 0 <= number <= MAX_ROW_ID:
        raise ValueError("That choice does not exist.")
    return number


@cache
def time_zone_choices() -> list[SelectChoice]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [SelectChoice("UTC", "UTC")] + [SelectChoice(z, z.replace("_", " ")) for z in zones]


def choices(pairs) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(label, validators=[
        DataRequired("Please enter your email address."),
        Length(max=MAX_EMAIL, message="That email address is too long."),
        Email("Please enter an email address like name@example.com.", check_deliverability=False),
    ], render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"})


def password_field(label: str, autocomplete: str) -> PasswordField:
    return PasswordField(label, validators=[
        InputRequired("Please enter a password."),
        Length(max=128, message="Use at most 128 characters."),
    ], render_kw={"autocomplete": autocomplete})


def time_zone_field() -> SelectField:
    return SelectField("Your time zone", choices=time_zone_choices(), default="UTC",
                       validate_choice=True,
                       description="Used to show dates and times as you'd say them.")


class ActionForm(FlaskForm):
    """A button-only action (sign out, sign out everywhere): just the CSRF token."""
