"""Visa work in the background: passport data erased once its retention day has passed."""

from __future__ import annotations

import sqlalchemy as sa

from confapp import jobs
from confapp.db import utcnow
from confapp.events.models import Event
from confapp.extensions import db


@jobs.periodic("visa.purge_passports", minute="23", hour="*")
def purge_expired_passports() -> int:
    """Hourly: erase the passport data of events whose "erase after" day has passed."""
    from confapp.visa import services

    now = utcnow()
    events = db.session.scalars(
        sa.select(Event).where(
            Event.passport_data_kept_until.is_not(None),
            # A day later than in UTC at most: the event's own calendar decides below.
            Event.passport_data_kept_until <= now.date(),
        )
    ).all()
    purged = 0
    for event in events:
        if event.local(now).date() <= event.passport_data_kept_until:
            continue
        purged += services.purge_passports(event, now)
        db.session.commit()
    return purged
