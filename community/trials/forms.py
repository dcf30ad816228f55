"""Consent and criterion-curation forms (shape only; the services check meaning and ranges)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.forms import IntegerField, choices
from community.trials import curation, matching
from community.trials.consents import CATEGORY_LABELS


class CheckboxesField(SelectMultipleField):
    """Several tick boxes sharing one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConsentForm(FlaskForm):
    categories = CheckboxesField(
        "Which of your records may matching use?",
        choices=choices(CATEGORY_LABELS.items()), default=list(CATEGORY_LABELS), validate_choice=False,
        description="Untick anything you'd rather leave out. Criteria that need it will show as unknown.")
    email_updates = BooleanField("Also email me when a new study may fit (the email has no health details)")
    understood = BooleanField("I have read how matching works and want to turn it on",
                              validators=[DataRequired("Please tick the box to confirm.")])


DIAGNOSIS_CHOICES = [("sle", "Systemic lupus (SLE)"), ("nephritis", "Lupus nephritis"),
                     ("cutaneous", "Cutaneous lupus")]


class CriterionForm(FlaskForm):
    kind = SelectField("Kind of criterion", choices=choices(curation.CURATED_KINDS.items()))
    diagnoses = CheckboxesField("Diagnoses (any of)", choices=choices(DIAGNOSIS_CHOICES), validate_choice=False)
    classes = CheckboxesField("Biopsy classes (any of)",
                              choices=choices((c, f"Class {c}") for c in curation.NEPHRITIS_CLASSES),
                              validate_choice=False)
    min_count = IntegerField("How many (treatments or flares)", validators=[Optional()],
                             render_kw={"inputmode": "numeric"})
    min_months = IntegerField("Each treatment taken for at least (months)", validators=[Optional()],
                              render_kw={"inputmode": "numeric"})
    drugs = StringField("Medicines (comma-separated; empty means any)",
                        validators=[Optional(), Length(max=1000)])
    mode = SelectField("Required or excluded", choices=choices([("excluded", "Excluded"),
                                                                 ("required", "Required")]),
                       validate_choice=False)
    months = IntegerField("Within the last (months; 0 means now)", validators=[Optional()],
                          render_kw={"inputmode": "numeric"})
    # The services check these against the chosen kind; unused ones may be left empty.
    test = SelectField("Lab test", choices=choices(matching.LAB_NAMES.items()), validate_choice=False)
    op = SelectField("Comparison", choices=choices(matching.LAB_OPERATORS.items()), validate_choice=False,
                     description="For a steroid limit, choose at most / less than / at least / more than.")
    value = FloatField("Threshold (for a steroid limit: mg a day)", validators=[Optional()],
                       render_kw={"inputmode": "decimal"})
    unit = StringField("Unit", validators=[Optional(), Length(max=20)])
    condition = SelectField("Condition (for a medical history criterion)",
                            choices=choices(matching.HISTORY_WORDS.items()), validate_choice=False)
    within_years = IntegerField("Only in the last (years; empty means ever)", validators=[Optional()],
                                render_kw={"inputmode": "numeric"})
    qualified = BooleanField("The study excludes only some cases (active, severe, with exceptions…)",
                             description="Then a member who had it is told to ask, never that it rules them out.")
    planning = BooleanField("Also excludes planning a pregnancy")
    text = StringField("What the clinician checks", validators=[Optional(), Length(max=300)],
                       description="For example: SLEDAI-2K score of 8 or more.")

    def params(self) -> dict:
        """The values for the chosen kind, as the services expect them."""
        kind = self.kind.data
        if kind == "diagnosis":
            return {"diagnoses": self.diagnoses.data or []}
        if kind == "nephritis_class":
            return {"classes": self.classes.data or []}
        if kind == "prior_therapies":
            return {"min_count": self.min_count.data, "min_months": self.min_months.data,
                    "drugs": self.drugs.data or ""}
        if kind == "drug":
            return {"mode": self.mode.data, "drugs": self.drugs.data or "", "months": self.months.data}
        if kind == "lab":
            return {"test": self.test.data, "op": self.op.data, "value": self.value.data, "unit": self.unit.data}
        if kind == "flares":
            return {"min_count": self.min_count.data, "months": self.months.data}
        if kind == "steroid_dose":
            return {"op": self.op.data, "mg": self.value.data}
        if kind == "history":
            return {"condition": self.condition.data, "within_years": self.within_years.data,
                    "qualified": self.qualified.data}
        if kind == "pregnancy":
            return {"planning": self.planning.data}
        if kind == "clinician":
            return {"text": self.text.data}
        return {}

    def fill(self, kind: str, params: dict) -> None:
        """Show a stored criterion's values in the form."""
        self.kind.data = kind
        for key, value in params.items():
            key = "value" if key == "mg" else key
            field = getattr(self, key, None)
            if field is None:
                continue
            field.data = ", ".join(value) if key == "drugs" else value


class BulletReviewForm(FlaskForm):
    action = SelectField("Review", choices=choices([("confirm", "Confirm"), ("discard", "Discard"),
                                                  ("reread", "Read again")]))
