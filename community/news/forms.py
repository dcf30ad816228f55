"""Article forms: shape only; the services check meaning (known trials, image alt text)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from community.forms import IntegerField, choices
from community.news.services import HERO_IMAGES


class ArticleForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired("Please give the article a title."),
        Length(max=160, message="Please keep the title under 160 characters.")])
    summary = TextAreaField("Summary", validators=[
        DataRequired("Please write a one- or two-sentence summary."),
        Length(max=400, message="Please keep the summary under 400 characters.")],
        description="Shown in the list of articles and in the feed.")
    body = TextAreaField("Article (Markdown)", validators=[
        DataRequired("Please write the article."),
        Length(max=60000, message="Please keep the article under 60,000 characters.")],
        description="Use # for section headings. Link every claim to its source. "
                    "End with what a reader can do next.")
    tags = StringField("Tags", validators=[Optional(), Length(max=300)],
                       description="Separated by commas, e.g. CAR-T, lupus nephritis, belimumab.")
    trials = TextAreaField("Linked trials", validators=[Optional(), Length(max=1000)],
                           description="NCT numbers from our catalogue, one per line. Each gets a "
                                       "\u201ccheck your eligibility\u201d button.")
    hero_image = SelectField("Illustration (optional)",
                             choices=choices([("", "No illustration")] + [(k, k) for k in HERO_IMAGES]))
    hero_alt = StringField("Describe the illustration", validators=[Optional(), Length(max=250)],
                           description="For people using a screen reader. Needed when you choose an illustration.")


class LinkDiscussionForm(FlaskForm):
    topic_id = IntegerField("Forum topic number", validators=[
        DataRequired("Enter the topic's number (it's in the topic's address)."),
        NumberRange(min=1, message="Enter the topic's number (it's in the topic's address).")])


class WriterForm(FlaskForm):
    user_id = IntegerField("Moderator", validators=[DataRequired()])
