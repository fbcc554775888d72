"""The outbox: rows in the action's transaction, messages readable by strict parsers,
headers that never raise, delivery outcomes (sent, retried with back-off, failed)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import smtplib
import threading

import pytest
import sqlalchemy as sa

from confapp.db import utcnow
from confapp.extensions import db
from confapp.mail import build_message
from confapp.mail import calendar_attachment
from confapp.mail import delivery
from confapp.mail import send_mail
from confapp.mail.compose import text_to_html
from confapp.mail.models import MailStatus
from confapp.mail.models import OutboxMessage
from tests.helpers import make_confirmed_registration
from tests.helpers import make_event


def _strict(raw: bytes) -> email.message.EmailMessage:
    """Parse as a strict reader would: any defect raises."""
    return email.message_from_bytes(raw, policy=email.policy.strict)


def _rows() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_message_is_a_row_of_the_actions_transaction(app):
    with app.test_request_context():
        event = make_event()
        reg = make_confirmed_registration(event, "ana@example.org")
        db.session.commit()
        send_mail(
            "Ana@Example.org",
            "Hello",
            "registration_promoted",
            reg=reg,
            event=event,
            mine_url="http://localhost/x",
        )
        db.session.rollback()
        assert _rows() == []  # a rolled-back action leaves no row
        send_mail(
            "Ana@Example.org",
            "Hello",
            "registration_promoted",
            reg=reg,
            event=event,
            mine_url="http://localhost/x",
            language="fr",
        )
        db.session.commit()
        [row] = _rows()
        assert (row.recipient, row.event_id, row.registration_id, row.language) == (
            "ana@example.org",
            event.id,
            reg.id,
            "fr",
        )
        assert row.status is MailStatus.SENT  # immediate mode: delivered at the commit
        assert row.attempts == 1 and row.sent_at is not None
        assert row.message_id.endswith("@localhost>")  # the site's domain


def test_service_mail_has_text_and_html_parts_and_reads_strictly(app):
    with app.test_request_context():
        event = make_event(contact_email="team@cdc.example.org")
        reg = make_confirmed_registration(event, "ana@example.org")
        message = build_message(
            "ana@example.org",
            "You have a place",
            "registration_promoted",
            reg=reg,
            event=event,
            mine_url="http://localhost/events/cdc/my-registration",
        )
    parsed = _strict(message.as_bytes(policy=email.policy.SMTP))
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Date"].endswith("+0000")
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Reply-To"] == "team@cdc.example.org"
    assert not [name for name in parsed.keys() if name.lower().startswith("list-")]
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "http://localhost/events/cdc/my-registration" in text
    assert '<a href="http://localhost/events/cdc/my-registration">' in html
    assert "Changing paradigms of cluster development" in html  # the layout's header
    assert 'lang="en"' in html


def test_line_breaks_in_titles_and_names_never_break_a_header(app):
    with app.test_request_context():
        event = make_event(title="Cluster\r\nForum\x0b2027")
        reg = make_confirmed_registration(event, "ana@example.org", full_name="Ana\nBcc: x@y")
        message = build_message(
            "ana@example.org\r\nBcc: evil@example.org",
            f"You have a place: {event.title}",
            "registration_promoted",
            to_name=reg.full_name,
            reg=reg,
            event=event,
            mine_url="http://localhost/x",
        )
    raw = message.as_bytes(policy=email.policy.SMTP)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "You have a place: Cluster Forum 2027"
    assert parsed["Bcc"] is None
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in headers


def test_calendar_attachment_carries_its_method(app):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    with app.test_request_context():
        event = make_event()
        reg = make_confirmed_registration(event, "ana@example.org")
        message = build_message(
            "ana@example.org",
            "Changed",
            "registration_promoted",
            [calendar_attachment("session.ics", ics, method="request")],
            reg=reg,
            event=event,
            mine_url="http://localhost/x",
        )
    parsed = _strict(message.as_bytes(policy=email.policy.SMTP))
    [part] = [p for p in parsed.iter_attachments()]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_param("charset").lower() == "utf-8"
    assert part.get_filename() == "session.ics"
    assert "METHOD:REQUEST" in part.get_content()


def test_text_to_html_escapes_and_links():
    html = str(text_to_html("Hi <b>&\n\nSee https://x.org/a?b=1&c=2.\n\n- one\n- two"))
    assert "&lt;b&gt;&amp;" in html
    assert '<a href="https://x.org/a?b=1&amp;c=2">https://x.org/a?b=1&amp;c=2</a>.' in html
    assert "<li>one</li><li>two</li>" in html


# --- delivery outcomes, with a scripted transport ---------------------------------------


class ScriptedTransport:
    """Answers each send with the next scripted outcome (None = accepted)."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.sent = []

    def send(self, sender, recipient, data):
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise delivery.classify(outcome)
        self.sent.append(recipient)

    def begin(self, sender, data):
        pass

    def close(self):
        pass


