"""Calendar feeds: programme rows to CalItems, built once per programme version.

No HTTP here (the views serve feeds with ETag/304); links and UIDs come from
:mod:`confapp.urls`, so feeds build the same in a request, the CLI and a worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _

from confapp.agenda import ical
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionStatus
from confapp.agenda.programme import load_programme
from confapp.countries import country_name
from confapp.events.models import Event
from confapp.i18n import current_language
from confapp.i18n import join_list
from confapp.multilingual import tr
from confapp.urls import base_url
from confapp.urls import external_url
from confapp.urls import site_domain

_CACHE_KEY = "agenda_feed_cache"
_CACHE_LIMIT = 256


@dataclasses.dataclass(frozen=True)
class Feed:
    """A built calendar with its validators."""

    body: bytes
    etag: str
    last_modified: dt.datetime


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL under the configured base URL, in a request or not."""
    return external_url(endpoint, **values)


def _location(event: Event, session: ProgrammeSession) -> str:
    parts = []
    if session.room is not None:
        parts.append(session.room.name)
        if session.room.location:
            parts.append(session.room.location)
    parts.extend(p for p in (event.venue, event.city) if p)
    return join_list(parts)


def _description(session: ProgrammeSession, url: str) -> str:
    lines = []
    for person in session.people:
        extra = join_list(p for p in (person.organisation, country_name(person.country)) if p)
        if extra:
            line = _(
                "%(role)s: %(name)s (%(details)s)",
                role=person.role.label,
                name=person.name,
                details=extra,
            )
        else:
            line = _("%(role)s: %(name)s", role=person.role.label, name=person.name)
        lines.append(line)
    description = tr(session, "description")
    if description:
        lines.extend(["", description.strip()])
    lines.extend(["", url])
    return "\n".join(lines).strip()


def session_items(
    event: Event, sessions: Iterable[ProgrammeSession], host: str
) -> list[ical.CalItem]:
    """Calendar items for sessions (room, track and people loaded)."""
    base = absolute_url("agenda.session_detail", slug=event.slug, session_id=0)[:-1]
    items = []
    for s in sessions:
        url = f"{base}{s.id}"
        items.append(
            ical.CalItem(
                # Stable forever: ids never change, and the host keeps UIDs unique worldwide.
                uid=f"session-{s.id}-{event.slug}@{host}",
                summary=tr(s, "title"),
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                sequence=s.sequence,
                last_modified=s.updated_at,
                created=s.created_at,
                cancelled=s.status is SessionStatus.CANCELLED,
                location=_location(event, s),
                url=url,
                description=_description(s, url),
                categories=(tr(s.track, "name"),) if s.track is not None else (),
            )
        )
    return items


def _years(event: Event) -> tuple[int, int]:
    return event.starts_on.year, event.ends_on.year


def _host() -> str:
    return site_domain()


def make_feed(body: bytes, last_modified: dt.datetime) -> Feed:
    """A built calendar with its ETag (of the bytes) and Last-Modified (to the second)."""
    if last_modified.tzinfo is None:
        last_modified = last_modified.replace(tzinfo=dt.UTC)
    etag = hashlib.sha256(body).hexdigest()[:32]
    return Feed(body=body, etag=etag, last_modified=last_modified.replace(microsecond=0))


def _cache() -> dict:
    return current_app.extensions.setdefault(_CACHE_KEY, {})


def clear_cache() -> None:
    """Forget every built feed (benchmarks measure cold builds with it)."""
    _cache().clear()


def _cached(key: tuple, build) -> Feed:
    cache = _cache()
    feed = cache.get(key)
    if feed is None:
        feed = build()
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = feed
    return feed


def _last_modified(event: Event, sessions: list[ProgrammeSession]) -> dt.datetime:
    stamps = [s.updated_at for s in sessions]
    if event.programme_published_at:
        stamps.append(event.programme_published_at)
    return max(stamps) if stamps else dt.datetime.now(dt.UTC)


def programme_feed(event: Event) -> Feed:
    """The whole published programme, built once per programme version and language."""
    key = ("programme", event.id, event.programme_version, base_url(), current_language())

    def build() -> Feed:
        sessions = load_programme(event)
        body = ical.build_calendar(
            session_items(event, sessions, _host()),
            name=tr(event, "title"),
            timezone=event.timezone,
            years=_years(event),
        )
        return make_feed(body, _last_modified(event, sessions))

    return _cached(key, build)


def session_ics_bytes(event: Event, session: ProgrammeSession) -> bytes:
    """One session as a calendar file (for downloads and e-mail attachments)."""
    return ical.build_calendar(
        session_items(event, [session], _host()),
        name=f"{tr(session, 'title')} · {tr(event, 'title')}",
        timezone=event.timezone,
        years=_years(event),
    )


def organizer(event: Event) -> ical.Party:
    """Who sends calendar messages for the event: its contact address (else the site's
    no-reply sender from ``MAIL_SENDER``), named after the event."""
    address = event.contact_email or parseaddr(current_app.config["MAIL_SENDER"])[1]
    return ical.Party(email=address or f"no-reply@{_host()}", name=event.title)


def session_message(
    event: Event,
    session: ProgrammeSession,
    *,
    method: str,
    sent_at: dt.datetime,
    attendee: ical.Party | None = None,
) -> bytes:
    """One session as an iTIP message for an e-mail (RFC 5546/6047): same UID and SEQUENCE
    as the feeds, METHOD `method` (PUBLISH, REQUEST or CANCEL) and the event's organiser."""
    return ical.build_calendar(
        session_items(event, [session], _host()),
        name=f"{tr(session, 'title')} · {tr(event, 'title')}",
        timezone=event.timezone,
        years=_years(event),
        itip=ical.Itip(
            method=method, organizer=organizer(event), sent_at=sent_at, attendee=attendee
        ),
    )


def session_feed(event: Event, session: ProgrammeSession) -> Feed:
    """One session's feed, cached per programme version."""
    key = ("session", event.id, event.programme_version, session.id, base_url(), current_language())
    return _cached(
        key, lambda: make_feed(session_ics_bytes(event, session), _last_modified(event, [session]))
    )


def personal_feed(
    event: Event,
    sessions: list[ProgrammeSession],
    owner: str,
    extra: list[ical.CalItem] | None = None,
) -> Feed:
    """A delegate's sessions plus meetings and visits (`extra`); small, built per request."""
    body = ical.build_calendar(
        session_items(event, sessions, _host()) + list(extra or []),
        name=f"{tr(event, 'title')} · {owner}",
        timezone=event.timezone,
        years=_years(event),
    )
    stamps = [_last_modified(event, sessions)] + [
        i.last_modified for i in extra or [] if i.last_modified
    ]
    return make_feed(body, max(stamps))
