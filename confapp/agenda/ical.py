"""Pure iCalendar builder: plain data in, RFC 5545 bytes out (no Flask, no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//confapp//agenda//EN"


@dataclasses.dataclass(frozen=True)
class CalItem:
    """One calendar entry; datetimes are aware (any zone), shown in the calendar's zone."""

    uid: str
    summary: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    sequence: int = 0
    last_modified: dt.datetime | None = None
    created: dt.datetime | None = None
    cancelled: bool = False
    location: str = ""
    url: str = ""
    description: str = ""
    categories: tuple[str, ...] = ()


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The VTIMEZONE of an IANA zone for the given years (computed once per process).

    Observances are built from zoneinfo's transitions. Each DTSTART is the local wall
    time *before* the change (RFC 5545 §3.6.5: read with TZOFFSETFROM), e.g. 02:00 for
    Europe/Berlin's spring change; icalendar's from_tzinfo writes 03:00 there.
    """
    tz = ZoneInfo(tzid)
    start = dt.datetime(first_year - 1, 12, 31, tzinfo=dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    vtz = icalendar.Timezone()
    vtz.add("tzid", tzid)
    opening = start.astimezone(tz)
    offset = opening.utcoffset()
    first = _observance(
        bool(opening.dst()), dt.datetime(first_year - 1, 12, 31), offset, offset, opening.tzname()
    )
    vtz.add_component(first)
    day = start
    while day < end:
        following = day + dt.timedelta(days=1)
        if following.astimezone(tz).utcoffset() != offset:
            # Bisect on whole seconds: the first instant with the new offset.
            low, high = int(day.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if dt.datetime.fromtimestamp(middle, tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            high = dt.datetime.fromtimestamp(high, dt.UTC)
            local_after = high.astimezone(tz)
            new_offset = local_after.utcoffset()
            onset = (high + offset).replace(tzinfo=None)
            daylight = bool(local_after.dst())
            vtz.add_component(
                _observance(daylight, onset, offset, new_offset, local_after.tzname())
            )
            offset = new_offset
        day = following
    return vtz


def _observance(
    daylight: bool, onset: dt.datetime, before: dt.timedelta, after: dt.timedelta, name: str | None
) -> icalendar.cal.Component:
    part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
    part.add("dtstart", onset)
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", after)
    if name:
        part.add("tzname", name)
    return part


def build_event(item: CalItem, tz: ZoneInfo) -> icalendar.Event:
    """One VEVENT with times in the calendar's zone (TZID), stamped by its last change."""
    vevent = icalendar.Event()
    stamp = (item.last_modified or item.created or item.starts_at).astimezone(dt.UTC)
    vevent.add("uid", item.uid)
    # Without METHOD, DTSTAMP is the time the item last changed (RFC 5545 §3.8.7.2); it
    # also keeps the bytes, and so the ETag, stable within one programme version.
    vevent.add("dtstamp", stamp)
    if item.created:
        vevent.add("created", item.created.astimezone(dt.UTC))
    vevent.add("last-modified", stamp)
    vevent.add("sequence", item.sequence)
    vevent.add("dtstart", item.starts_at.astimezone(tz))
    vevent.add("dtend", item.ends_at.astimezone(tz))
    vevent.add("summary", ("Cancelled: " if item.cancelled else "") + item.summary)
    vevent.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.location:
        vevent.add("location", item.location)
    if item.url:
        vevent.add("url", item.url)
    if item.description:
        vevent.add("description", item.description)
    if item.categories:
        vevent.add("categories", list(item.categories))
    return vevent


def build_calendar(
    items: Iterable[CalItem],
    *,
    name: str,
    timezone: str,
    years: tuple[int, int] | None = None,
) -> bytes:
    """A VCALENDAR with one VTIMEZONE for `timezone` and a VEVENT per item."""
    items = list(items)
    tz = ZoneInfo(timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    if years is None:
        found = [i.starts_at.year for i in items] or [dt.date.today().year]
        years = (min(found), max(found))
    if timezone != "UTC":
        cal.add_component(vtimezone(timezone, years[0], years[1]))
    for item in items:
        cal.add_component(build_event(item, tz))
    return cal.to_ical()
