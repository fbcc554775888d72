"""Programme sessions: their data and rules, adding, editing, cancelling, reinstating and
deleting them, publishing the programme, and what a cancel or delete would do.

Each change takes the programme's lock first (:func:`confapp.agenda.changes.lock_programme`)
and, only when something really changed, bumps the programme version and the session's
calendar SEQUENCE, writes the public change log and e-mails the delegates concerned. An
edit saved without changes (text compared the way the form cleans it) changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.agenda import changes
from confapp.agenda import seats
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionPerson
from confapp.agenda.models import SessionStatus
from confapp.agenda.models import Track
from confapp.agenda.times import iso
from confapp.agenda.times import when
from confapp.countries import is_country
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.i18n import format_date
from confapp.i18n import join_list
from confapp.i18n import time_span
from confapp.multilingual import save_translations
from confapp.registration.models import Registration
from confapp.web.forms import multi_line
from confapp.web.forms import one_line

MAX_PEOPLE = 30
NO_ROOM = "no room"


@dataclasses.dataclass
class PersonData:
    """One person of a session, as entered."""

    name: str
    role: PersonRole = PersonRole.SPEAKER
    organisation: str = ""
    country: str = ""

    def key(self) -> tuple:
        """What tells two entries of a person apart."""
        return (self.name, self.role, self.organisation, self.country)


@dataclasses.dataclass
class SessionData:
    """Validated-by-form input for a session; times are aware UTC datetimes."""

    title: str
    kind: SessionKind
    starts_at: dt.datetime
    ends_at: dt.datetime
    room_id: int | None = None
    track_id: int | None = None
    description: str = ""
    seat_limit: int | None = None
    people: list[PersonData] = dataclasses.field(default_factory=list)
    # Title and description in the event's other languages ({field: {language: text}});
    # None leaves the stored translations as they are (imports, callers without them).
    translations: dict[str, dict[str, str]] | None = None


# --- rules ---------------------------------------------------------------------------------


def room_clash(
    event: Event, room_id: int, starts_at: dt.datetime, ends_at: dt.datetime, exclude_id: int | None
) -> ProgrammeSession | None:
    """A scheduled session using the room at an overlapping time, if any."""
    query = sa.select(ProgrammeSession).where(
        ProgrammeSession.event_id == event.id,
        ProgrammeSession.room_id == room_id,
        ProgrammeSession.status == SessionStatus.SCHEDULED,
        ProgrammeSession.starts_at < ends_at,
        ProgrammeSession.ends_at > starts_at,
    )
    if exclude_id is not None:
        query = query.where(ProgrammeSession.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def _check_title_and_times(event: Event, data: SessionData) -> None:
    if not data.title:
        raise ValidationFailed(_("Give the session a title."), field="title")
    if len(data.title) > 300:
        raise ValidationFailed(_("The title is too long (300 characters at most)."), field="title")
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise ValueError("session times must be aware")
    if data.ends_at <= data.starts_at:
        raise ValidationFailed(_("The session must end after it starts."), field="ends_at")
    if data.ends_at - data.starts_at > dt.timedelta(hours=24):
        raise ValidationFailed(_("A session cannot last more than 24 hours."), field="ends_at")
    first_day = event.local(data.starts_at).date()
    if first_day < event.starts_on or first_day > event.ends_on:
        raise ValidationFailed(
            _(
                "The session must start between %(first)s and %(last)s.",
                first=format_date(event.starts_on, "%d %b"),
                last=format_date(event.ends_on, "%d %b %Y"),
            ),
            field="starts_at",
        )


def _check_place_and_seats(event: Event, data: SessionData) -> None:
    for model, ident, field, message in (
        (Room, data.room_id, "room_id", _("Unknown room.")),
        (Track, data.track_id, "track_id", _("Unknown track.")),
    ):
        if ident is not None:
            found = db.session.get(model, ident)
            if found is None or found.event_id != event.id:
                raise ValidationFailed(message, field=field)
    if data.seat_limit is not None and data.seat_limit < 1:
        raise ValidationFailed(
            _("A seat limit must be at least 1 (leave it empty for none)."), field="seat_limit"
        )


def _check_people(people: list[PersonData]) -> None:
    # Errors about a person are shown above the form: the people table has no one field.
    if len(people) > MAX_PEOPLE:
        raise ValidationFailed(_("At most %(count)d people per session.", count=MAX_PEOPLE))
    for person in people:
        if not person.name or len(person.name) > 200 or len(person.organisation) > 200:
            raise ValidationFailed(_("Each person needs a name (200 characters at most)."))
        if person.country and not is_country(person.country):
            raise ValidationFailed(
                _(
                    "Unknown country code “%(code)s” for %(name)s.",
                    code=person.country,
                    name=person.name,
                )
            )


def clean(data: SessionData) -> SessionData:
    """Text cleaned as the form cleans it (one-line fields, LF descriptions), in place."""
    data.title = one_line(data.title or "")
    data.description = multi_line(data.description or "")
    for person in data.people:
        person.name = one_line(person.name or "")
        person.organisation = one_line(person.organisation or "")
        person.country = one_line(person.country or "").upper()
    return data


def validate_session(
    event: Event, data: SessionData, *, exclude_id: int | None = None, check_room_clash: bool = True
) -> None:
    """Clean the text, check a session against the rules; raise ValidationFailed naming the
    field."""
    clean(data)
    _check_title_and_times(event, data)
    _check_place_and_seats(event, data)
    _check_people(data.people)
    if check_room_clash and data.room_id is not None:
        clash = room_clash(event, data.room_id, data.starts_at, data.ends_at, exclude_id)
        if clash is not None:
            raise ValidationFailed(
                _(
                    "The room is already used by “%(title)s” (%(when)s).",
                    title=clash.title,
                    when=_clock(event, clash),
                ),
                field="room_id",
            )


def _clock(event: Event, session: ProgrammeSession) -> str:
    """'Sat 10:00–11:00' in the current language."""
    return time_span(session.starts_at, session.ends_at, event, "%a", " ")


# --- changes ---------------------------------------------------------------------------------


def _set_people(session: ProgrammeSession, people: list[PersonData]) -> None:
    session.people.clear()
    db.session.flush()
    for position, person in enumerate(people):
        session.people.append(
            SessionPerson(
                name=person.name,
                role=person.role,
                organisation=person.organisation,
                country=person.country,
                position=position,
            )
        )


def _room_name(session: ProgrammeSession) -> str:
    return session.room.name if session.room else NO_ROOM


def create_session(event: Event, data: SessionData, *, now: dt.datetime) -> ProgrammeSession:
    """Add a session after checking the rules (room clash refused)."""
    changes.bump_version(event)
    validate_session(event, data)
    session = ProgrammeSession(
        event_id=event.id,
        title=data.title,
        kind=data.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        room_id=data.room_id,
        track_id=data.track_id,
        description=data.description,
        created_at=now,
        updated_at=now,
    )
    db.session.add(session)
    db.session.flush()
    if data.translations:
        save_translations(session, data.translations)
    _set_people(session, data.people)
    seats.set_seat_limit(session, data.seat_limit, now)
    changes.record(
        event,
        session,
        "added",
        f"{session.title}, {when(event, session)}.",
        now,
        {"title": session.title, "starts": iso(session.starts_at), "ends": iso(session.ends_at)},
    )
    db.session.flush()
    return session


@dataclasses.dataclass
class _Edit:
    """What an edit changes, worked out before anything is assigned."""

    retimed: bool
    moved: bool
    fields: list[str]  # title, kind, track, description, translations, people (public), seats

    @property
    def public(self) -> list[str]:
        return [f for f in self.fields if f != "seats"]

    def __bool__(self) -> bool:
        return self.retimed or self.moved or bool(self.fields)


def _compare(session: ProgrammeSession, data: SessionData) -> _Edit:
    stored = {
        "title": one_line(session.title),
        "kind": session.kind,
        "track": session.track_id,
        # The form turns CRLF into LF: stored text is compared the same way.
        "description": multi_line(session.description or ""),
    }
    wanted = {
        "title": data.title,
        "kind": data.kind,
        "track": data.track_id,
        "description": data.description,
    }
    fields = [name for name in stored if stored[name] != wanted[name]]
    if data.translations is not None and _stored_translations(session) != {
        field: texts for field, texts in data.translations.items() if texts
    }:
        fields.append("translations")
    if [(p.name, p.role, p.organisation, p.country) for p in session.people] != [
        p.key() for p in data.people
    ]:
        fields.append("people")
    if (session.pool.capacity if session.pool else None) != data.seat_limit:
        fields.append("seats")
    return _Edit(
        retimed=(session.starts_at, session.ends_at) != (data.starts_at, data.ends_at),
        moved=session.room_id != data.room_id,
        fields=fields,
    )


def _stored_translations(session: ProgrammeSession) -> dict[str, dict[str, str]]:
    stored = {
        "title": dict(session.title_i18n or {}),
        "description": dict(session.description_i18n or {}),
    }
    return {field: texts for field, texts in stored.items() if texts}


def _apply(session: ProgrammeSession, data: SessionData, edit: _Edit, now: dt.datetime) -> None:
    if "title" in edit.fields:
        session.title = data.title
    if "kind" in edit.fields:
        session.kind = data.kind
    if "track" in edit.fields:
        session.track_id = data.track_id
    if "description" in edit.fields:
        session.description = data.description
    if "translations" in edit.fields and data.translations is not None:
        save_translations(
            session, {field: data.translations.get(field, {}) for field in ("title", "description")}
        )
    if "people" in edit.fields:
        _set_people(session, data.people)
    if edit.retimed:
        session.starts_at, session.ends_at = data.starts_at, data.ends_at
    if edit.moved:
        session.room_id = data.room_id
    if "seats" in edit.fields:
        seats.set_seat_limit(session, data.seat_limit, now)
    session.sequence += 1
    session.updated_at = now
    db.session.flush()
    db.session.refresh(session, ["room"])


def update_session(
    event: Event, session: ProgrammeSession, data: SessionData, *, now: dt.datetime
) -> list[str]:
    """Change a session; return what changed (logged once published; SEQUENCE bumped).

    Nothing changed (the form saved as it was opened): nothing is written, logged,
    announced or e-mailed, and the calendar SEQUENCE stays.
    """
    changes.lock_programme(event)
    validate_session(event, data, exclude_id=session.id)
    edit = _compare(session, data)
    if not edit:
        return []
    changes.bump_version(event)
    old_title, old_room, old_when = session.title, _room_name(session), when(event, session)
    old_starts, old_ends = session.starts_at, session.ends_at
    _apply(session, data, edit, now)
    if edit.retimed or edit.moved:
        parts = []
        details: dict = {"title": session.title}
        if edit.retimed:
            parts.append(f"from {old_when} to {when(event, session)}")
            details.update(
                old_starts=iso(old_starts),
                old_ends=iso(old_ends),
                starts=iso(session.starts_at),
                ends=iso(session.ends_at),
            )
        if edit.moved:
            parts.append(f"from {old_room} to {_room_name(session)}")
            details.update(old_room=_stored_room(old_room), room=_stored_room(_room_name(session)))
        summary = f"{session.title} moved " + " and ".join(parts) + "."
        changes.record(event, session, "moved", summary, now, details)
        if session.status is SessionStatus.SCHEDULED:
            changes.notify_change(
                event,
                session,
                "moved",
                old_starts=old_starts,
                old_ends=old_ends,
                # "" for a session that had no room: the e-mail names that in its
                # reader's language (NO_ROOM is English, for the change log).
                old_room=(_stored_room(old_room) or "") if edit.moved else None,
            )
    if edit.public:
        name = session.title if old_title == session.title else f"{old_title} (now {session.title})"
        changes.record(
            event,
            session,
            "changed",
            f"{name}: {', '.join(edit.public)} updated.",
            now,
            {"title": session.title, "old_title": old_title, "fields": edit.public},
        )
    db.session.flush()
    return (["time"] if edit.retimed else []) + (["room"] if edit.moved else []) + edit.fields


def cancel_session(event: Event, session: ProgrammeSession, *, now: dt.datetime) -> None:
    """Cancel a session: it stays visible (and in calendars) marked as cancelled."""
    changes.lock_programme(event)
    db.session.refresh(session, ["status"])
    if session.status is SessionStatus.CANCELLED:
        raise DomainError(_("The session is already cancelled."), code="already_done")
    changes.bump_version(event)
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.updated_at = now
    changes.record(
        event,
        session,
        "cancelled",
        f"{session.title} ({when(event, session)}).",
        now,
        _title_and_time(session),
    )
    db.session.flush()
    changes.notify_change(event, session, "cancelled")


def reinstate_session(event: Event, session: ProgrammeSession, *, now: dt.datetime) -> None:
    """Undo a cancellation, if its room is still free."""
    changes.lock_programme(event)
    db.session.refresh(session, ["status"])
    if session.status is not SessionStatus.CANCELLED:
        raise DomainError(_("The session is not cancelled."), code="already_done")
    if session.room_id is not None:
        clash = room_clash(event, session.room_id, session.starts_at, session.ends_at, session.id)
        if clash is not None:
            raise ValidationFailed(
                _("The room is now used by “%(title)s”; move one of them first.", title=clash.title)
            )
    changes.bump_version(event)
    session.status = SessionStatus.SCHEDULED
    session.sequence += 1
    session.updated_at = now
    changes.record(
        event,
        session,
        "reinstated",
        f"{session.title} ({when(event, session)}).",
        now,
        _title_and_time(session),
    )
    db.session.flush()
    changes.notify_change(event, session, "reinstated")


def delete_session(event: Event, session: ProgrammeSession) -> None:
    """Delete a draft session; once published, sessions are cancelled instead."""
    if event.programme_published_at is not None:
        raise DomainError(
            _("The programme is published: cancel the session instead, so delegates see it.")
        )
    changes.bump_version(event)
    pool = session.pool
    db.session.delete(session)
    db.session.flush()
    if pool is not None:
        db.session.delete(pool)
        db.session.flush()


def publish_programme(event: Event, now: dt.datetime) -> None:
    """Make the programme public; later changes go to the change log."""
    changes.lock_programme(event)
    db.session.refresh(event, ["programme_published_at"])
    if event.programme_published_at is not None:
        raise DomainError(_("The programme is already published."), code="already_done")
    has_sessions = db.session.scalar(
        sa.select(sa.func.count(ProgrammeSession.id)).where(ProgrammeSession.event_id == event.id)
    )
    if not has_sessions:
        raise DomainError(_("Add at least one session before publishing the programme."))
    changes.bump_version(event)
    event.programme_published_at = now
    db.session.flush()


# --- what an action would do ------------------------------------------------------------------


def _names(registrations: list[Registration], limit: int = 8) -> str:
    names = [r.full_name for r in registrations[:limit]]
    more = len(registrations) - len(names)
    if more > 0:
        return _("%(names)s and %(count)d more", names=join_list(names), count=more)
    return join_list(names)


def _held(seated: int, waiting: int) -> str:
    return _(
        "%(seats)s and %(places)s",
        seats=ngettext("%(num)d confirmed seat", "%(num)d confirmed seats", seated),
        places=ngettext("%(num)d waiting-list place", "%(num)d waiting-list places", waiting),
    )


def cancel_session_consequences(event: Event, session: ProgrammeSession) -> list[str]:
    """What cancelling a session does, in sentences: who is e-mailed, what happens to seats."""
    if session.status is SessionStatus.CANCELLED:
        return [_("The session is already cancelled: nothing will change.")]
    lines = []
    if event.programme_published_at is None:
        lines.append(_("The programme is not published yet: nobody is e-mailed."))
    else:
        lines.append(
            _("It stays on the programme marked as cancelled, and the public changes page says so.")
        )
        affected = changes.affected_registrations(session)
        lines.append(
            ngettext(
                "%(num)d delegate who starred it or holds a place will be e-mailed with the "
                "cancelled calendar entry: %(names)s.",
                "%(num)d delegates who starred it or hold a place will be e-mailed with the "
                "cancelled calendar entry: %(names)s.",
                len(affected),
                names=_names(affected),
            )
            if affected
            else _("Nobody has starred it or signed up for it, so nobody is e-mailed.")
        )
    if session.pool is not None:
        seated, waiting = seats.seat_counts(session)
        lines.append(
            _(
                "No seat is given up: the %(held)s stay held, in case you reinstate it.",
                held=_held(seated, waiting),
            )
        )
    return lines


def delete_session_consequences(event: Event, session: ProgrammeSession) -> list[str]:
    """What deleting a draft session does, in sentences."""
    if event.programme_published_at is not None:
        return [_("The programme is published: cancel the session instead, so delegates see it.")]
    lines = [
        _("The session is removed for good; nobody is e-mailed (the programme is not public).")
    ]
    if session.pool is not None:
        seated, waiting = seats.seat_counts(session)
        if seated or waiting:
            lines.append(_("%(held)s are given up with it.", held=_held(seated, waiting)))
    return lines


def _title_and_time(session: ProgrammeSession) -> dict:
    return {"title": session.title, "starts": iso(session.starts_at), "ends": iso(session.ends_at)}


def _stored_room(name: str) -> str | None:
    """A room name for change details (None for no room, which the page names itself)."""
    return None if name == NO_ROOM else name
