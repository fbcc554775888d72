"""Wall-clock times of an event: UTC conversion, zone labels, overlaps and short spans.

Sessions are stored in UTC and shown in the event's zone; these helpers are the one place
that goes between the two (times skipped by a clock change are refused, not guessed).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.i18n import format_date
from confapp.i18n import isolate
from confapp.i18n import time_span


class Span(Protocol):
    """Anything with a start and an end (a session, a session's new data)."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def to_utc(event: Event, local: dt.datetime, *, field: str = "starts_at") -> dt.datetime:
    """Turn a wall-clock time in the event's zone into UTC; refuse times skipped by DST."""
    if local.tzinfo is not None:
        return local.astimezone(dt.UTC)
    tz = ZoneInfo(event.timezone)
    aware = local.replace(tzinfo=tz)
    # A wall time inside a spring-forward gap does not survive the round trip.
    if aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise ValidationFailed(
            _(
                "%(time)s does not exist in %(zone)s (clocks change).",
                time=format_date(local, "%d %b %Y %H:%M"),
                zone=event.timezone,
            ),
            field=field,
        )
    return aware.astimezone(dt.UTC)


def zone_label(event: Event, moment: dt.datetime | None = None) -> str:
    """'Asia/Kolkata (IST, UTC+05:30)' for labelling times shown in the event's zone."""
    if moment is None:
        moment = dt.datetime.combine(event.starts_on, dt.time(12), tzinfo=dt.UTC)
    local = moment.astimezone(event.tz)
    offset = local.strftime("%z")
    # Kept whole and left to right inside an Arabic sentence ("… بتوقيت Asia/Kolkata (IST…)").
    return isolate(f"{event.timezone} ({local.tzname()}, UTC{offset[:3]}:{offset[3:]})")


def overlaps(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    """Half-open intervals overlap (back-to-back sessions do not clash)."""
    return a_start < b_end and b_start < a_end


def when(event: Event, span: Span) -> str:
    """'Sat 20 Feb 10:00–11:00' in the event's zone and the current language, for messages
    and the change log."""
    return span_text(event, span.starts_at, span.ends_at)


def span_text(event: Event, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """A start and end time as 'Sat 20 Feb 10:00–11:00', in the current language."""
    return time_span(starts_at, ends_at, event, "%a %d %b", " ")


def iso(moment: dt.datetime) -> str:
    """A UTC moment as stored in change details (ISO 8601)."""
    return moment.astimezone(dt.UTC).isoformat()


def from_iso(value: str) -> dt.datetime:
    """The moment :func:`iso` wrote."""
    return dt.datetime.fromisoformat(value)
