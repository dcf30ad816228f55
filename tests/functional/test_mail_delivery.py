"""The outbox is drained through a real SMTP server on loopback, with retries."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from community import mail
from community.db import db, utcnow
from community.models import OutboxMessage
from tests.support.factories import make_user


class Recorder:
    """An SMTP handler that keeps what it receives, or refuses while ``refuse`` is set."""

    def __init__(self):
        self.messages = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def smtp_app(make_app, smtp_server):
    controller, _ = smtp_server
    return make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                    MAIL_DEFAULT_SENDER="Lupus Commons <no-reply@lupus-commons.test>")


def queue_reset_email(app, email="maya@example.org"):
    with app.test_request_context(method="POST"):  # a GET would only read (community.db)
        user = make_user(email=email)
        mail.queue(user.email, "reset_password", user=user, reset_url="http://127.0.0.1/auth/reset/x")
        db.session.commit()


def test_send_pending_delivers_over_smtp_and_marks_sent(smtp_app, smtp_server):
    _, handler = smtp_server
    queue_reset_email(smtp_app)
    result = smtp_app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert "Sent 1, failed 0" in result.output
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["maya@example.org"]
    body = envelope.content.decode()
    assert "Subject: Reset your Lupus Commons password" in body
    with smtp_app.app_context():
        item = db.session.scalar(select(OutboxMessage))
        assert item.sent_at is not None and item.attempts == 1
    # Nothing is sent twice.
    smtp_app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert len(handler.messages) == 1


def test_refused_messages_are_retried_later_and_then_delivered(smtp_app, smtp_server):
    _, handler = smtp_server
    handler.refuse = True
    queue_reset_email(smtp_app)
    with smtp_app.app_context():
        assert mail.deliver_pending() == (0, 1)
        item = db.session.scalar(select(OutboxMessage))
        assert item.sent_at is None and "451" in item.last_error
        assert item.next_attempt_at > utcnow()
        assert mail.deliver_pending() == (0, 0)  # not due yet
        item.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    handler.refuse = False
    with smtp_app.app_context():
        assert mail.deliver_pending() == (1, 0)
    assert len(handler.messages) == 1


def test_unreachable_relay_gives_up_after_the_maximum_attempts(make_app):
    app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2)
    queue_reset_email(app)
    with app.app_context():
        for _ in range(2):
            assert mail.deliver_pending() == (0, 1)
            db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
            db.session.commit()
        item = db.session.scalar(select(OutboxMessage))
        assert item.failed_at is not None and item.attempts == 2
        assert mail.deliver_pending() == (0, 0)


def test_console_backend_prints_the_message_for_development(make_app, capsys):
    app = make_app(MAIL_BACKEND="console")
    queue_reset_email(app)
    with app.app_context():
        assert mail.deliver_pending() == (1, 0)
    assert "Reset your Lupus Commons password" in capsys.readouterr().err


def test_the_console_shows_links_whole_so_they_can_be_copied(make_app, capsys):
    app = make_app(MAIL_BACKEND="console")
    with app.app_context():
        mail.queue("maya@example.org", "verify_email", user=make_user(email="maya@example.org"),
                   verify_url="http://localhost:5000/auth/confirm/" + "x" * 90 + "?next=%2Fforum%2F&a=b")
        db.session.commit()
        assert mail.deliver_pending() == (1, 0)
    printed = capsys.readouterr().err
    assert "http://localhost:5000/auth/confirm/" + "x" * 90 + "?next=%2Fforum%2F&a=b" in printed
    assert "=3D" not in printed and "=\n" not in printed and "Subject: " in printed


def test_development_delivers_right_after_the_request(make_app, capsys):
    app = make_app(MAIL_BACKEND="console", MAIL_DELIVER_AFTER_REQUEST=True)
    with app.app_context():
        make_user(email="maya@example.org")
    client = app.test_client()
    client.submit("/auth/forgot-password", {"email": "maya@example.org"})
    assert "/auth/reset/" in capsys.readouterr().err
