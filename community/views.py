"""Small helpers every blueprint's views share."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

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


def local_path(target: str | None) -> str | None:
    """The target if it is a path on this site, else None (never send anyone elsewhere)."""
    if not target:
        return None
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc \
            and not parts.scheme and "\\" not in target:
        return target
    return None


def requested_next() -> str | None:
    """The safe ?next= (or form field next) of this request, if any."""
    return local_path(request.args.get("next") or request.form.get("next"))


def sign_in_url(endpoint: str = "auth.login") -> str:
    """The sign-in (or join) page, coming back here afterwards (on the auth pages, to where they were headed)."""
    if request.blueprint == "auth":
        # The query string only: reading the form here would parse a body the page may be refusing (413).
        return url_for(endpoint, next=local_path(request.args.get("next")))
    # This page's own ?next= is dropped: it would only nest, and may point anywhere.
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "next"])
    return url_for(endpoint, next=local_path(f"{request.path}?{query}" if query else request.path))


def safe_next(default_endpoint: str = "main.home") -> str:
    """Where to go after signing in: a local path from ?next=, never another site."""
    return requested_next() or url_for(default_endpoint)
