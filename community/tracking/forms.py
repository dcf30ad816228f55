"""Tracking forms: shape and format only; the services decide what is allowed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from community.forms import IntegerField, row_id
from community.models.tracking import SEVERITY_MAX, SEVERITY_WORDS
from community.tracking import catalogue

SCALE_CHOICES = [("", "Not rated")] + [(str(n), word.capitalize()) for n, word in enumerate(SEVERITY_WORDS)]
WELLBEING_CHOICES = [("1", "Very bad"), ("2", "Bad"), ("3", "Okay"), ("4", "Good"), ("5", "Very good")]
MONTHS = [("", "Month (optional)")] + [(str(n), name) for n, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)]


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


def one_line_break(value):
    """Browsers send each line break as two characters (CRLF) but count it as one against
    ``maxlength``; count the way the member's screen does, so the limit they see is the one we apply."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class MaxChars:
    """Refuse text over ``limit`` characters, saying by how much; the form is re-shown with all of it."""

    def __init__(self, limit: int, what: str):
        self.limit, self.what = limit, what

    def __call__(self, form, field):
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                f"{self.what[0].upper()}{self.what[1:]} can be up to {self.limit:,} characters; this is {length:,} "
                f"({length - self.limit:,} too many). Please shorten it — nothing is saved yet and your text is kept.")


def limited(field_class, label: str, limit: int, what: str, *, required=None, description: str = "",
            render_kw: dict | None = None):
    """A text field with its limit shown beside it; text areas also get ``maxlength`` and a live counter.

    A one-line box gets no ``maxlength``: the browser would cut a long paste silently, with no
    counter to say so. There the server's message (and the text kept) does the telling.
    """
    render_kw = dict(render_kw or {})
    if field_class is TextAreaField:
        render_kw.update({"maxlength": limit, "data-counter": ""})
    limit_words = f"Up to {limit:,} characters."
    return field_class(label, validators=[required or Optional(), MaxChars(limit, what)], filters=[one_line_break],
                       description=f"{description} {limit_words}".strip(), render_kw=render_kw)


class _Friendly:
    """Replace WTForms' technical parse errors ("Not a valid float value") with plain words."""

    invalid_message = "Please check this value."

    def __init__(self, *args, invalid: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if invalid:
            self.invalid_message = invalid

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_message) from None


class NumberField(_Friendly, FloatField):
    invalid_message = "Please enter a number, like 7.5."


class WholeNumberField(_Friendly, IntegerField):
    invalid_message = "Please enter a whole number, like 2016."


class DayField(_Friendly, DateField):
    invalid_message = "Please enter a date like 2026-03-03."


class ClockField(_Friendly, TimeField):
    invalid_message = "Please enter a time like 19:30."


