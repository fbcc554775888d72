"""Pure iCalendar builder: plain data in, RFC 5545 bytes out (no Flask, no database).

Text comes from the database as people typed it, so every value is cleaned here the way
the forms clean it (one-line properties lose line breaks and control characters,
descriptions keep LF line breaks only): the builder never raises on stored text and never
writes a control character. Times are written with the calendar's TZID and its VTIMEZONE,
except a wall-clock time that occurs twice (the repeated hour when clocks go back), which
is written in UTC: clients read an ambiguous TZID time differently (vobject takes the first
occurrence, ical.js the second). A calendar with a METHOD (RFC 5546: PUBLISH, REQUEST,
CANCEL, for e-mail attachments) carries the ORGANIZER, the ATTENDEE it is addressed to and
the time it was sent as DTSTAMP.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from confapp.lazy import lazy_import
from confapp.web.forms import multi_line
from confapp.web.forms import one_line

icalendar = lazy_import("icalendar")  # loaded on first use: see confapp/lazy.py

PRODID = "-//confapp//agenda//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")


@dataclasses.dataclass(frozen=True)
class Party:
    """An organiser or attendee of an iTIP message: an e-mail address and a name."""

    email: str
    name: str = ""


@dataclasses.dataclass(frozen=True)
class Itip:
    """What makes a calendar an iTIP message (RFC 5546) rather than a plain publication."""

    method: str  # PUBLISH, REQUEST or CANCEL
    organizer: Party
    sent_at: dt.datetime
    attendee: Party | None = None  # REQUEST and CANCEL are addressed to someone


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
    # Held but not firm (a seat on a waiting list): STATUS:TENTATIVE instead of CONFIRMED.
    tentative: bool = False
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


def _address(party: Party, role: str | None = None) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{one_line(party.email)}")
    name = one_line(party.name).replace('"', "'")  # a parameter value cannot hold DQUOTE
    if name:
        address.params["cn"] = icalendar.vText(name)
    if role:
        address.params["role"] = icalendar.vText(role)
        address.params["partstat"] = icalendar.vText("ACCEPTED")
        address.params["rsvp"] = icalendar.vText("FALSE")
    return address


def wall_time(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The moment in the calendar's zone, or in UTC when that wall time happens twice."""
    local = moment.astimezone(tz)
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return moment.astimezone(dt.UTC)
    return local


def build_event(item: CalItem, tz: ZoneInfo, itip: Itip | None = None) -> icalendar.Event:
    """One VEVENT with times in the calendar's zone (TZID), stamped by its last change."""
    vevent = icalendar.Event()
    stamp = (item.last_modified or item.created or item.starts_at).astimezone(dt.UTC)
    vevent.add("uid", one_line(item.uid))
    # Without METHOD, DTSTAMP is the time the item last changed (RFC 5545 §3.8.7.2); it
    # also keeps the bytes, and so the ETag, stable within one programme version. In an
    # iTIP message it is the time the message was made.
    vevent.add("dtstamp", itip.sent_at.astimezone(dt.UTC) if itip else stamp)
    if item.created:
        vevent.add("created", item.created.astimezone(dt.UTC))
    vevent.add("last-modified", stamp)
    vevent.add("sequence", item.sequence)
    vevent.add("dtstart", wall_time(item.starts_at, tz))
    vevent.add("dtend", wall_time(item.ends_at, tz))
    summary = one_line(item.summary)
    if item.cancelled:
        summary = _("Cancelled: %(title)s", title=summary)
    vevent.add("summary", summary)
    vevent.add(
        "status",
        "CANCELLED" if item.cancelled else "TENTATIVE" if item.tentative else "CONFIRMED",
    )
    if itip is not None:
        vevent.add("organizer", _address(itip.organizer))
        if itip.attendee is not None:
            vevent.add("attendee", _address(itip.attendee, "REQ-PARTICIPANT"))
    if item.location:
        vevent.add("location", one_line(item.location))
    if item.url:
        vevent.add("url", one_line(item.url))
    if item.description:
        vevent.add("description", multi_line(item.description))
    if item.categories:
        vevent.add("categories", [one_line(c) for c in item.categories if one_line(c)])
    return vevent


def build_calendar(
    items: Iterable[CalItem],
    *,
    name: str,
    timezone: str,
    years: tuple[int, int] | None = None,
    itip: Itip | None = None,
) -> bytes:
    """A VCALENDAR with one VTIMEZONE for `timezone` and a VEVENT per item; with `itip`, an
    iTIP message (METHOD, ORGANIZER, ATTENDEE) for an e-mail attachment."""
    items = list(items)
    if itip is not None and itip.method not in METHODS:
        raise ValueError(f"unknown iTIP method {itip.method!r}")
    tz = ZoneInfo(timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if itip is not None:
        cal.add("method", itip.method)
    cal.add("x-wr-calname", one_line(name))
    cal.add("x-wr-timezone", timezone)
    if years is None:
        found = [i.starts_at.year for i in items] or [dt.date.today().year]
        years = (min(found), max(found))
    if timezone != "UTC":
        cal.add_component(vtimezone(timezone, years[0], years[1]))
    for item in items:
        cal.add_component(build_event(item, tz, itip))
    return cal.to_ical()
