"""The record of an announcement: who got it and how delivery went, as counts, rows and
a CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa

from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementRecipient
from confapp.comms.models import RecipientStatus
from confapp.extensions import db
from confapp.mail.models import MailStatus
from confapp.mail.models import OutboxMessage


def announcements_of(event: Any) -> list[Announcement]:
    """Every announcement of the event, newest first."""
    return list(
        db.session.scalars(
            sa.select(Announcement)
            .where(Announcement.event_id == event.id)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        )
    )


def delivery_status(recipient: AnnouncementRecipient) -> str:
    """queued, sent, failed or opted_out (sending counts as queued)."""
    if recipient.status is RecipientStatus.OPTED_OUT:
        return "opted_out"
    if recipient.status is RecipientStatus.PENDING or recipient.outbox is None:
        return "queued"
    status = recipient.outbox.status
    if status is MailStatus.SENT:
        return "sent"
    if status is MailStatus.FAILED:
        return "failed"
    return "queued"


def counts(announcement: Announcement) -> dict[str, int]:
    """Recipients by delivery status: queued, sent, failed (and opted_out)."""
    rows = db.session.execute(
        sa.select(AnnouncementRecipient.status, OutboxMessage.status, sa.func.count())
        .select_from(AnnouncementRecipient)
        .outerjoin(OutboxMessage, OutboxMessage.id == AnnouncementRecipient.outbox_message_id)
        .where(AnnouncementRecipient.announcement_id == announcement.id)
        .group_by(AnnouncementRecipient.status, OutboxMessage.status)
    ).all()
    found = {"queued": 0, "sent": 0, "failed": 0, "opted_out": 0}
    for recipient_status, mail_status, number in rows:
        if recipient_status is RecipientStatus.OPTED_OUT:
            found["opted_out"] += number
        elif mail_status is MailStatus.SENT:
            found["sent"] += number
        elif mail_status is MailStatus.FAILED:
            found["failed"] += number
        else:
            found["queued"] += number
    return found


def recipients_of(announcement: Announcement) -> list[AnnouncementRecipient]:
    """The recipient rows with their outbox rows, by name."""
    return list(
        db.session.scalars(
            sa.select(AnnouncementRecipient)
            .where(AnnouncementRecipient.announcement_id == announcement.id)
            .options(sa.orm.joinedload(AnnouncementRecipient.outbox))
            .order_by(sa.func.lower(AnnouncementRecipient.full_name), AnnouncementRecipient.id)
        ).unique()
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would be a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_csv(announcement: Announcement) -> bytes:
    """The record as CSV: the message, who sent it and when, then one line per recipient."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["announcement", announcement.id])
    writer.writerow(["subject", _cell(announcement.subject)])
    writer.writerow(["sent_by", _cell(announcement.created_by_email)])
    writer.writerow(["created_at", announcement.created_at.isoformat()])
    writer.writerow(["send_at", announcement.send_at.isoformat()])
    writer.writerow(["status", announcement.status.value])
    import json

    writer.writerow(["segment", json.dumps(announcement.segment, sort_keys=True)])
    writer.writerow([])
    writer.writerow(["registration_id", "name", "email", "language", "status", "sent_at", "error"])
    for recipient in recipients_of(announcement):
        outbox = recipient.outbox
        writer.writerow(
            [
                recipient.registration_id or "",
                _cell(recipient.full_name),
                _cell(recipient.email),
                recipient.language,
                delivery_status(recipient),
                outbox.sent_at.isoformat() if outbox and outbox.sent_at else "",
                _cell(outbox.last_error if outbox and outbox.last_error else ""),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
