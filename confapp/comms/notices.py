"""Announcements on the event's pages: the published list, the banner a person has not
dismissed yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from confapp.comms.models import Announcement
from confapp.comms.models import AnnouncementDismissal
from confapp.extensions import db
from confapp.registration.models import Registration


def published(event: Any, *, limit: int | None = None) -> list[Announcement]:
    """The event's published announcements, newest first."""
    stmt = (
        sa.select(Announcement)
        .where(Announcement.event_id == event.id, Announcement.published_at.is_not(None))
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def banner_for(event: Any, user: Any) -> Announcement | None:
    """The newest published announcement a signed-in delegate of the event has not
    dismissed (None for everyone else)."""
    if event is None or user is None or getattr(event, "id", None) is None:
        return None
    registered = db.session.scalar(
        sa.select(Registration.id).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )
    if registered is None:
        return None
    dismissed = sa.exists().where(
        AnnouncementDismissal.announcement_id == Announcement.id,
        AnnouncementDismissal.user_id == user.id,
    )
    return db.session.scalar(
        sa.select(Announcement)
        .where(
            Announcement.event_id == event.id,
            Announcement.published_at.is_not(None),
            ~dismissed,
        )
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(1)
    )


def dismiss(announcement: Announcement, user: Any, now: dt.datetime) -> None:
    """Hide an announcement's banner for this person (a repeat changes nothing)."""
    known = db.session.scalar(
        sa.select(AnnouncementDismissal.id).where(
            AnnouncementDismissal.announcement_id == announcement.id,
            AnnouncementDismissal.user_id == user.id,
        )
    )
    if known is None:
        db.session.add(
            AnnouncementDismissal(announcement_id=announcement.id, user_id=user.id, created_at=now)
        )
        db.session.flush()
