"""Admin forms: every staff action takes a reason."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.forms import IntegerField, choices
from community.models import Role


def reason_field() -> TextAreaField:
    return TextAreaField("Reason (kept in the staff log)", validators=[
        DataRequired("Please give a reason; it goes in the staff log."),
        Length(max=1000, message="Please keep the reason under 1000 characters.")])


class MemberSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Find a member", validators=[Optional(), Length(max=100)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=choices((r.value, r.value.capitalize()) for r in Role))
    reason = reason_field()


class SuspendForm(FlaskForm):
    days = IntegerField("Days", default=7, validators=[
        DataRequired("Please say for how many days."),
        NumberRange(min=1, max=3650, message="Choose between 1 and 3650 days.")])
    reason = reason_field()


class LiftSuspensionForm(FlaskForm):
    reason = reason_field()


class ConsentRecordForm(FlaskForm):
    reason = reason_field()
