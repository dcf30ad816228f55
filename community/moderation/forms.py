"""Moderation forms: every staff action takes a reason."""

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from community.forms import IntegerField, choices, row_id
from community.models.moderation import REASON_LABELS, RESOLUTION_LABELS, WordAction


def reason_field(label: str = "Reason (kept in the staff log)") -> TextAreaField:
    return TextAreaField(label, validators=[
        DataRequired("Please give a reason; it goes in the staff log."),
        Length(max=1000, message="Please keep the reason under 1000 characters.")])


def days_field() -> IntegerField:
    return IntegerField("For how many days", default=3, validators=[
        Optional(), NumberRange(min=1, max=3650, message="Choose between 1 and 3650 days.")],
        description="Used when silencing or suspending.")


class ReportForm(FlaskForm):
    # The empty first choice is what the form opens on: a preselected reason gets sent by
    # accident, and the first real one ("member at risk") files an urgent crisis item.
    reason = SelectField("What is wrong?", choices=choices([("", "Choose a reason"), *REASON_LABELS.items()]),
                         default="", validators=[DataRequired("Please choose a reason.")])
    note = TextAreaField("Anything a moderator should know (optional)", validators=[
        Length(max=1000, message="Please keep this under 1000 characters.")],
        description="Only moderators read this. The member is never told who reported them.")


class ResolveForm(FlaskForm):
    action = SelectField("What to do", choices=choices(RESOLUTION_LABELS.items()),
                         validators=[DataRequired("Please choose what to do.")])
    reason = reason_field()
    days = days_field()
    body = TextAreaField("New text of the post", validators=[Optional(), Length(max=20000)],
                         description="Only used when editing the post; the earlier version is kept.")


class PostToolForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    reason = reason_field()


class EditPostForm(FlaskForm):
    body = TextAreaField("New text of the post", validators=[
        DataRequired("Please write the new text."), Length(max=20000)])
    reason = reason_field()


class TopicToolForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    reason = reason_field()


class MoveForm(FlaskForm):
    category = SelectField("Move to", coerce=row_id, validate_choice=False,
                           validators=[InputRequired("Please choose a category.")])
    reason = reason_field()


class MergeForm(FlaskForm):
    target = IntegerField("Number of the topic to merge into", validators=[
        DataRequired("Please give a topic number."), NumberRange(min=1)],
        description="The number at the end of the topic's address, as in /forum/t/42.")
    reason = reason_field()


class SplitForm(FlaskForm):
    posts = SelectMultipleField("Replies to move", coerce=row_id, validate_choice=False)
    title = StringField("Title of the new topic", validators=[
        DataRequired("Please give the new topic a title."), Length(min=5, max=150)])
    category = SelectField("Category", coerce=row_id, validate_choice=False,
                           validators=[InputRequired("Please choose a category.")])
    reason = reason_field()


class MemberSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Display name", validators=[Optional(), Length(max=100)])


class SanctionForm(FlaskForm):
    action = SelectField("What to do", choices=choices([
        ("warn", "Warn"), ("silence", "Silence (can read, can't post)"),
        ("suspend", "Suspend (can't sign in; signed out now)"), ("unsilence", "End a silence early")]))
    days = days_field()
    reason = reason_field()


class LogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    moderator = SelectField("Moderator", coerce=row_id, validate_choice=False, validators=[Optional()])
    member = StringField("Member (display name)", validators=[Optional(), Length(max=40)])
    action = SelectField("Action", validate_choice=False, validators=[Optional()])


class AppealForm(FlaskForm):
    message = TextAreaField("Why should an admin look again?", validators=[
        DataRequired("Please say why."), Length(max=2000, message="Please keep it under 2000 characters.")])


class DecideAppealForm(FlaskForm):
    decision = SelectField("Decision", choices=choices([
        ("upheld", "Keep the decision"), ("overturned", "Overturn it (undo the action)")]))
    reason = reason_field("Reason (the member sees this)")


class WatchedWordForm(FlaskForm):
    phrase = StringField("Word or phrase", validators=[DataRequired("Please enter a word."), Length(max=100)])
    action = SelectField("When it appears", choices=choices((a.value, a.label) for a in WordAction))
    message = StringField("Message for the member (block)", validators=[Optional(), Length(max=300)])
    replacement = StringField("Replace with (replace)", validators=[Optional(), Length(max=100)])


class CrisisResourceForm(FlaskForm):
    country = StringField("Country code", description="Two letters such as GB or US; * for everywhere.",
                          validators=[DataRequired("Please enter a country code."), Length(max=2)])
    name = StringField("Name", validators=[DataRequired("Please enter a name."), Length(max=120)])
    contact = StringField("How to reach them", validators=[Optional(), Length(max=120)])
    url = StringField("Web address", validators=[Optional(), Length(max=300)])
    position = IntegerField("Order", default=0, validators=[Optional()])
