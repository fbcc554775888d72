"""E-mail delivery: a real local SMTP server, the outbox fallback, nothing on rollback."""

from __future__ import annotations

import email
import email.policy
import socket
import time

import pytest
import sqlalchemy as sa

from confapp import create_app
from confapp.accounts.models import User
from confapp.extensions import db
from confapp.mail import send_mail

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Collector:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def smtp_app(app, smtp_server, database_url, tmp_path):
    controller, _ = smtp_server
    smtp_app = create_app(
        "testing",
        {
            "DATABASE_URL": database_url,
            "MAIL_URL": f"smtp://{controller.hostname}:{controller.port}",
            "MAIL_OUTBOX": str(tmp_path / "smtp-outbox"),
        },
    )
    yield smtp_app
    with smtp_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _queue(app, to: str, subject: str) -> None:
    """Queue the registration-independent visa e-mail inside a request context."""
    send_mail(
        to,
        subject,
        "visa_letter_rejected",
        event=_FakeEvent(),
        registration=_FakeRegistration(),
        visa=_FakeVisa(),
        link="http://localhost/events/cdc/visa-letter",
    )


class _FakeEvent:
    title = "Changing paradigms of cluster development"
    contact_email = "visa@cdc.example.org"


class _FakeRegistration:
    full_name = "Nguyễn Thị Lan"


class _FakeVisa:
    note = "Please register first."


def _wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_commit_sends_by_smtp(smtp_app, smtp_server):
    _, handler = smtp_server
    with smtp_app.test_request_context():
        _queue(smtp_app, "lan@example.org", "Your request")
        assert handler.envelopes == []  # nothing leaves before the commit
        db.session.commit()
    assert _wait_for(lambda: len(handler.envelopes) == 1)
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == ["lan@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Your request"
    assert message["To"] == "lan@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Nguyễn Thị Lan" in body
    assert "Please register first." in body
    # SMTP configured: nothing is written to the outbox folder.
    assert not (smtp_app.config["MAIL_OUTBOX"] and list(_outbox_files(smtp_app)))


def _outbox_files(app):
    from pathlib import Path

    folder = Path(app.config["MAIL_OUTBOX"])
    return folder.glob("*.eml") if folder.exists() else []


def _write_something() -> None:
    """Database work in the transaction, as every service does before it queues mail."""
    db.session.add(User(email="lan@example.org", full_name="Lan"))
    db.session.flush()


def test_rollback_sends_nothing(smtp_app, smtp_server):
    _, handler = smtp_server
    with smtp_app.test_request_context():
        _write_something()
        _queue(smtp_app, "lan@example.org", "Never sent")
        db.session.rollback()
        assert db.session.scalar(sa.select(User.id)) is None
        # A later commit must not deliver what the rolled-back transaction queued.
        db.session.commit()
    time.sleep(0.2)
    assert handler.envelopes == []


def test_smtp_outage_does_not_break_the_commit(app, database_url, tmp_path):
    broken = create_app(
        "testing",
        {"DATABASE_URL": database_url, "MAIL_URL": f"smtp://127.0.0.1:{free_port()}"},
    )
    with broken.test_request_context():
        _queue(broken, "lan@example.org", "Relay down")
        db.session.commit()  # logged, not raised
        db.session.remove()
        db.engine.dispose()


def test_without_mail_url_the_message_lands_in_the_outbox(app, outbox):
    assert not app.config.get("MAIL_URL")
    with app.test_request_context():
        _queue(app, "lan@example.org", "Into the outbox")
        assert outbox.messages() == []
        db.session.commit()
    [message] = outbox.messages()
    assert message["Subject"] == "Into the outbox"
    assert message["To"] == "lan@example.org"
    assert "Please register first." in outbox.body(message)


def test_rollback_writes_nothing_to_the_outbox(app, outbox):
    with app.test_request_context():
        _write_something()
        _queue(app, "lan@example.org", "Rolled back")
        db.session.rollback()
        db.session.commit()
    assert outbox.messages() == []


class _Refusing(Collector):
    """Refuses one recipient (550), accepts the others; counts the sessions."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused = refused
        self.sessions = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.sessions.add(id(session))
        if address == self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_batch_says_mail_from_ahead_and_goes_on_after_a_refused_recipient():
    from confapp.mail import delivery

    handler = _Refusing("p1@example.org")
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        transport = delivery.SmtpTransport(f"smtp://127.0.0.1:{controller.port}")
        outcomes = []
        for i in range(4):
            data = f"Subject: m{i}\r\nMessage-ID: <m{i}@x>\r\n\r\nhello {i}\r\n".encode()
            try:
                transport.send("no-reply@example.org", f"p{i}@example.org", data)
                outcomes.append("sent")
            except delivery.PermanentFailure as exc:
                outcomes.append(str(exc))
            # As send_batch does: the next MAIL FROM goes out before this outcome is stored.
            transport.begin("no-reply@example.org", b"next")
        transport.close()
    finally:
        controller.stop()
    assert outcomes == ["sent", "550 5.1.1 No such user", "sent", "sent"]
    assert [e.rcpt_tos for e in handler.envelopes] == [[f"p{i}@example.org"] for i in (0, 2, 3)]
    assert [e.mail_from for e in handler.envelopes] == ["no-reply@example.org"] * 3
    assert len(handler.sessions) == 1  # one connection for the whole batch


def test_a_begun_message_is_not_delivered_before_its_send():
    from confapp.mail import delivery

    handler = Collector()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        transport = delivery.SmtpTransport(f"smtp://127.0.0.1:{controller.port}")
        transport.send("a@example.org", "b@example.org", b"Subject: one\r\n\r\nx\r\n")
        transport.begin("a@example.org", b"Subject: two\r\n\r\ny\r\n")
        # The worker dies here (nothing more is said): the second message never arrives.
        transport.client.sock.close()
        transport.client = None
        time.sleep(0.2)
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1
