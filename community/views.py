"""Small helpers every blueprint's views share."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import request, url_for
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from community.db import MAX_ROW_ID
from community.errors import ValidationFailed

MAX_PAGE = 100_000  # far past any list's end, small enough that OFFSET stays an ordinary number


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: 1 to MAX_ROW_ID, so /members/9223372036854775808 is a plain 404."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ROW_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_number() -> int:
    """The ?page= of a list: a whole number from 1 to MAX_PAGE; anything else is page 1 or the last."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, MAX_PAGE))


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
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None  # CR/LF would split the Location header
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
