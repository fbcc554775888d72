"""The event itself as a calendar entry (all-day, over its days), attached to the
registration confirmation as an iTIP PUBLISH message (RFC 5546/6047): calendar clients
offer to add it, and a later copy with the same UID updates it instead of adding another."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from flask import current_app

from confapp.countries import country_name
from confapp.events.models import Event
from confapp.i18n import force_language
from confapp.lazy import lazy_import
from confapp.multilingual import tr
from confapp.urls import external_url
from confapp.urls import site_domain
from confapp.web.forms import multi_line
from confapp.web.forms import one_line

icalendar = lazy_import("icalendar")  # loaded on first use: see confapp/lazy.py
PRODID = "-//confapp//event//EN"


def event_uid(event: Event) -> str:
    """The event's calendar UID: stable for ever (ids never change), unique by the host."""
    return f"event-{event.id}-{event.slug}@{site_domain()}"


def event_ics(event: Event, *, language: str, sent_at: dt.datetime) -> bytes:
    """A VCALENDAR with METHOD:PUBLISH and one all-day VEVENT from the event's first day
    to its last, its title and place in `language`, its page as URL."""
    with force_language(language):
        title = one_line(tr(event, "title"))
        tagline = one_line(tr(event, "tagline"))
        place = ", ".join(
            one_line(p)
            for p in (event.venue, event.venue_address, event.city, country_name(event.country))
            if p
        )
    url = external_url("events.detail", slug=event.slug)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    item = icalendar.Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", sent_at.astimezone(dt.UTC))
    item.add("dtstart", event.starts_on)
    item.add("dtend", event.ends_on + dt.timedelta(days=1))  # DATE ends are exclusive
    item.add("summary", title)
    if place:
        item.add("location", place)
    item.add("url", url)
    item.add("description", multi_line("\n\n".join(p for p in (tagline, url) if p)))
    item.add("status", "CONFIRMED")
    item.add("sequence", 0)
    address = event.contact_email or parseaddr(current_app.config["MAIL_SENDER"])[1]
    organizer = icalendar.vCalAddress(f"mailto:{address or f'no-reply@{site_domain()}'}")
    organizer.params["cn"] = icalendar.vText(one_line(event.title))
    item.add("organizer", organizer)
    cal.add_component(item)
    return cal.to_ical()