class ScaleField(RadioField):
    """A 0–4 rating with 'not rated'; a value off the scale gets a plain message."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("choices", options(SCALE_CHOICES))
        kwargs.setdefault("default", "")
        super().__init__(label, **kwargs)

    def pre_validate(self, form):
        if self.data not in {value for value, *_ in self.choices}:
            raise ValidationError(f"Please choose from {SEVERITY_WORDS[0]} (0) to {SEVERITY_WORDS[-1]} ({SEVERITY_MAX}).")

    @property
    def severity(self) -> int | None:
        return int(self.data) if self.data not in (None, "") else None


class CheckboxesField(SelectMultipleField):
    """Several checkboxes (a fieldset in the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {self.coerce(value) for value, *_ in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError("Please choose from the options shown.")


def day_field(label: str, required: bool = True, **kwargs) -> DayField:
    validators = [InputRequired("Please enter a date.")] if required else [Optional()]
    return DayField(label, validators=validators, format="%Y-%m-%d", **kwargs)


class CheckInForm(FlaskForm):
    checkin_id = HiddenField()
    day = day_field("Day")
    wellbeing = RadioField("Overall, how are you today?", choices=options(WELLBEING_CHOICES),
                           validators=[Optional()], validate_choice=True)
    sleep_hours = NumberField("Hours of sleep last night", validators=[
        Optional(), NumberRange(min=0, max=24, message="Sleep must be between 0 and 24 hours.")],
        render_kw={"inputmode": "decimal", "step": "0.5", "min": "0", "max": "24"})
    triggers = CheckboxesField("Anything that may have set things off?", choices=options(catalogue.TRIGGERS))
    custom_trigger = limited(StringField, "Something else (optional)", 80, "another trigger")
    medications_taken = CheckboxesField("Medicines you took today", coerce=row_id, choices=[])
    custom_symptom = StringField("Another symptom, in your own words (optional)", validators=[
        Optional(), Length(max=60, message="Please keep it under 60 characters.")])
    custom_severity = ScaleField("How bad was it?")
    notes = limited(TextAreaField, "Notes (optional)", 5000, "notes", description="Only you can see these.")

    symptom_fields: list = []

    def ratings(self) -> dict[int, int]:
        return {sid: f.severity for sid, f in self.symptom_fields if f.severity is not None}


def checkin_form(symptoms, treatments, **kwargs) -> CheckInForm:
    """A check-in form with one 0–4 question per symptom the member can rate."""

    class Form(CheckInForm):
        pass

    for symptom in symptoms:
        setattr(Form, f"sym_{symptom.id}", ScaleField(symptom.name, description=symptom.explanation))
    form = Form(**kwargs)
    form.symptom_fields = [(s.id, form[f"sym_{s.id}"]) for s in symptoms]
    form.medications_taken.choices = options((t.id, t.name) for t in treatments)
    return form


class FlareForm(FlaskForm):
    start_date = day_field("When did it start?")
    end_date = day_field("When did it end?", required=False,
                         description="Leave empty while the flare is still going on.")
    severity = RadioField("How bad is it, in your own view?", choices=options(catalogue.FLARE_SEVERITY_CHOICES),
                          validators=[InputRequired("Please choose mild, moderate or severe.")],
                          description="Your own rating, not a clinical score.")
    symptoms = CheckboxesField("Symptoms during the flare", choices=[])
    organs = CheckboxesField("Parts of the body involved", choices=options(catalogue.ORGANS))
    triggers = CheckboxesField("What may have set it off?", choices=options(catalogue.TRIGGERS))
    actions = CheckboxesField("What did you do about it?", choices=options(catalogue.FLARE_ACTIONS))
    notes = limited(TextAreaField, "Notes (optional)", 5000, "notes")


class TreatmentForm(FlaskForm):
    medication_id = SelectField("Medicine", coerce=optional_int, choices=[], validators=[Optional()])
    name = StringField("Or type the name of another medicine", validators=[
        Optional(), Length(max=80, message="Please keep the name under 80 characters.")])
    dose = NumberField("Dose", validators=[InputRequired("Please enter the dose, like 200.")],
                       render_kw={"inputmode": "decimal", "min": "0", "step": "any"})
    unit = SelectField("Unit", choices=options(catalogue.UNITS), default="mg")
    frequency = SelectField("How often", choices=options(catalogue.FREQUENCIES), default="once_daily")
    start_date = day_field("Started on")
    stop_date = day_field("Stopped on (leave empty if you still take it)", required=False)
    stop_reason = SelectField("Why it was stopped", choices=options([("", "—")] + catalogue.STOP_REASONS
                                                        + [catalogue.DOSE_CHANGED]), default="")
    rating = SelectField("How well is it working for you? (optional)",
                         choices=options([("", "—")] + catalogue.TREATMENT_RATINGS), default="")
    notes = limited(TextAreaField, "Notes (optional)", 2000, "notes")


class StopTreatmentForm(FlaskForm):
    stop_date = day_field("Last day you took it")
    reason = RadioField("Why did you stop?", choices=options(catalogue.STOP_REASONS),
                        validators=[InputRequired("Please choose why it was stopped.")])


class ChangeDoseForm(FlaskForm):
    on = day_field("New dose from")
    dose = NumberField("New dose", validators=[InputRequired("Please enter the dose, like 200.")],
                       render_kw={"inputmode": "decimal", "min": "0", "step": "any"})
    unit = SelectField("Unit", choices=options(catalogue.UNITS))
    frequency = SelectField("How often", choices=options(catalogue.FREQUENCIES))


class SideEffectForm(FlaskForm):
    noted_on = day_field("When did you notice it?")
    description = StringField("What did you notice?", validators=[
        InputRequired("Please describe the side effect."),
        Length(max=300, message="Please keep it under 300 characters.")])
    severity = ScaleField("How bad is it?")


class LabForm(FlaskForm):
    lab_test_id = SelectField("Test", coerce=optional_int, choices=[], validators=[Optional()])
    name = StringField("Or type the name of another test", validators=[
        Optional(), Length(max=80, message="Please keep the name under 80 characters.")])
    value = StringField("Result", validators=[
        InputRequired("Please enter the result."), Length(max=30, message="That result is too long.")],
        description="A number like 4.2, or a titre like 1:320.", render_kw={"inputmode": "decimal"})
    unit = limited(StringField, "Unit (optional)", 20, "the unit",
                   description="Leave empty to use the usual unit for this test.")
    taken_on = day_field("Date of the test")
    ref_low = NumberField("Lowest normal value (optional)", validators=[Optional()],
                          render_kw={"inputmode": "decimal", "step": "any"})
    ref_high = NumberField("Highest normal value (optional)", validators=[Optional()],
                           render_kw={"inputmode": "decimal", "step": "any"})
    notes = limited(TextAreaField, "Notes (optional)", 300, "notes")


class ProfileForm(FlaskForm):
    diagnoses = CheckboxesField("Diagnoses", choices=options(catalogue.DIAGNOSES))
    nephritis_class = SelectField("Lupus nephritis class, if a kidney biopsy gave one",
                                  choices=options(catalogue.NEPHRITIS_CLASSES), default="",
                                  description="ISN/RPS class I–VI, written on your biopsy report.")
    other_diagnosis = limited(StringField, "Other diagnosis (optional)", 120, "the other diagnosis")
    diagnosed_year = WholeNumberField("Year of diagnosis", validators=[Optional()],
                                      render_kw={"inputmode": "numeric"})
    diagnosed_month = SelectField("Month of diagnosis", choices=options(MONTHS), coerce=optional_int,
                                  validators=[Optional()])
    birth_date = day_field("Date of birth", required=False)
    birth_year = WholeNumberField("Or just the year you were born", validators=[Optional()],
                                  render_kw={"inputmode": "numeric"})
    sex = SelectField("Sex", choices=options(catalogue.SEXES), default="")
    country = limited(StringField, "Country", 60, "the country", render_kw={"autocomplete": "country-name"})
    region = limited(StringField, "Region or state", 60, "the region",
                     render_kw={"autocomplete": "address-level1"})
    postal_code = limited(StringField, "Postal code", 20, "the postal code",
                          render_kw={"autocomplete": "postal-code"})
    organs = CheckboxesField("Parts of the body lupus has affected", choices=options(catalogue.ORGANS))
    pregnancy = RadioField("Are you pregnant, breastfeeding or planning a pregnancy?",
                           choices=options(catalogue.PREGNANCY), default="", validators=[Optional()])

    # history_<key> and history_<key>_year, one pair per HISTORY_CONDITIONS entry, are added below.

    def history_pairs(self) -> list:
        """(answer field, year field or None) per condition, in catalogue order, for the template."""
        return [(self[f"history_{key}"], self[f"history_{key}_year"] if asks_year else None)
                for key, _label, _why, asks_year in catalogue.HISTORY_CONDITIONS]

    def medical_history(self) -> dict:
        """The answers as the service takes them: {"cancer": {"answer": "yes", "year": 2019}}.

        An unanswered condition with a year typed is passed on (without an answer) so the
        service can say the year needs a Yes, rather than the year silently vanishing.
        """
        history = {}
        for answer, year in self.history_pairs():
            key = answer.name.removeprefix("history_")
            entry = {"answer": answer.data} if answer.data else {}
            if year is not None and year.data is not None:
                entry["year"] = year.data
            if entry:
                history[key] = entry
        return history

    @staticmethod
    def history_data(history: dict | None) -> dict:
        """Field values from a stored medical history, to pre-fill the form."""
        data = {}
        for key, *_ in catalogue.HISTORY_CONDITIONS:
            entry = (history or {}).get(key)
            if isinstance(entry, dict) and entry.get("answer") in ("yes", "no"):
                data[f"history_{key}"] = entry["answer"]
                data[f"history_{key}_year"] = entry.get("year")
        return data


class HistoryAnswerField(RadioField):
    """Not answered / No / Yes; anything else (a hand-made post) gets a plain message."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("choices", options(catalogue.HISTORY_ANSWERS))
        kwargs.setdefault("default", "")
        super().__init__(label, **kwargs)

    def pre_validate(self, form):
        if self.data not in {value for value, *_ in self.choices}:
            raise ValidationError("Please choose Not answered, No or Yes.")


for _key, _label, _why, _asks_year in catalogue.HISTORY_CONDITIONS:
    setattr(ProfileForm, f"history_{_key}", HistoryAnswerField(_label, description=_why))
    if _asks_year:
        # The visible words say what the year means; the hidden part names the condition, since
        # a screen reader user reaching the field alone would otherwise hear only "Year of…".
        setattr(ProfileForm, f"history_{_key}_year", WholeNumberField(
            Markup('{}<span class="visually-hidden">: {}</span>').format(
                catalogue.HISTORY_YEAR_LABELS[_key], catalogue.HISTORY_NAMES[_key]),
            validators=[Optional()], invalid="Please enter a year like 2019.",
            render_kw={"inputmode": "numeric", "autocomplete": "off"}))
del _key, _label, _why, _asks_year


class ReminderForm(FlaskForm):
    reminder_enabled = BooleanField("Email me a gentle reminder to check in each day")
    reminder_time = ClockField("At what time? (your local time)", validators=[Optional()], format="%H:%M",
                               default=None)


class QuestionsForm(FlaskForm):
    questions = limited(TextAreaField, "Questions for your doctor", 3000, "your questions",
                        description="They are printed at the end of the summary.")


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses what to show

    start = day_field("From")
    end = day_field("To")


class ChartForm(FlaskForm):
    class Meta:
        csrf = False  # only chooses what to show; the POST is still checked by the global CSRFProtect

    range = RadioField("Period", choices=options([("30", "30 days"), ("90", "90 days"), ("365", "1 year")]),
                       default="30", validators=[Optional()])
    symptoms = CheckboxesField("Symptoms to show (up to 4)", coerce=row_id, choices=[])
