"""Small helpers every blueprint's views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for
from flask_wtf import FlaskForm

from community.errors import ValidationFailed


def show_error(form: FlaskForm, error: ValidationFailed) -> None:
    """Put a service's ValidationFailed beside the field it names (or atop the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


def safe_next(default_endpoint: str = "main.home") -> str:
    """Where to go after signing in: a local path from ?next=, never another site."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme \
            and "\\" not in target:
        return target
    return url_for(default_endpoint)
