"""Delivering the outbox: claim due rows, send them over one connection, mark each.

Two workers never send the same row: a batch is claimed with one conditional UPDATE that
only takes queued rows (on PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
concurrent claims take different rows instead of waiting). Each outcome is committed as
soon as the server has answered, before the next message's DATA (its MAIL FROM goes out
first, so the server reads it while the outcome is committed: nothing is delivered before
DATA ends); so after a crash only the first message still marked "sending" in a batch can
have left without being marked, and the sweep that hands such rows back says so in the
row's log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import smtplib
import ssl
import time
import uuid
from email.utils import formatdate
from email.utils import parseaddr
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask
from flask import current_app

from confapp import jobs
from confapp.db import utcnow
from confapp.extensions import db
from confapp.mail.models import MailStatus
from confapp.mail.models import OutboxContent
from confapp.mail.models import OutboxMessage

log = logging.getLogger("confapp.mail")
_outbox = OutboxMessage.__table__  # statements on the table: run by a session or a connection

INTERRUPTED = (
    "The worker stopped while this message was being sent; it is sent again and may arrive twice."
)


class TemporaryFailure(Exception):
    """The message may go through later (relay down, 4xx answer)."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx answer)."""


class BrokenConnection(TemporaryFailure):
    """The connection is unusable: the rest of the batch waits for a new one."""


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}".strip()