def _queue_plain(n: int, app) -> None:
    from email.message import EmailMessage

    from confapp.mail import queue_mail

    for i in range(n):
        msg = EmailMessage()
        msg["From"] = "x@example.org"
        msg["To"] = f"p{i}@example.org"
        msg["Subject"] = f"m{i}"
        msg.set_content("hello")
        queue_mail(msg)


@pytest.fixture
def queued_later(app, monkeypatch):
    """Messages written without delivery at the commit (as if the enqueue were lost)."""
    monkeypatch.setattr("confapp.jobs.after_commit", lambda *a, **k: None)
    return app


def test_temporary_failures_back_off_then_give_up_permanent_ones_fail_at_once(
    queued_later, monkeypatch
):
    app = queued_later
    with app.app_context():
        _queue_plain(3, app)
        db.session.commit()
        refused = smtplib.SMTPRecipientsRefused({"p1@example.org": (550, b"5.1.1 No such user")})
        busy = smtplib.SMTPRecipientsRefused({"p2@example.org": (451, b"4.3.0 Try later")})
        transport = ScriptedTransport([None, refused, busy])
        monkeypatch.setattr(delivery, "transport_for", lambda _app: transport)
        now = utcnow()
        token, batch = delivery.claim(now, 10)
        counts = delivery.send_batch(app, token, batch)
        assert counts == {"sent": 1, "failed": 1, "retry": 1}
        sent, failed, retrying = _rows()
        assert sent.status is MailStatus.SENT
        assert failed.status is MailStatus.FAILED
        assert failed.last_error == "550 5.1.1 No such user"
        assert retrying.status is MailStatus.QUEUED and retrying.attempts == 1
        assert retrying.last_error == "451 4.3.0 Try later"
        first_wait = (retrying.next_attempt_at - now).total_seconds()
        assert 59 <= first_wait <= 120
        assert retrying.retry_until - now >= dt.timedelta(hours=2)
        # Not due yet: nothing is claimed.
        assert delivery.claim(now, 10)[1] == []
        # The waits double (60 s, 120 s, 240 s...) up to the cap.
        assert [delivery.retry_delay(n, app) for n in (1, 2, 3, 10)] == [60, 120, 240, 1800]
        # Past the retry window the next temporary failure is the last.
        later = retrying.retry_until + dt.timedelta(seconds=1)
        monkeypatch.setattr(delivery, "utcnow", lambda: later)
        transport.outcomes = [busy]
        token, batch = delivery.claim(later, 10)
        delivery.send_batch(app, token, batch)
        db.session.refresh(retrying)
        assert retrying.status is MailStatus.FAILED
        assert retrying.last_error.startswith("Gave up after 2 attempts: 451")


def test_relay_down_keeps_every_message_queued(queued_later, monkeypatch):
    app = queued_later
    app.config["MAIL_URL"] = "smtp://127.0.0.1:9"  # nothing listens on the discard port
    with app.app_context():
        _queue_plain(5, app)
        db.session.commit()
        token, batch = delivery.claim(utcnow(), 10)
        counts = delivery.send_batch(app, token, batch)
        assert counts["retry"] == 5
        rows = _rows()
        assert {r.status for r in rows} == {MailStatus.QUEUED}
        assert all(r.last_error.startswith("Could not reach the mail server") for r in rows)


def test_two_concurrent_claims_never_share_a_row(queued_later):
    app = queued_later
    with app.app_context():
        _queue_plain(60, app)
        db.session.commit()
    taken: list[list[int]] = []
    errors = []
    barrier = threading.Barrier(3)

    def claimer():
        try:
            with app.app_context():
                barrier.wait()
                mine = []
                while True:
                    _token, batch = delivery.claim(utcnow(), 7)
                    if not batch:
                        break
                    mine.extend(row.id for row in batch)
                taken.append(mine)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    every = [i for mine in taken for i in mine]
    assert len(every) == 60 and len(set(every)) == 60


def test_a_dead_batch_is_handed_back_and_its_first_unmarked_row_flagged(queued_later, monkeypatch):
    app = queued_later
    app.config["MAIL_CLAIM_TIMEOUT"] = 60
    with app.app_context():
        _queue_plain(4, app)
        db.session.commit()
        token, batch = delivery.claim(utcnow(), 10)
        # The worker sent the first message and died while sending the second.
        delivery._outcome(batch[0], token, None, utcnow(), app)
        db.session.execute(
            sa.update(OutboxMessage).values(claimed_at=utcnow() - dt.timedelta(minutes=5))
        )
        db.session.commit()
        monkeypatch.setattr("confapp.jobs.enqueue", lambda *a, **k: None)
        result = delivery.sweep(utcnow())
        assert result == {"recovered": 3, "due": 3}
        rows = _rows()
        assert [r.status for r in rows] == [MailStatus.SENT] + [MailStatus.QUEUED] * 3
        assert rows[1].last_error == delivery.INTERRUPTED
        assert rows[2].last_error is None and rows[3].last_error is None
