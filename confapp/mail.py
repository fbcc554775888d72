"""Outgoing e-mail: SMTP when CONFAPP_MAIL_URL is set, else .eml files in the outbox.

Services queue messages on the database session; they leave only after the session
commits, so a rolled-back action never sends an e-mail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import ssl
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import formatdate
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

import click
import sqlalchemy as sa
from flask import Flask
from flask import current_app
from flask import render_template
from sqlalchemy.orm import Session

from confapp.extensions import db
from confapp.urls import base_url
from confapp.urls import site_domain

_OUTBOX_KEY = "confapp_outbox"


def build_message(
    to: str,
    subject: str,
    template: str,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context,
) -> EmailMessage:
    """Render templates/email/<template>.txt into a message (attachments: name, mime, data)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))  # "+0000", not "-0000"
    msg["Message-ID"] = make_msgid(domain=site_domain())
    msg.set_content(render_template(f"email/{template}.txt", **context))
    for filename, mime, data in attachments or []:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def queue_mail(message: EmailMessage) -> None:
    """Send the message once the current transaction commits."""
    # Start the transaction now, so a rollback that follows is a real one and drops
    # the message rather than leaving it for some later commit.
    db.session.connection()
    db.session.info.setdefault(_OUTBOX_KEY, []).append(message)


def send_mail(to: str, subject: str, template: str, **kwargs) -> EmailMessage:
    """Build a message from a template and queue it for after the commit."""
    message = build_message(to, subject, template, **kwargs)
    queue_mail(message)
    return message


def deliver(message: EmailMessage, app: Flask | None = None) -> None:
    """Send one message now, by SMTP or into the outbox folder."""
    app = app or current_app
    url = app.config.get("MAIL_URL")
    if url:
        _send_smtp(url, message)
    else:
        outbox = outbox_dir(app)
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = formatdate(usegmt=True)[5:25].replace(" ", "-").replace(":", "")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        (outbox / name).write_bytes(bytes(message))


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


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, context=ssl.create_default_context(), timeout=30
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=30)
    with client:
        if parts.scheme == "smtp" and query.get("starttls", ["0"])[0] in ("1", "true"):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _after_commit(session: Session) -> None:
    for message in session.info.pop(_OUTBOX_KEY, []):
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException):
            # The action itself succeeded; a mail relay outage must not undo it.
            current_app.logger.exception("could not send e-mail to %s", message["To"])


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    # A soft rollback fires even when no SQL ran; only the outermost one drops the
    # queue (a savepoint rollback keeps what the enclosing transaction queued).
    if previous_transaction.parent is None:
        session.info.pop(_OUTBOX_KEY, None)


def init_app(app: Flask) -> None:
    """Wire the after-commit delivery of queued messages (once per process)."""
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_soft_rollback)
