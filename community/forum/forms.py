"""Forum forms: shape only. Meaning (limits, visibility, who may) lives in the services."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.forms import IntegerField, choices
from community.models.forum import DigestFrequency

BODY_HINT = ("You can use Markdown: **bold**, *italics*, > quotes, - lists, [links](https://…). "
             "Type @ and a display name to mention someone.")


def body_field(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[
        DataRequired("Please write something before posting."),
        Length(max=20000, message="Please keep a post under 20,000 characters."),
    ], description=BODY_HINT)


class TopicForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired("Please give your topic a title."),
        Length(min=5, max=150, message="Please write a title between 5 and 150 characters."),
    ], description="A short question or summary, like “Hair loss on mycophenolate?”",
        render_kw={"autocomplete": "off", "maxlength": 150})
    body = body_field("Your post")
    members_only = BooleanField("Members only: hide this topic from visitors and search engines")


class ReplyForm(FlaskForm):
    body = body_field("Your reply")


class EditPostForm(FlaskForm):
    title = StringField("Title", validators=[
        Optional(), Length(min=5, max=150, message="Please write a title between 5 and 150 characters."),
    ], render_kw={"autocomplete": "off", "maxlength": 150})
    body = body_field("Your post")


class DraftForm(FlaskForm):
    """The autosave endpoint: the same fields a composer has (CSRF from a header or field)."""

    class Meta:
        csrf = True

    key = HiddenField(validators=[DataRequired(), Length(max=40)])
    title = StringField(validators=[Optional(), Length(max=150)])
    body = TextAreaField(validators=[Optional(), Length(max=20000)])


class WatchForm(FlaskForm):
    watch = HiddenField(validators=[DataRequired()])


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired("Please give the category a name."),
        Length(max=60, message="Use at most 60 characters."),
    ])
    description = TextAreaField("Description", validators=[
        Optional(), Length(max=300, message="Please keep it under 300 characters.")],
        description="One or two sentences shown under the name.")
    position = IntegerField("Position in the list", default=0, validators=[
        Optional(), NumberRange(min=0, max=1000, message="Use a number from 0 to 1000.")],
        description="Lower numbers come first.", render_kw={"inputmode": "numeric"})
    members_only_default = BooleanField(
        "New topics here start as members-only (for health topics)", default=True)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    # Any text is a valid search: the service turns it into plain words.
    q = StringField("Search the forums")


class SettingsForm(FlaskForm):
    digest = RadioField("Email me a digest of my unread notifications", choices=choices([
        (DigestFrequency.NONE.value, "Never"),
        (DigestFrequency.DAILY.value, "Once a day"),
        (DigestFrequency.WEEKLY.value, "Once a week"),
    ]), default=DigestFrequency.NONE.value)


class ReminderDayField(DateField):
    """A date box whose refusal says what to type (WTForms' own "Not a valid date value" doesn't)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Please enter a date like 2026-03-03, or leave it empty.") from None


class BookmarkForm(FlaskForm):
    note = TextAreaField("Note for yourself (optional)", validators=[
        Length(max=500, message="Please keep the note under 500 characters.")],
        description="Only you see this, like “ask about this at my March appointment”.")
    remind_on = ReminderDayField("Email me a reminder on (optional)", validators=[Optional()],
                                 description="We'll email you that morning with a link to the post.")