def classify(exc: BaseException) -> Exception:
    """Sort a transport error into temporary or permanent, with the server's answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return (PermanentFailure if code >= 500 else TemporaryFailure)(_answer(code, text))
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return BrokenConnection(f"The mail server closed the connection: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):
        answer = _answer(exc.smtp_code, exc.smtp_error)
        if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPHeloError):
            return BrokenConnection(answer)
        return (PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure)(answer)
    if isinstance(exc, OSError | smtplib.SMTPException):
        return BrokenConnection(f"Could not reach the mail server: {exc}")
    return PermanentFailure(str(exc))


class FolderTransport:
    """No mail server configured: each message becomes an .eml file in the outbox folder."""

    def __init__(self, app: Flask) -> None:
        from confapp.mail import outbox_dir

        self.folder = outbox_dir(app)

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Write one message."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = formatdate(usegmt=True)[5:25].replace(" ", "-").replace(":", "")
        # Stored for SMTP (CRLF); a file on disk reads better with the platform's LF.
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(data.replace(b"\r\n", b"\n"))

    def begin(self, sender: str, data: bytes) -> None:
        """Nothing to say ahead to a folder."""

    def close(self) -> None:
        """Nothing to close."""


class SmtpTransport:
    """One SMTP connection, opened at the first message and reused for the batch."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        self.parts = urlsplit(url)
        self.query = parse_qs(self.parts.query)
        self.timeout = timeout
        self.client: smtplib.SMTP | None = None
        # MAIL FROM of the next message was said (begin) and its answer is still unread.
        self._mail_pending = False

    def _open(self) -> smtplib.SMTP:
        parts = self.parts
        host = parts.hostname or "localhost"
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, parts.port or 465, context=ssl.create_default_context(), timeout=self.timeout
            )
        else:
            client = smtplib.SMTP(host, parts.port or 25, timeout=self.timeout)
        try:
            if parts.scheme == "smtp" and self.query.get("starttls", ["0"])[0] in ("1", "true"):
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
        except BaseException:
            client.close()
            raise
        return client

    def begin(self, sender: str, data: bytes) -> None:
        """Say MAIL FROM for the next message without waiting for the answer, so the
        server reads it while the worker records the previous outcome. Nothing is
        delivered before DATA ends, so a crash meanwhile sends nothing twice."""
        if self.client is None or self._mail_pending:
            return
        try:
            self.client.putcmd("mail", "FROM:" + smtplib.quoteaddr(sender) + self._options(data))
        except (OSError, smtplib.SMTPException):
            self.close()  # the next send opens a new connection
            return
        self._mail_pending = True

    def _options(self, data: bytes) -> str:
        client = self.client
        if client is not None and client.does_esmtp and client.has_extn("size"):
            return f" size={len(data)}"
        return ""

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Send one message; raises TemporaryFailure or PermanentFailure."""
        try:
            if self.client is None:
                self.client = self._open()
                self.client.ehlo_or_helo_if_needed()
            self._send(self.client, sender, recipient, data)
        except Exception as exc:
            failure = classify(exc)
            if isinstance(failure, BrokenConnection):
                self.close()
            raise failure from exc

    def _send(self, client: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
        # smtplib's sendmail() for one recipient, split so that MAIL FROM can be said
        # ahead (begin) and answered here.
        if self._mail_pending:
            self._mail_pending = False
            code, answer = client.getreply()
        else:
            code, answer = client.mail(sender, self._options(data).split())
        if code != 250:
            self._reset(client, code)
            raise smtplib.SMTPSenderRefused(code, answer, sender)
        code, answer = client.rcpt(recipient)
        if code not in (250, 251):
            self._reset(client, code)
            raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
        code, answer = client.data(data)
        if code != 250:
            self._reset(client, code)
            raise smtplib.SMTPDataError(code, answer)

    def _reset(self, client: smtplib.SMTP, code: int) -> None:
        if code == 421:  # the server is closing the session: the next send opens another
            self.close()
        else:
            client._rset()

    def close(self) -> None:
        """End the session (QUIT), quietly."""
        client, self.client = self.client, None
        self._mail_pending = False
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def transport_for(app: Flask):
    """SMTP when MAIL_URL is set, else the outbox folder."""
    url = app.config.get("MAIL_URL")
    if url:
        return SmtpTransport(url, timeout=float(app.config.get("MAIL_TIMEOUT", 30)))
    return FolderTransport(app)


def envelope_sender(app: Flask) -> str:
    """The envelope sender (MAIL FROM) taken from MAIL_SENDER."""
    _, address = parseaddr(app.config["MAIL_SENDER"])
    return address or app.config["MAIL_SENDER"]


def retry_delay(attempts: int, app: Flask) -> float:
    """Seconds to wait after the `attempts`-th temporary failure (doubling, capped)."""
    base = float(app.config.get("MAIL_RETRY_BASE", 60))
    cap = float(app.config.get("MAIL_RETRY_MAX_DELAY", 1800))
    return min(cap, base * 2 ** max(0, attempts - 1))


# --- claiming --------------------------------------------------------------------------


@dataclasses.dataclass
class Claimed:
    """A row a batch holds: what sending it needs."""

    id: int
    recipient: str
    mime: bytes
    attempts: int
    retry_until: dt.datetime | None


def claim(now: dt.datetime, size: int) -> tuple[str, list[Claimed]]:
    """Take up to `size` due messages for this batch; commit; return them in id order."""
    token = uuid.uuid4().hex
    due = (
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # The status condition is checked again by the UPDATE itself: a row another batch took
    # in the meantime is not taken twice (SQLite runs one writer at a time).
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .where(OutboxMessage.status == MailStatus.QUEUED)
        # sent_at is what tells this batch's sent rows apart (see settle).
        .values(
            status=MailStatus.SENDING, claim=token, claimed_at=now, sent_at=None, updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        sa.select(
            OutboxMessage.id,
            OutboxMessage.recipient,
            OutboxContent.mime,
            OutboxMessage.attempts,
            OutboxMessage.retry_until,
        )
        .join(OutboxContent, OutboxContent.outbox_message_id == OutboxMessage.id)
        .where(OutboxMessage.claim == token, OutboxMessage.status == MailStatus.SENDING)
        .order_by(OutboxMessage.id)
    ).all()
    db.session.commit()
    return token, [Claimed(*row) for row in rows]


def _set(message_id: int, token: str, *, on=None, **values) -> None:
    (on or db.session).execute(
        sa.update(_outbox)
        .where(_outbox.c.id == message_id, _outbox.c.claim == token)
        .values(**values)
    )


# The common outcome, built once and kept small: a sent message's own row gets its time
# and attempt count, and nothing indexed changes (on SQLite that is about a page of WAL to
# commit instead of the row and three index entries). The batch's sent rows change status
# together when it ends (settle), or the sweep does it for a batch whose worker died.
_MARK_SENT = (
    sa.update(_outbox)
    .where(_outbox.c.id == sa.bindparam("row_id"), _outbox.c.claim == sa.bindparam("token"))
    .values(
        sent_at=sa.bindparam("at"),
        attempts=sa.bindparam("new_attempts"),
        updated_at=sa.bindparam("at"),
    )
)


def settle(now: dt.datetime, *, token: str | None = None, claimed_before=None, on=None) -> int:
    """Mark "sent" the rows a batch has sent (their sent_at is set while they are still
    "sending"): those of `token`, or of every batch claimed before `claimed_before`."""
    query = sa.update(_outbox).where(
        _outbox.c.status == MailStatus.SENDING, _outbox.c.sent_at.is_not(None)
    )
    if token is not None:
        query = query.where(_outbox.c.claim == token)
    else:
        query = query.where(_outbox.c.claimed_at < claimed_before)
    result = (on or db.session).execute(
        query.values(status=MailStatus.SENT, claim=None, updated_at=now)
    )
    return result.rowcount


class _SentMarker:
    """Marks sent rows and commits, straight on the driver's connection.

    This is the one statement a worker runs per message, between two SMTP exchanges; run
    through SQLAlchemy it costs about as much again as the statement itself, which is a
    tenth of a fast relay's time per message. The statement is compiled once for the
    dialect; the transaction is the driver's own (nothing else runs on this connection
    between two commits)."""

    def __init__(self, conn: sa.Connection) -> None:
        compiled = _MARK_SENT.compile(dialect=conn.dialect)
        self.sql = compiled.string
        self.order = compiled.positiontup if compiled.positional else None
        self.processors = {
            key: bind.type.bind_processor(conn.dialect)
            for key, bind in compiled.binds.items()
            if bind.type.bind_processor(conn.dialect) is not None
        }
        self.raw = conn.connection.dbapi_connection
        self.cursor = self.raw.cursor()

    def mark(self, row: Claimed, token: str, now: dt.datetime) -> None:
        """Record that `row` was sent at `now` and commit."""
        params = {"row_id": row.id, "token": token, "new_attempts": row.attempts + 1, "at": now}
        for key, process in self.processors.items():
            params[key] = process(params[key])
        if self.order is not None:
            self.cursor.execute(self.sql, tuple(params[key] for key in self.order))
        else:
            self.cursor.execute(self.sql, params)
        self.raw.commit()

    def close(self) -> None:
        """Release the cursor."""
        self.cursor.close()


def _outcome(
    row: Claimed, token: str, failure: Exception | None, now: dt.datetime, app, on=None
) -> None:
    on = on or db.session
    if failure is None:
        on.execute(
            _MARK_SENT,
            {"row_id": row.id, "token": token, "new_attempts": row.attempts + 1, "at": now},
        )
        return
    attempts = row.attempts + 1
    retry_until = row.retry_until or now + dt.timedelta(
        seconds=float(app.config.get("MAIL_RETRY_FOR", 3 * 3600))
    )
    if isinstance(failure, PermanentFailure) or now >= retry_until:
        reason = str(failure)
        if not isinstance(failure, PermanentFailure):
            reason = f"Gave up after {attempts} attempts: {reason}"
        _set(
            row.id,
            token,
            on=on,
            status=MailStatus.FAILED,
            attempts=attempts,
            claim=None,
            last_error=reason,
            updated_at=now,
        )
        log.warning("message %s failed for good: %s", row.id, reason)
        return
    _set(
        row.id,
        token,
        on=on,
        status=MailStatus.QUEUED,
        attempts=attempts,
        claim=None,
        retry_until=retry_until,
        next_attempt_at=now + dt.timedelta(seconds=retry_delay(attempts, app)),
        last_error=str(failure),
        updated_at=now,
    )


@jobs.task("mail.deliver")
def deliver_due() -> dict[str, int]:
    """Send one batch of due messages over one connection; enqueue the next batch."""
    app = current_app._get_current_object()
    size = int(app.config.get("MAIL_BATCH_SIZE", 100))
    token, batch = claim(utcnow(), size)
    if not batch:
        return {"sent": 0}
    if len(batch) == size:
        # Probably more: another worker may take the next batch while this one sends.
        jobs.enqueue("mail.deliver")
    return send_batch(app, token, batch)


def send_batch(app: Flask, token: str, batch: list[Claimed]) -> dict[str, int]:
    """Send the claimed rows in order, committing each outcome before the next message's
    DATA (only its MAIL FROM is said earlier, which delivers nothing)."""
    transport = transport_for(app)
    sender = envelope_sender(app)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    refresh_every = max(0.5, float(app.config.get("MAIL_CLAIM_TIMEOUT", 600)) / 3)
    refreshed = time.monotonic()
    broken: Exception | None = None
    # The outcomes go through a connection of their own, held for the batch: one short
    # statement and a commit per message, without the session's bookkeeping.
    with db.engine.connect() as conn:
        marker = _SentMarker(conn)
        try:
            for index, row in enumerate(batch):
                failure: Exception | None = broken
                if failure is None:
                    try:
                        transport.send(sender, row.recipient, row.mime)
                    except (TemporaryFailure, PermanentFailure) as exc:
                        failure = exc
                        if isinstance(exc, BrokenConnection):
                            broken = exc  # the rest of the batch waits for the next try
                if broken is None and index + 1 < len(batch):
                    # The server reads the next MAIL FROM while this outcome is committed.
                    transport.begin(sender, batch[index + 1].mime)
                now = utcnow()
                if failure is None and time.monotonic() - refreshed <= refresh_every:
                    marker.mark(row, token, now)
                else:
                    _outcome(row, token, failure, now, app, on=conn)
                    if time.monotonic() - refreshed > refresh_every:
                        # Still alive: the sweep must not hand this batch to another worker.
                        conn.execute(
                            sa.update(_outbox)
                            .where(_outbox.c.claim == token)
                            .values(claimed_at=now)
                        )
                        refreshed = time.monotonic()
                    conn.commit()
                key = "sent" if failure is None else "retry"
                if isinstance(failure, PermanentFailure):
                    key = "failed"
                counts[key] += 1
        finally:
            marker.close()
            transport.close()
        settle(utcnow(), token=token, on=conn)
        conn.commit()
    if counts["retry"]:
        next_due = db.session.scalar(
            sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.status == MailStatus.QUEUED
            )
        )
        db.session.commit()
        if next_due is not None:
            delay = max(1.0, (next_due - utcnow()).total_seconds())
            jobs.enqueue("mail.deliver", delay=delay)
    return counts


def recover(now: dt.datetime, app: Flask) -> int:
    """Hand back rows of batches whose worker died (claim older than MAIL_CLAIM_TIMEOUT);
    the first unmarked row of each such batch may have been sent: its log says so."""
    timeout = float(app.config.get("MAIL_CLAIM_TIMEOUT", 600))
    # What the dead batches did send (their sent_at is set) is sent; the rest goes back.
    settle(now, claimed_before=now - dt.timedelta(seconds=timeout))
    stale = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.claim, OutboxMessage.message_id)
        .where(
            OutboxMessage.status == MailStatus.SENDING,
            OutboxMessage.claimed_at < now - dt.timedelta(seconds=timeout),
        )
        .order_by(OutboxMessage.id)
    ).all()
    first_of_claim: dict[str, tuple[int, str]] = {}
    for message_id, token, header_id in stale:
        first_of_claim.setdefault(token, (message_id, header_id))
    for message_id, token, header_id in stale:
        in_flight = first_of_claim[token][0] == message_id
        values = dict(status=MailStatus.QUEUED, claim=None, next_attempt_at=now, updated_at=now)
        if in_flight:
            values["last_error"] = INTERRUPTED
            log.warning(
                "message %s (%s) was in flight when its worker stopped", message_id, header_id
            )
        _set(message_id, token, **values)
    db.session.commit()
    return len(stale)


def sweep(now: dt.datetime) -> dict[str, int]:
    """Recover dead batches and enqueue delivery when due messages are waiting (a lost
    enqueue, a back-off that has run out)."""
    app = current_app._get_current_object()
    recovered = recover(now, app)
    due = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
    )
    db.session.commit()
    if due:
        jobs.enqueue("mail.deliver")
    return {"recovered": recovered, "due": due}
