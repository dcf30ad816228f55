"""Domain errors raised by services, and the friendly error pages."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(DomainError):
    """The thing does not exist, or the user may not know that it does."""


class PermissionDenied(DomainError):
    """The user may see the thing but not do this to it."""


class ValidationFailed(DomainError):
    """The input is well-formed but breaks a rule; ``field`` names where to show it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


ERROR_PAGES = {
    400: ("That request didn't work", "Something in the request was not as expected. Please go back and try again."),
    403: ("You can't do that here", "Your account doesn't have permission for this action."),
    404: ("We can't find that page", "It may have been moved or deleted, or the link may be mistyped."),
    405: ("That doesn't work here", "This page can't be used that way. Please go back and use the buttons on the page."),
    413: ("That was too large", "What you sent is larger than we accept. Please shorten it or send a smaller file."),
    429: ("Please wait a moment", "There have been too many attempts. Please wait a few minutes and try again."),
    500: ("Something went wrong on our side", "It's not your fault. Nothing you had saved is lost. Please try again in a moment."),
}


def render_error(code: int, message: str | None = None):
    title, default_message = ERROR_PAGES[code]
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default_message), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(_exc):
        return render_error(404)

    @app.errorhandler(PermissionDenied)
    def _denied(exc):
        return render_error(403, str(exc) or None)

    @app.errorhandler(CSRFError)
    def _csrf(_exc):
        return render_error(400, "This form expired or was sent from elsewhere. "
                                 "Please go back, reload the page and send it again.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code in ERROR_PAGES:
            response, code = render_error(exc.code)
            if exc.code == 405 and exc.valid_methods:
                return response, code, {"Allow": ", ".join(exc.valid_methods)}
            return response, code
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The path only: query strings and form bodies may hold health data or tokens.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
