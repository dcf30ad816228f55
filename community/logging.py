"""Logging that never carries secrets or health data.

Views log paths, never bodies or query strings. Emailed links carry tokens in
their path, and Werkzeug's dev server logs whole request lines (a search for
"nephritis hair loss" is health data), so a filter masks tokens, addresses and
query strings wherever a log line comes from (our code, Werkzeug's dev server,
gunicorn's access log).
"""

from __future__ import annotations

import logging
import re

from flask import Flask

TOKEN_PATH = re.compile(r"(/(?:auth|account)/(?:verify|reset|confirm-email)/)[^\s/?\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
QUERY = re.compile(r"((?:^|[\s\"'])/[^\s?\"']*)\?[^\s\"']*")  # a path's ?query, up to the next space or quote


def redact(text: str) -> str:
    return QUERY.sub(r"\1?[query]", EMAIL.sub("[email]", TOKEN_PATH.sub(r"\1[token]", text)))


class RedactingFilter(logging.Filter):
    """Masks emailed-link tokens and email addresses in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_filter(logger: logging.Logger) -> None:
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    for handler in logger.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def configure_logging(app: Flask) -> None:
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("", "community", "werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        install_filter(logging.getLogger(name))
