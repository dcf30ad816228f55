"""Insights forms: the contribution consent."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ContributeForm(FlaskForm):
    understood = BooleanField("I have read what is counted and want my records counted in community statistics",
                              validators=[DataRequired("Please tick the box to confirm.")])
