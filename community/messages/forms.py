"""Message forms: shape only. Who may write to whom lives in the services and the Guardian."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

BODY_HINT = ("Only the people in this conversation can read it. You can use Markdown: "
             "**bold**, *italics*, > quotes, - lists.")


def body_field(label: str) -> TextAreaField:
    return TextAreaField(label, validators=[
        DataRequired("Please write a message before sending."),
        Length(max=20000, message="Please keep a message under 20,000 characters."),
    ], description=BODY_HINT)


class NewConversationForm(FlaskForm):
    to = StringField("To", validators=[
        DataRequired("Please say who the message is for (their display name)."),
        Length(max=500, message="Please list at most 10 display names."),
    ], description="A member's display name; separate several with commas.",
        render_kw={"autocomplete": "off"})
    subject = StringField("Subject", validators=[
        DataRequired("Please give the conversation a subject."),
        Length(max=150, message="Please keep the subject under 150 characters."),
    ], render_kw={"autocomplete": "off", "maxlength": 150})
    body = body_field("Your message")


class ReplyForm(FlaskForm):
    body = body_field("Your reply")


class SettingsForm(FlaskForm):
    email_new_messages = BooleanField("Email me when someone sends me a message "
                                      "(the email never includes the message itself)")
