"""Outgoing e-mail through a transactional outbox.

``send_mail(...)`` renders a message and writes it as a row of the outbox in the current
transaction: a rolled-back action leaves no row, a committed one cannot lose its
message. After the commit a "deliver due messages" job is enqueued; a worker claims due
rows, sends them over one SMTP connection per batch (or writes ``.eml`` files to the
instance outbox folder when no ``CONFAPP_MAIL_URL`` is set) and marks each one. Temporary
failures are retried with exponential back-off; a periodic sweep finds what a lost
enqueue or a killed worker left behind (:mod:`confapp.mail.delivery`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from pathlib import Path

import click
from flask import Flask
from flask import current_app

from confapp.extensions import db
from confapp.i18n import language_of
from confapp.mail.compose import Attachment
from confapp.mail.compose import build_message
from confapp.mail.compose import calendar_attachment
from confapp.mail.compose import header_text
from confapp.urls import base_url

__all__ = [
    "Attachment",
    "build_message",
    "calendar_attachment",
    "links_context",
    "outbox_dir",
    "queue_mail",
    "send_mail",
]


def _id_of(value) -> int | None:
    return getattr(value, "id", None) if value is not None else None


def queue_mail(
    message: EmailMessage,
    *,
    event_id: int | None = None,
    registration_id: int | None = None,
    language: str | None = None,
):
    """Write `message` to the outbox in the current transaction; it is delivered after
    the commit (and never, if the transaction rolls back). Returns the outbox row."""
    from confapp import jobs
    from confapp.mail.models import OutboxContent
    from confapp.mail.models import OutboxMessage

    if message["Message-ID"] is None:
        from email.utils import make_msgid

        from confapp.urls import site_domain

        message["Message-ID"] = make_msgid(domain=site_domain())
    _, recipient = parseaddr(str(message["To"] or ""))
    row = OutboxMessage(
        event_id=event_id,
        registration_id=registration_id,
        recipient=(recipient or header_text(message["To"]))[:254].lower(),
        language=language,
        subject=header_text(message["Subject"]),
        message_id=str(message["Message-ID"]).strip(),
        content=OutboxContent(mime=message.as_bytes(policy=SMTP)),
    )
    db.session.add(row)
    jobs.after_commit("mail.deliver")
    return row


def send_mail(
    to: str,
    subject: str,
    template: str,
    attachments: list[Attachment] | None = None,
    *,
    language: str | None = None,
    **context,
) -> EmailMessage:
    """Render a message from a template and write it to the outbox (sent after the
    commit). The event and registration it concerns are taken from the context
    (``event``, ``registration`` or ``reg``). Without a `language` the message is written
    in the recipient's (the ``user`` or registration of the context, see
    :func:`confapp.i18n.language_of`), else the event's default language."""
    registration = context.get("registration") or context.get("reg")
    event = context.get("event") or getattr(registration, "event", None)
    if language is None:
        language = language_of(context.get("user") or registration, event)
    message = build_message(to, subject, template, attachments, language=language, **context)
    queue_mail(
        message,
        event_id=_id_of(event),
        registration_id=_id_of(registration),
        language=language,
    )
    return message


@contextlib.contextmanager
def links_context() -> Iterator[None]:
    """Around CLI commands that send e-mail: say where the links will point when
    CONFAPP_BASE_URL is unset (links come from confapp.urls, in a request or not)."""
    if not current_app.config.get("BASE_URL_CONFIGURED"):
        click.echo(
            f"CONFAPP_BASE_URL is not set: links in e-mails will point to {base_url()}",
            err=True,
        )
    yield


def outbox_dir(app: Flask | None = None) -> Path:
    """Folder where messages go when no SMTP server is configured."""
    app = app or current_app
    return Path(app.config.get("MAIL_OUTBOX") or Path(app.instance_path) / "outbox")


def init_app(app: Flask) -> None:
    """Offer the delivery warning to templates; delivery itself runs as jobs."""
    from confapp.mail import services

    app.add_template_global(services.delivery_trouble, "mail_delivery_trouble")
