"""Releasing announcements into the outbox at the configured rate: start those due,
release a budget of messages, mark them sent once delivered."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from confapp.comms import render
from confapp.comms.drafts import start
from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementRecipient
from confapp.comms.models import AnnouncementStatus
from confapp.comms.models import RecipientStatus
from confapp.comms.previews import attachments_of
from confapp.comms.previews import visit_of
from confapp.extensions import db
from confapp.mail import queue_mail
from confapp.registration.models import Registration
from confapp.visits.models import Visit


def start_due(now: dt.datetime) -> int:
    """Start every scheduled announcement whose time has come; return how many."""
    due = db.session.scalars(
        sa.select(Announcement)
        .where(
            Announcement.status == AnnouncementStatus.SCHEDULED,
            Announcement.send_at <= now,
        )
        .order_by(Announcement.send_at, Announcement.id)
    ).all()
    started = sum(1 for announcement in due if start(announcement, now))
    return started


def released_since(moment: dt.datetime) -> int:
    """Recipients handed to the outbox since `moment` (every event: one relay)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AnnouncementRecipient)
            .where(AnnouncementRecipient.released_at > moment)
        )
        or 0
    )


def release(now: dt.datetime, budget: int) -> int:
    """Render and queue up to `budget` pending recipients of sending announcements (oldest
    first); mark announcements with nobody left as sent. Returns how many were queued."""
    pending = db.session.execute(
        sa.select(AnnouncementRecipient.id, AnnouncementRecipient.announcement_id)
        .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
        .where(
            AnnouncementRecipient.status == RecipientStatus.PENDING,
            Announcement.status == AnnouncementStatus.SENDING,
        )
        .order_by(Announcement.send_at, Announcement.id, AnnouncementRecipient.id)
        .limit(max(budget, 0))
    ).all()
    cache: dict[int, tuple[Announcement, Visit | None, list]] = {}
    queued = 0
    for recipient_id, announcement_id in pending:
        # Taken by a conditional UPDATE: two release jobs never queue the same person.
        taken = db.session.execute(
            sa.update(AnnouncementRecipient)
            .where(
                AnnouncementRecipient.id == recipient_id,
                AnnouncementRecipient.status == RecipientStatus.PENDING,
            )
            .values(status=RecipientStatus.QUEUED, released_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            continue
        if announcement_id not in cache:
            announcement = db.session.get(Announcement, announcement_id)
            cache[announcement_id] = (
                announcement,
                visit_of(announcement),
                attachments_of(announcement),
            )
        announcement, visit, attachments = cache[announcement_id]
        recipient = db.session.get(AnnouncementRecipient, recipient_id)
        registration = (
            db.session.get(Registration, recipient.registration_id)
            if recipient.registration_id
            else None
        )
        if registration is None:
            continue  # deleted since: nothing to send (the row stays, unsent)
        rendered = render.render_for(announcement, registration, visit)
        message = render.build_email(announcement, registration, rendered, attachments=attachments)
        row = queue_mail(
            message,
            event_id=announcement.event_id,
            registration_id=registration.id,
            language=rendered.language,
        )
        db.session.flush()
        recipient.outbox_message_id = row.id
        recipient.language = rendered.language
        queued += 1
    finish_sent(now)
    return queued


def finish_sent(now: dt.datetime) -> None:
    """Announcements still "sending" with no pending recipient left are sent."""
    still = sa.exists().where(
        AnnouncementRecipient.announcement_id == Announcement.id,
        AnnouncementRecipient.status == RecipientStatus.PENDING,
    )
    db.session.execute(
        sa.update(Announcement)
        .where(Announcement.status == AnnouncementStatus.SENDING, ~still)
        .values(status=AnnouncementStatus.SENT, finished_at=now)
        .execution_options(synchronize_session=False)
    )


def pending_count() -> int:
    """Recipients waiting for the rate limit."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AnnouncementRecipient)
            .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
            .where(
                AnnouncementRecipient.status == RecipientStatus.PENDING,
                Announcement.status == AnnouncementStatus.SENDING,
            )
        )
        or 0
    )
