"""Helpers for reading what the app did: emails in the outbox, links inside them."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select

from community.db import db
from community.models import OutboxMessage

LINK = re.compile(r"https?://\S+")


def emails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                       .order_by(OutboxMessage.id)))


def last_email(app, address: str) -> OutboxMessage:
    messages = emails_to(app, address)
    assert messages, f"no email was sent to {address}"
    return messages[-1]


def link_in(message: OutboxMessage, path_part: str) -> str:
    """The path (and query) of the first link in an email that contains ``path_part``."""
    for url in LINK.findall(message.body):
        if path_part in url:
            return "/" + url.split("/", 3)[3]
    raise AssertionError(f"no link containing {path_part!r} in: {message.body}")


@contextmanager
def counting_statements(app):
    """Collect every SQL statement the app's engine runs inside the block (for N+1 tests)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def forget_jobs(connection, prefix: str) -> None:
    """Remove every Redis key a test's job queues (named ``<prefix>-…``) left: queues, registries,
    workers, the jobs themselves with their executions and results."""
    job_ids = [key.decode().removeprefix("rq:job:") for key in connection.scan_iter("rq:job:*")
               if prefix.encode() in (connection.hget(key, "origin") or b"")]
    for job_id in job_ids:
        for key in connection.scan_iter(f"rq:*{job_id}*"):
            connection.delete(key)
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    for name in ("rq:workers", "rq:queues"):
        for member in connection.smembers(name):
            if prefix.encode() in member:
                connection.srem(name, member)
