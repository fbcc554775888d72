"""Queued e-mail leaves only with a commit, even when the transaction ran no SQL."""

from __future__ import annotations

from email.message import EmailMessage

from confapp.extensions import db
from confapp.mail import queue_mail


def _message(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = "a@example.org"
    msg["From"] = "x@example.org"
    msg["Subject"] = subject
    msg.set_content("hello")
    return msg


def test_rollback_without_sql_drops_queued_mail(app_ctx, outbox):
    queue_mail(_message("dropped"))
    db.session.rollback()
    db.session.commit()
    assert [m["Subject"] for m in outbox.messages()] == []


def test_commit_sends_queued_mail_once(app_ctx, outbox):
    queue_mail(_message("kept"))
    db.session.commit()
    db.session.commit()
    assert [m["Subject"] for m in outbox.messages()] == ["kept"]
