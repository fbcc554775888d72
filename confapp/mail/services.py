"""The delivery log of an event: what was sent, what is retrying, what failed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp import jobs
from confapp.errors import DomainError
from confapp.eventlog.services import note_change
from confapp.extensions import db
from confapp.mail.models import MailStatus
from confapp.mail.models import OutboxMessage


@dataclasses.dataclass(frozen=True)
class Trouble:
    """Messages of an event that did not go out: failed for good, or being retried."""

    failed: int
    retrying: int

    def __bool__(self) -> bool:
        return bool(self.failed or self.retrying)


def delivery_trouble(event) -> Trouble:
    """How many of the event's messages failed or are waiting to be tried again."""
    if event is None or getattr(event, "id", None) is None:
        return Trouble(0, 0)
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(
            OutboxMessage.event_id == event.id,
            sa.or_(
                OutboxMessage.status == MailStatus.FAILED,
                sa.and_(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.attempts > 0),
            ),
        )
        .group_by(OutboxMessage.status)
    ).all()
    counts = {status: count for status, count in rows}
    return Trouble(counts.get(MailStatus.FAILED, 0), counts.get(MailStatus.QUEUED, 0))


def status_counts(event) -> dict[str, int]:
    """Messages of the event by status (every status present, zero or not)."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(OutboxMessage.event_id == event.id)
        .group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in MailStatus}
    counts.update({status.value: count for status, count in rows})
    return counts


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def messages_of(event, *, status: str = "", query: str = "", page: int = 1, per_page: int = 50):
    """One page of the event's messages, newest first, with the total that match."""
    stmt = sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    if status in {s.value for s in MailStatus}:
        stmt = stmt.where(OutboxMessage.status == MailStatus(status))
    query = " ".join((query or "").split())[:200]
    if query:
        pattern = _like(query.lower())
        stmt = stmt.where(
            sa.or_(
                OutboxMessage.recipient.like(pattern, escape="\\"),
                sa.func.lower(OutboxMessage.subject).like(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return rows, total


def send_again(message: OutboxMessage, now: dt.datetime) -> OutboxMessage:
    """Put a failed message back in the queue, to be tried at once."""
    # A conditional UPDATE: a double click queues it once, a message a worker already
    # took again is left alone.
    changed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == MailStatus.FAILED)
        .values(
            status=MailStatus.QUEUED,
            attempts=0,
            retry_until=None,
            next_attempt_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise DomainError(
            _("This message is not marked failed (any more): nothing to send again."),
            code="already_done",
        )
    note_change(message, status=(MailStatus.FAILED.value, MailStatus.QUEUED.value))
    db.session.refresh(message)
    jobs.after_commit("mail.deliver")
    return message


def send_all_failed_again(event, now: dt.datetime) -> int:
    """Queue every failed message of the event again; return how many."""
    changed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.event_id == event.id, OutboxMessage.status == MailStatus.FAILED)
        .values(
            status=MailStatus.QUEUED,
            attempts=0,
            retry_until=None,
            next_attempt_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        jobs.after_commit("mail.deliver")
    return changed
