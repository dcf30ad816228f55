"""Email through an outbox: queue in the caller's transaction, deliver later with retries.

Backends:
- ``console`` (development) prints each message to the terminal;
- ``smtp`` (production) sends through MAIL_SERVER;
- ``outbox`` (tests) leaves messages in the table for the test to read.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from sqlalchemy import or_, select, update

from community.db import db, utcnow
from community.models.mail import OutboxMessage

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for emails, built from BASE_URL (works outside a request too)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, {k: v for k, v in values.items() if v is not None},
                         force_external=True)


def queue(recipient: str, template: str, **context) -> OutboxMessage:
    """Render ``email/<template>.txt`` and add it to the outbox in the current transaction.

    The template's first line is ``Subject: ...``; the rest is the body.
    """
    text = render_template(f"email/{template}.txt", **context)
    first_line, _, body = text.partition("\n")
    if not first_line.startswith("Subject: "):
        raise ValueError(f"email/{template}.txt must start with a Subject: line")
    message = OutboxMessage(recipient=recipient, subject=first_line[len("Subject: "):].strip(),
                            body=body.strip() + "\n")
    db.session.add(message)
    return message


def build_message(item: OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = item.recipient
    message["Subject"] = item.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lupus-commons")
    message.set_content(item.body)
    return message


# Encoding details that say nothing to a developer reading the terminal.
CONSOLE_HIDDEN_HEADERS = frozenset({"content-type", "content-transfer-encoding", "mime-version"})


class ConsoleSender:
    """Development: show the message in the terminal running the server."""

    def send(self, message: EmailMessage) -> None:
        # The decoded text, not the wire form: quoted-printable turns "=" into "=3D" and
        # breaks long lines with "=", so a link copied from the terminal would not work.
        headers = "".join(f"{name}: {value}\n" for name, value in message.items()
                          if name.lower() not in CONSOLE_HIDDEN_HEADERS)
        print(f"\n----- email -----\n{headers}\n{message.get_content()}----- end email -----\n",
              file=sys.stderr, flush=True)


class SmtpSender:
    """Production: deliver through the configured SMTP relay."""

    def __init__(self, config):
        self.config = config

    def send(self, message: EmailMessage) -> None:
        c = self.config
        smtp_class = smtplib.SMTP_SSL if c["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"]) as smtp:
            if c["MAIL_USE_TLS"]:
                smtp.starttls()
            if c["MAIL_USERNAME"]:
                smtp.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"] or "")
            smtp.send_message(message)


def get_sender():
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "console":
        return ConsoleSender()
    if backend == "smtp":
        return SmtpSender(current_app.config)
    if backend == "outbox":
        return None
    raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4, 8 … minutes between attempts, capped at an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send what is due; return (sent, failed this round). Each message commits on its own."""
    sender = get_sender()
    if sender is None:
        return 0, 0
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for message_id in due:
        item = db.session.get(OutboxMessage, message_id)
        if item is None or item.sent_at is not None or item.failed_at is not None:
            continue
        attempt = item.attempts + 1
        # Claim the message before talking to the relay, so a slow relay never
        # holds a database transaction open and a second worker skips it.
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == item.id, OutboxMessage.attempts == item.attempts,
                   OutboxMessage.sent_at.is_(None))
            .values(attempts=attempt, next_attempt_at=utcnow() + retry_delay(attempt))
        ).rowcount
        message = build_message(item)
        db.session.commit()
        if not claimed:
            continue
        try:
            sender.send(message)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            values = {"last_error": f"{type(exc).__name__}: {exc}"[:500]}
            if attempt >= current_app.config["MAIL_MAX_ATTEMPTS"]:
                values["failed_at"] = utcnow()
                log.error("email %s gave up after %s attempts", message_id, attempt)
            else:
                log.warning("email %s attempt %s failed; will retry", message_id, attempt)
        else:
            sent += 1
            values = {"sent_at": utcnow(), "last_error": None}
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
        db.session.commit()
    return sent, failed


def init_app(app: Flask) -> None:
    if app.config["MAIL_DELIVER_AFTER_REQUEST"]:
        @app.teardown_request
        def _deliver(_exc):
            if _exc is None:
                try:
                    deliver_pending(limit=10)
                except Exception:  # delivery problems must never break the page
                    log.exception("delivering queued email after request failed")
