"""Agenda operations: rooms, tracks, sessions, clashes, publishing, change log, stars,
workshop sign-ups (through the shared capacity rule) and calendar tokens. Flush only.

Every change to the programme first bumps `event.programme_version` with an UPDATE on
the event row. That one statement does three jobs: calendar caches keyed on the version
go stale, the change log gets its version number, and (because the UPDATE takes the
event's row lock on PostgreSQL and the write lock on SQLite) concurrent edits of one
programme are serialised, so the room-clash check below cannot race.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from confapp import mail
from confapp.agenda import personal
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeChange
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionPerson
from confapp.agenda.models import SessionSignup
from confapp.agenda.models import SessionStar
from confapp.agenda.models import SessionStatus
from confapp.agenda.models import Track
from confapp.capacity import services as capacity
from confapp.countries import is_country
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")
MAX_PEOPLE = 30


# --- time helpers -------------------------------------------------------------------


def to_utc(event: Event, local: dt.datetime, *, field: str = "starts_at") -> dt.datetime:
    """Turn a wall-clock time in the event's zone into UTC; refuse times skipped by DST."""
    if local.tzinfo is not None:
        return local.astimezone(dt.UTC)
    tz = ZoneInfo(event.timezone)
    aware = local.replace(tzinfo=tz)
    # A wall time inside a spring-forward gap does not survive the round trip.
    if aware.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise ValidationFailed(
            f"{local:%d %b %Y %H:%M} does not exist in {event.timezone} (clocks change).",
            field=field,
        )
    return aware.astimezone(dt.UTC)


def zone_label(event: Event, moment: dt.datetime | None = None) -> str:
    """'Asia/Kolkata (IST, UTC+05:30)' for labelling times shown in the event's zone."""
    if moment is None:
        moment = dt.datetime.combine(event.starts_on, dt.time(12), tzinfo=dt.UTC)
    local = moment.astimezone(event.tz)
    offset = local.strftime("%z")
    return f"{event.timezone} ({local.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def overlaps(
    a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime
) -> bool:
    """Half-open intervals overlap (back-to-back sessions do not clash)."""
    return a_start < b_end and b_start < a_end


# --- versioning and change log ---------------------------------------------------------


def bump_version(event: Event) -> int:
    """Increase the programme version atomically (locks the event row) and return it."""
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event.id)
        .values(programme_version=Event.programme_version + 1)
    )
    db.session.refresh(event, ["programme_version"])
    return event.programme_version


def _log(
    event: Event, session: ProgrammeSession | None, kind: str, summary: str, now: dt.datetime
) -> None:
    """Record a change for the public changes page, once the programme is published."""
    if event.programme_published_at is None:
        return
    db.session.add(
        ProgrammeChange(
            event_id=event.id,
            session_id=session.id if session is not None else None,
            kind=kind,
            summary=summary[:500],
            programme_version=event.programme_version,
            created_at=now,
        )
    )


def publish_programme(event: Event, now: dt.datetime) -> None:
    """Make the programme public; later changes go to the change log."""
    if event.programme_published_at is not None:
        raise DomainError("The programme is already published.")
    has_sessions = db.session.scalar(
        sa.select(sa.func.count(ProgrammeSession.id)).where(ProgrammeSession.event_id == event.id)
    )
    if not has_sessions:
        raise DomainError("Add at least one session before publishing the programme.")
    bump_version(event)
    event.programme_published_at = now
    db.session.flush()


def list_changes(event: Event) -> list[ProgrammeChange]:
    """Changes since publication, newest first."""
    return list(
        db.session.scalars(
            sa.select(ProgrammeChange)
            .where(ProgrammeChange.event_id == event.id)
            .order_by(ProgrammeChange.id.desc())
        )
    )


# --- rooms and tracks ------------------------------------------------------------------


def list_rooms(event: Event) -> list[Room]:
    """Rooms of the event in display order."""
    return list(
        db.session.scalars(
            sa.select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name)
        )
    )


def list_tracks(event: Event) -> list[Track]:
    """Tracks of the event by name."""
    return list(
        db.session.scalars(sa.select(Track).where(Track.event_id == event.id).order_by(Track.name))
    )


def _check_room(event: Event, name: str, capacity_: int | None, exclude_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the room a name.", field="name")
    if len(name) > 100:
        raise ValidationFailed("The name is too long (100 characters at most).", field="name")
    if capacity_ is not None and capacity_ < 0:
        raise ValidationFailed("Capacity cannot be negative.", field="capacity")
    clash = db.session.scalar(
        sa.select(Room.id).where(Room.event_id == event.id, Room.name == name)
    )
    if clash is not None and clash != exclude_id:
        raise ValidationFailed("Another room already has this name.", field="name")
    return name


def create_room(
    event: Event,
    *,
    name: str,
    capacity: int | None = None,
    location: str = "",
    position: int | None = None,
) -> Room:
    """Add a room to the venue."""
    name = _check_room(event, name, capacity, None)
    bump_version(event)
    if position is None:
        position = (
            db.session.scalar(
                sa.select(sa.func.max(Room.position)).where(Room.event_id == event.id)
            )
            or 0
        ) + 1
    room = Room(
        event_id=event.id,
        name=name,
        capacity=capacity,
        location=(location or "").strip()[:200],
        position=position,
    )
    db.session.add(room)
    db.session.flush()
    return room


def update_room(
    event: Event, room: Room, *, name: str, capacity: int | None, location: str, now: dt.datetime
) -> Room:
    """Rename or resize a room; a rename is logged because sessions move with it."""
    name = _check_room(event, name, capacity, room.id)
    bump_version(event)
    old_name = room.name
    room.name, room.capacity, room.location = name, capacity, (location or "").strip()[:200]
    if old_name != name:
        _log(event, None, "changed", f"Room {old_name} is now called {name}.", now)
        _touch_sessions(sa.select(ProgrammeSession).where(ProgrammeSession.room_id == room.id))
    db.session.flush()
    return room


def _check_track(event: Event, name: str, colour: str, exclude_id: int | None) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the track a name.", field="name")
    if len(name) > 100:
        raise ValidationFailed("The name is too long (100 characters at most).", field="name")
    colour = (colour or "#4a5568").strip()
    if not COLOUR_RE.match(colour):
        raise ValidationFailed("Use a colour such as #1f6feb.", field="colour")
    clash = db.session.scalar(
        sa.select(Track.id).where(Track.event_id == event.id, Track.name == name)
    )
    if clash is not None and clash != exclude_id:
        raise ValidationFailed("Another track already has this name.", field="name")
    return name, colour.lower()


def create_track(event: Event, *, name: str, colour: str = "#4a5568") -> Track:
    """Add a track (theme) with a colour."""
    name, colour = _check_track(event, name, colour, None)
    bump_version(event)
    track = Track(event_id=event.id, name=name, colour=colour)
    db.session.add(track)
    db.session.flush()
    return track


def update_track(event: Event, track: Track, *, name: str, colour: str) -> Track:
    """Rename or recolour a track."""
    track.name, track.colour = _check_track(event, name, colour, track.id)
    bump_version(event)
    db.session.flush()
    return track


def _touch_sessions(query: sa.Select) -> None:
    """Bump SEQUENCE of sessions whose calendar entry changes indirectly (room rename)."""
    for session in db.session.scalars(query):
        session.sequence += 1


# --- sessions ----------------------------------------------------------------------------


@dataclasses.dataclass
class PersonData:
    """One person of a session, as entered."""

    name: str
    role: PersonRole = PersonRole.SPEAKER
    organisation: str = ""
    country: str = ""


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


def _room_clash(
    event: Event, room_id: int, starts_at: dt.datetime, ends_at: dt.datetime, exclude_id: int | None
) -> ProgrammeSession | None:
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


def validate_session(
    event: Event, data: SessionData, *, exclude_id: int | None = None, check_room_clash: bool = True
) -> None:
    """Check a session against the rules; raise ValidationFailed naming the field."""
    data.title = (data.title or "").strip()
    if not data.title:
        raise ValidationFailed("Give the session a title.", field="title")
    if len(data.title) > 300:
        raise ValidationFailed("The title is too long (300 characters at most).", field="title")
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise ValueError("session times must be aware")
    if data.ends_at <= data.starts_at:
        raise ValidationFailed("The session must end after it starts.", field="ends_at")
    if data.ends_at - data.starts_at > dt.timedelta(hours=24):
        raise ValidationFailed("A session cannot last more than 24 hours.", field="ends_at")
    first_day = event.local(data.starts_at).date()
    if first_day < event.starts_on or first_day > event.ends_on:
        raise ValidationFailed(
            f"The session must start between {event.starts_on:%d %b} and {event.ends_on:%d %b %Y}.",
            field="starts_at",
        )
    if data.room_id is not None:
        room = db.session.get(Room, data.room_id)
        if room is None or room.event_id != event.id:
            raise ValidationFailed("Unknown room.", field="room_id")
    if data.track_id is not None:
        track = db.session.get(Track, data.track_id)
        if track is None or track.event_id != event.id:
            raise ValidationFailed("Unknown track.", field="track_id")
    if data.seat_limit is not None and data.seat_limit < 1:
        raise ValidationFailed(
            "A seat limit must be at least 1 (leave it empty for none).", field="seat_limit"
        )
    if len(data.people) > MAX_PEOPLE:
        raise ValidationFailed(f"At most {MAX_PEOPLE} people per session.")
    for person in data.people:
        person.name = (person.name or "").strip()
        person.organisation = (person.organisation or "").strip()
        person.country = (person.country or "").strip().upper()
        if not person.name or len(person.name) > 200 or len(person.organisation) > 200:
            raise ValidationFailed("Each person needs a name (200 characters at most).")
        if person.country and not is_country(person.country):
            raise ValidationFailed(f"Unknown country code {person.country!r} for {person.name}.")
    if check_room_clash and data.room_id is not None:
        clash = _room_clash(event, data.room_id, data.starts_at, data.ends_at, exclude_id)
        if clash is not None:
            raise ValidationFailed(
                f"The room is already used by “{clash.title}” "
                f"({event.local(clash.starts_at):%a %H:%M}–{event.local(clash.ends_at):%H:%M}).",
                field="room_id",
            )


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


def _people_key(session: ProgrammeSession) -> list[tuple]:
    return [(p.name, p.role, p.organisation, p.country) for p in session.people]


def _set_seat_limit(session: ProgrammeSession, limit: int | None, now: dt.datetime) -> None:
    """Seat-limited sessions get a capacity pool; raising the limit promotes the waiting list."""
    if session.pool is None:
        if limit is None:
            return
        session.pool = capacity.new_pool(limit)
        db.session.flush()
        return
    capacity.set_capacity(session.pool, limit)
    promote_waiting(session, now)


def _when(event: Event, session: ProgrammeSession | SessionData) -> str:
    start, end = event.local(session.starts_at), event.local(session.ends_at)
    return f"{start:%a %d %b %H:%M}–{end:%H:%M}"


def create_session(event: Event, data: SessionData, *, now: dt.datetime) -> ProgrammeSession:
    """Add a session after checking the rules (room clash refused)."""
    bump_version(event)
    validate_session(event, data)
    session = ProgrammeSession(
        event_id=event.id,
        title=data.title,
        kind=data.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        room_id=data.room_id,
        track_id=data.track_id,
        description=data.description or "",
        created_at=now,
        updated_at=now,
    )
    db.session.add(session)
    db.session.flush()
    _set_people(session, data.people)
    _set_seat_limit(session, data.seat_limit, now)
    _log(event, session, "added", f"Added: {session.title}, {_when(event, session)}.", now)
    db.session.flush()
    return session


def update_session(
    event: Event, session: ProgrammeSession, data: SessionData, *, now: dt.datetime
) -> list[str]:
    """Change a session; return what changed (logged once published; SEQUENCE bumped)."""
    bump_version(event)
    validate_session(event, data, exclude_id=session.id)
    old_room = session.room.name if session.room else "no room"
    old_when = _when(event, session)
    old_starts, old_ends = session.starts_at, session.ends_at
    what: list[str] = []
    retimed = (session.starts_at, session.ends_at) != (data.starts_at, data.ends_at)
    moved = session.room_id != data.room_id
    for attr, label in (
        ("title", "title"),
        ("kind", "kind"),
        ("track_id", "track"),
        ("description", "description"),
    ):
        if getattr(session, attr) != getattr(data, attr):
            what.append(label)
    if _people_key(session) != [(p.name, p.role, p.organisation, p.country) for p in data.people]:
        what.append("people")
        _set_people(session, data.people)
    old_title = session.title
    session.title, session.kind, session.track_id = data.title, data.kind, data.track_id
    session.description = data.description or ""
    session.starts_at, session.ends_at, session.room_id = data.starts_at, data.ends_at, data.room_id
    old_limit = session.pool.capacity if session.pool else None
    if old_limit != data.seat_limit:
        _set_seat_limit(session, data.seat_limit, now)
        what.append("seats")
    db.session.flush()
    db.session.refresh(session, ["room"])
    if not (what or retimed or moved):
        return []
    session.sequence += 1
    session.updated_at = now
    if retimed or moved:
        parts = []
        if retimed:
            parts.append(f"from {old_when} to {_when(event, session)}")
        if moved:
            parts.append(f"from {old_room} to {session.room.name if session.room else 'no room'}")
        _log(event, session, "moved", f"{session.title} moved " + " and ".join(parts) + ".", now)
        if session.status is SessionStatus.SCHEDULED:
            _notify_change(
                event,
                session,
                "moved",
                old_starts=old_starts,
                old_ends=old_ends,
                old_room=old_room if moved else None,
            )
    public = [w for w in what if w != "seats"]
    if public:
        name = session.title if old_title == session.title else f"{old_title} (now {session.title})"
        _log(event, session, "changed", f"{name}: {', '.join(public)} changed.", now)
    db.session.flush()
    return (["time"] if retimed else []) + (["room"] if moved else []) + what


def cancel_session(event: Event, session: ProgrammeSession, *, now: dt.datetime) -> None:
    """Cancel a session: it stays visible (and in calendars) marked as cancelled."""
    if session.status is SessionStatus.CANCELLED:
        raise DomainError("The session is already cancelled.")
    bump_version(event)
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.updated_at = now
    _log(event, session, "cancelled", f"Cancelled: {session.title} ({_when(event, session)}).", now)
    db.session.flush()
    _notify_change(event, session, "cancelled")


def reinstate_session(event: Event, session: ProgrammeSession, *, now: dt.datetime) -> None:
    """Undo a cancellation, if its room is still free."""
    if session.status is not SessionStatus.CANCELLED:
        raise DomainError("The session is not cancelled.")
    bump_version(event)
    if session.room_id is not None:
        clash = _room_clash(event, session.room_id, session.starts_at, session.ends_at, session.id)
        if clash is not None:
            raise ValidationFailed(
                f"The room is now used by “{clash.title}”; move one of them first."
            )
    session.status = SessionStatus.SCHEDULED
    session.sequence += 1
    session.updated_at = now
    _log(
        event,
        session,
        "reinstated",
        f"Back on the programme: {session.title} ({_when(event, session)}).",
        now,
    )
    db.session.flush()
    _notify_change(event, session, "reinstated")


def delete_session(event: Event, session: ProgrammeSession) -> None:
    """Delete a draft session; once published, sessions are cancelled instead."""
    if event.programme_published_at is not None:
        raise DomainError(
            "The programme is published: cancel the session instead, so delegates see it."
        )
    bump_version(event)
    if session.pool is not None:
        pool = session.pool
        db.session.delete(session)
        db.session.flush()
        db.session.delete(pool)
    else:
        db.session.delete(session)
    db.session.flush()


class PersonView(NamedTuple):
    """A person of a session as plain data (the programme grid needs no ORM objects)."""

    session_id: int
    name: str
    role: PersonRole
    organisation: str
    country: str


@dataclasses.dataclass
class Programme:
    """What the programme pages show: sessions in time order, rooms, tracks, people."""

    sessions: list[ProgrammeSession]
    rooms: list[Room]
    tracks: list[Track]
    people: dict[int, list]


def load_programme_with(
    event: Event, *, for_grid: bool = False, with_descriptions: bool = True
) -> Programme:
    """Sessions (room, track, pool loaded), rooms, tracks and people in four queries.

    Rooms and tracks are loaded first so that `session.room`/`session.track` resolve from
    the identity map without SQL. People come in one query rather than selectinload's
    IN list. `for_grid` (read-only pages) skips the long columns the grid never shows
    and returns people as plain tuples, which is several times cheaper than ORM objects
    for hundreds of sessions; otherwise they are ORM objects set on `session.people`.
    """
    rooms = list_rooms(event)
    tracks = list_tracks(event)
    light = (
        [defer(ProgrammeSession.created_at), defer(ProgrammeSession.updated_at)] if for_grid else []
    )
    if for_grid and not with_descriptions:
        light.append(defer(ProgrammeSession.description))
    sessions = list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .options(joinedload(ProgrammeSession.pool), *light)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.ends_at, ProgrammeSession.id)
        )
    )
    # Attaching rooms and tracks by hand beats 2 x N identity-map lookups by lazy loaders.
    room_of = {r.id: r for r in rooms}
    track_of = {t.id: t for t in tracks}
    for session in sessions:
        set_committed_value(session, "room", room_of.get(session.room_id))
        set_committed_value(session, "track", track_of.get(session.track_id))
    people: dict[int, list] = defaultdict(list)
    if for_grid:
        rows = db.session.execute(
            sa.select(
                SessionPerson.session_id,
                SessionPerson.name,
                SessionPerson.role,
                SessionPerson.organisation,
                SessionPerson.country,
            )
            .join(ProgrammeSession, ProgrammeSession.id == SessionPerson.session_id)
            .where(ProgrammeSession.event_id == event.id)
            .order_by(SessionPerson.session_id, SessionPerson.position, SessionPerson.id)
        )
        for row in rows:
            people[row[0]].append(PersonView(*row))
        return Programme(sessions, rooms, tracks, people)
    orm_rows = db.session.scalars(
        sa.select(SessionPerson)
        .join(ProgrammeSession, ProgrammeSession.id == SessionPerson.session_id)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(SessionPerson.session_id, SessionPerson.position, SessionPerson.id)
    )
    for person in orm_rows:
        people[person.session_id].append(person)
    for session in sessions:
        set_committed_value(session, "people", people.get(session.id, []))
    return Programme(sessions, rooms, tracks, people)


def load_programme(event: Event) -> list[ProgrammeSession]:
    """Every session of the event with room, track, pool and people, in time order."""
    return load_programme_with(event).sessions


# --- clashes of people -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PersonClash:
    """One person expected in two overlapping sessions."""

    name: str
    first: ProgrammeSession
    second: ProgrammeSession


def _person_key(person: SessionPerson) -> str:
    return " ".join(person.name.casefold().split())


def person_clashes(sessions: Iterable[ProgrammeSession]) -> list[PersonClash]:
    """People (matched by name, case and spacing ignored) in overlapping scheduled sessions."""
    by_person: dict[str, list[tuple[str, ProgrammeSession]]] = defaultdict(list)
    for session in sessions:
        if session.status is SessionStatus.CANCELLED:
            continue
        for person in session.people:
            by_person[_person_key(person)].append((person.name, session))
    clashes: list[PersonClash] = []
    for entries in by_person.values():
        entries.sort(key=lambda e: e[1].starts_at)
        for i, (name, first) in enumerate(entries):
            for _, second in entries[i + 1 :]:
                if second.starts_at >= first.ends_at:
                    break
                if second.id != first.id:
                    clashes.append(PersonClash(name, first, second))
    return clashes


def session_warnings(event: Event, session: ProgrammeSession) -> list[str]:
    """Warnings for one session: its people expected elsewhere at the same time."""
    names = {_person_key(p) for p in session.people}
    if not names or session.status is SessionStatus.CANCELLED:
        return []
    others = db.session.scalars(
        sa.select(ProgrammeSession)
        .where(
            ProgrammeSession.event_id == event.id,
            ProgrammeSession.id != session.id,
            ProgrammeSession.status == SessionStatus.SCHEDULED,
            ProgrammeSession.starts_at < session.ends_at,
            ProgrammeSession.ends_at > session.starts_at,
        )
        .options(selectinload(ProgrammeSession.people))
    )
    warnings = []
    for other in others:
        for person in other.people:
            if _person_key(person) in names:
                warnings.append(
                    f"{person.name} is also in “{other.title}” ({_when(event, other)})."
                )
    return warnings


def health(event: Event) -> dict:
    """Agenda health: person clashes, sessions without room, full workshops, empty rooms."""
    sessions = load_programme(event)
    scheduled = [s for s in sessions if s.status is SessionStatus.SCHEDULED]
    return {
        "person_clashes": person_clashes(scheduled),
        "no_room": [
            s
            for s in scheduled
            if s.room_id is None and s.kind not in (SessionKind.BREAK, SessionKind.NETWORKING)
        ],
        "over_room_capacity": [
            s
            for s in scheduled
            if s.pool is not None
            and s.pool.capacity
            and s.room
            and s.room.capacity
            and s.pool.capacity > s.room.capacity
        ],
        "full": [s for s in scheduled if s.pool is not None and s.pool.seats_left == 0],
        "sessions": len(sessions),
        "cancelled": len(sessions) - len(scheduled),
    }


# --- delegates: stars, sign-ups, calendar token ------------------------------------------


def delegate_registration(event: Event, user) -> Registration | None:
    """The user's confirmed registration for the event, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def set_star(
    registration: Registration,
    session: ProgrammeSession,
    wanted: bool | None,
    now: dt.datetime,
) -> bool:
    """Star (`wanted` True) or unstar (False) a session, or toggle it (None); return whether
    it is starred now. Asking for the state it is already in changes nothing, so a
    double-clicked "Add to my agenda" does not take the star away again."""
    if wanted is not False and not attendable(session):
        raise DomainError(
            "Breaks are for everyone: there is nothing to add to your agenda.",
            code="not_attendable",
        )
    star = db.session.scalar(
        sa.select(SessionStar).where(
            SessionStar.registration_id == registration.id, SessionStar.session_id == session.id
        )
    )
    if wanted is None:
        wanted = star is None
    if not wanted:
        if star is not None:
            db.session.delete(star)
            db.session.flush()
        return False
    if star is None:
        try:
            # A click racing itself: the unique constraint keeps one star, the other is a no-op.
            with db.session.begin_nested():
                db.session.add(
                    SessionStar(
                        registration_id=registration.id, session_id=session.id, created_at=now
                    )
                )
        except IntegrityError:
            pass
    return True


def attendable(session: ProgrammeSession) -> bool:
    """Whether a delegate chooses to attend it (breaks are for everyone: no star)."""
    return session.kind is not SessionKind.BREAK


def personal_state(session: ProgrammeSession, registration: Registration | None) -> dict:
    """The delegate's star, seat and waiting-list place for one session."""
    if registration is None:
        return {"starred": False, "seat": None, "queue_position": None}
    starred = db.session.scalar(
        sa.select(SessionStar.id).where(
            SessionStar.registration_id == registration.id, SessionStar.session_id == session.id
        )
    )
    holder = get_signup(session, registration)
    active = holder is not None and holder.status is not SeatStatus.CANCELLED
    seat = holder.status if active else None
    position = None
    if seat is SeatStatus.WAITLISTED:
        ahead = db.session.scalar(
            sa.select(sa.func.count(SessionSignup.id)).where(
                SessionSignup.session_id == session.id,
                SessionSignup.status == SeatStatus.WAITLISTED,
                SessionSignup.id < holder.id,
            )
        )
        position = (ahead or 0) + 1
    return {"starred": starred is not None, "seat": seat, "queue_position": position}


def personal_marks(registration: Registration | None) -> tuple[set[int], dict[int, SeatStatus]]:
    """The sessions a delegate starred, and their seats (confirmed or waiting) by session."""
    if registration is None:
        return set(), {}
    starred = set(
        db.session.scalars(
            sa.select(SessionStar.session_id).where(SessionStar.registration_id == registration.id)
        )
    )
    seats = dict(
        db.session.execute(
            sa.select(SessionSignup.session_id, SessionSignup.status).where(
                SessionSignup.registration_id == registration.id,
                SessionSignup.status != SeatStatus.CANCELLED,
            )
        ).all()
    )
    return starred, seats


def _queue(session: ProgrammeSession) -> sa.Select:
    return (
        sa.select(SessionSignup)
        .where(
            SessionSignup.session_id == session.id, SessionSignup.status == SeatStatus.WAITLISTED
        )
        .order_by(SessionSignup.id)
    )


def get_signup(session: ProgrammeSession, registration: Registration) -> SessionSignup | None:
    """The registration's sign-up row for the session, if any (any status), as stored now."""
    return db.session.scalar(
        sa.select(SessionSignup)
        .where(
            SessionSignup.session_id == session.id, SessionSignup.registration_id == registration.id
        )
        .execution_options(populate_existing=True)
    )


def _check_signup(
    event: Event, session: ProgrammeSession, registration: Registration, now: dt.datetime
) -> None:
    if session.pool is None:
        raise DomainError("This session needs no sign-up: just come along.")
    if session.status is SessionStatus.CANCELLED:
        raise DomainError("This session is cancelled.")
    if now >= session.starts_at:
        raise DomainError("Sign-up closed when the session started.")
    if registration.event_id != event.id or registration.status is not RegistrationStatus.CONFIRMED:
        raise DomainError("Only confirmed delegates can sign up.")


def signup(
    event: Event, session: ProgrammeSession, registration: Registration, *, now: dt.datetime
) -> SessionSignup:
    """Take a seat in a seat-limited session or join its waiting list (first come, first served).

    The pool is locked before the delegate's row is read, so a repeated click finds the
    first one's row and is refused as already done, never a second seat or a server error.
    """
    _check_signup(event, session, registration, now)
    capacity.lock_pool(session.pool)
    existing = get_signup(session, registration)
    if existing is not None:
        if existing.status is not SeatStatus.CANCELLED:
            raise DomainError(
                "You are already signed up."
                if existing.status is SeatStatus.CONFIRMED
                else "You are already on the waiting list.",
                code="already_done",
            )
        # A fresh row (new id) puts a returning delegate at the back of the queue.
        db.session.delete(existing)
        db.session.flush()
    holder = SessionSignup(
        session_id=session.id,
        registration_id=registration.id,
        status=SeatStatus.WAITLISTED,
        created_at=now,
        status_changed_at=now,
    )
    db.session.add(holder)
    db.session.flush()
    confirmed = capacity.admit(
        session.pool,
        holder,
        confirmed=SeatStatus.CONFIRMED,
        waitlisted=SeatStatus.WAITLISTED,
        now=now,
    )
    db.session.flush()
    if confirmed:
        _mail_seat(
            event, session, registration, "agenda_signup_confirmed", f"Your seat: {session.title}"
        )
    else:
        _mail_seat(
            event,
            session,
            registration,
            "agenda_signup_waitlisted",
            f"Waiting list: {session.title}",
        )
    return holder


def cancel_signup(
    event: Event, session: ProgrammeSession, registration: Registration, *, now: dt.datetime
) -> list[SessionSignup]:
    """Give up a seat or a waiting-list place; the first in line gets the seat (and an e-mail).

    The row is read under the pool's lock: a repeat of a cancel that has just committed is
    refused as already done (code ``already_done``) and changes, sends and logs nothing.
    """
    if session.pool is None:
        raise DomainError("This session needs no sign-up.", code="not_signed_up")
    capacity.lock_pool(session.pool)
    holder = get_signup(session, registration)
    if holder is None:
        raise DomainError("You are not signed up for this session.", code="not_signed_up")
    if holder.status is SeatStatus.CANCELLED:
        raise DomainError("You have already given up this place.", code="already_done")
    return _leave(event, session, holder, now)


def _leave(
    event: Event, session: ProgrammeSession, holder: SessionSignup, now: dt.datetime
) -> list[SessionSignup]:
    return capacity.leave(
        session.pool,
        holder,
        confirmed=SeatStatus.CONFIRMED,
        cancelled=SeatStatus.CANCELLED,
        queue=_queue(session),
        now=now,
        on_promoted=lambda promoted: _on_promoted(event, session, promoted),
    )


def describe_seats_of(registration: Registration, *, now: dt.datetime) -> list[str]:
    """The workshop seats a registration would give up, in a sentence (or none)."""
    titles = [session.title for _holder, session in _held_seats(registration, now)]
    if not titles:
        return []
    return [f"Workshop seats given up (the next in line get them): {', '.join(titles)}."]


def release_seats_of(registration: Registration, *, now: dt.datetime) -> int:
    """Give up the seats and waiting-list places a cancelled or rejected registration
    holds in sessions still to come; the next in line get them. Returns how many."""
    rows = _held_seats(registration, now)
    event = db.session.get(Event, registration.event_id)
    for holder, session in rows:
        _leave(event, session, holder, now)
    return len(rows)


def _held_seats(registration: Registration, now: dt.datetime) -> list:
    return db.session.execute(
        sa.select(SessionSignup, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
        .where(
            SessionSignup.registration_id == registration.id,
            SessionSignup.status != SeatStatus.CANCELLED,
            ProgrammeSession.starts_at > now,
            ProgrammeSession.capacity_pool_id.is_not(None),
        )
        .order_by(ProgrammeSession.starts_at)
    ).all()


def promote_waiting(session: ProgrammeSession, now: dt.datetime) -> list[SessionSignup]:
    """Fill free seats from the waiting list (after a seat limit was raised)."""
    if session.pool is None:
        return []
    event = db.session.get(Event, session.event_id)
    return capacity.promote(
        session.pool,
        _queue(session),
        confirmed=SeatStatus.CONFIRMED,
        now=now,
        on_promoted=lambda promoted: _on_promoted(event, session, promoted),
    )


def _on_promoted(event: Event, session: ProgrammeSession, holder: SessionSignup) -> None:
    registration = db.session.get(Registration, holder.registration_id)
    _mail_seat(
        event, session, registration, "agenda_signup_promoted", f"A seat is yours: {session.title}"
    )


def _mail_seat(
    event: Event, session: ProgrammeSession, registration: Registration, template: str, subject: str
) -> None:
    from confapp.agenda import feeds  # late: feeds imports this module

    attachments = None
    if template != "agenda_signup_waitlisted":
        attachments = [("session.ics", "text/calendar", feeds.session_ics_bytes(event, session))]
    mail.send_mail(
        registration.email,
        subject,
        template,
        attachments=attachments,
        event=event,
        session=session,
        registration=registration,
        url=feeds.absolute_url("agenda.session_detail", slug=event.slug, session_id=session.id),
    )


_CHANGE_SUBJECTS = {
    "moved": "Changed",
    "cancelled": "Cancelled",
    "reinstated": "Back on the programme",
}


def affected_registrations(session: ProgrammeSession) -> list[Registration]:
    """Active delegates holding a seat or waiting-list place in the session, or who starred it."""
    seated = sa.select(SessionSignup.registration_id).where(
        SessionSignup.session_id == session.id, SessionSignup.status != SeatStatus.CANCELLED
    )
    starred = sa.select(SessionStar.registration_id).where(SessionStar.session_id == session.id)
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == session.event_id,
                Registration.status.in_(
                    (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
                ),
                sa.or_(Registration.id.in_(seated), Registration.id.in_(starred)),
            )
            .order_by(Registration.id)
        )
    )


def _notify_change(
    event: Event,
    session: ProgrammeSession,
    change: str,
    *,
    old_starts: dt.datetime | None = None,
    old_ends: dt.datetime | None = None,
    old_room: str | None = None,
) -> None:
    """E-mail each affected delegate what changed, with the new .ics (published programmes only)."""
    from confapp.agenda import feeds  # late: feeds imports this module

    # Before publication nobody outside the organisers has seen the programme.
    if event.programme_published_at is None:
        return
    recipients = affected_registrations(session)
    if not recipients:
        return
    retimed = old_starts is not None and (old_starts, old_ends) != (
        session.starts_at,
        session.ends_at,
    )
    # One calendar file for all: SEQUENCE (and STATUS:CANCELLED) let calendars update the entry.
    attachment = ("session.ics", "text/calendar", feeds.session_ics_bytes(event, session))
    url = feeds.absolute_url("agenda.session_detail", slug=event.slug, session_id=session.id)
    for registration in recipients:
        mail.send_mail(
            registration.email,
            f"{_CHANGE_SUBJECTS[change]}: {session.title}",
            "agenda_session_changed",
            attachments=[attachment],
            event=event,
            session=session,
            registration=registration,
            change=change,
            old_starts=old_starts if retimed else None,
            old_ends=old_ends,
            old_room=old_room,
            new_room=session.room.name if session.room else "no room",
            url=url,
        )


def signups_for(session: ProgrammeSession) -> list[tuple[SessionSignup, Registration]]:
    """Active sign-ups of a session (confirmed first, then the waiting list in order)."""
    rows = db.session.execute(
        sa.select(SessionSignup, Registration)
        .join(Registration, Registration.id == SessionSignup.registration_id)
        .where(SessionSignup.session_id == session.id, SessionSignup.status != SeatStatus.CANCELLED)
        .order_by(SessionSignup.status, SessionSignup.id)
    ).all()
    return [(s, r) for s, r in rows]


def my_agenda(event: Event, registration: Registration) -> list[dict]:
    """Starred and signed-up sessions plus meetings and visits, in time order, with clashes.

    Each item has `starts_at`, `ends_at`, `title`, `clashes` (titles of overlapping
    items) and either `session` (with `starred` and `seat`) or `entry` (a PersonalEntry).
    """
    starred = set(
        db.session.scalars(
            sa.select(SessionStar.session_id).where(SessionStar.registration_id == registration.id)
        )
    )
    seats = dict(
        db.session.execute(
            sa.select(SessionSignup.session_id, SessionSignup.status).where(
                SessionSignup.registration_id == registration.id,
                SessionSignup.status != SeatStatus.CANCELLED,
            )
        ).all()
    )
    ids = starred | set(seats)
    sessions = []
    if ids:
        sessions = list(
            db.session.scalars(
                sa.select(ProgrammeSession)
                .where(ProgrammeSession.id.in_(ids), ProgrammeSession.event_id == event.id)
                .options(joinedload(ProgrammeSession.room), selectinload(ProgrammeSession.people))
                .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
            )
        )
    items = [
        {
            "session": s,
            "entry": None,
            "starred": s.id in starred,
            "seat": seats.get(s.id),
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "title": s.title,
            "active": s.status is SessionStatus.SCHEDULED,
        }
        for s in sessions
    ]
    items += [
        {
            "session": None,
            "entry": e,
            "starts_at": e.starts_at,
            "ends_at": e.ends_at,
            "title": e.title,
            "active": not e.cancelled,
        }
        for e in personal.personal_entries(event, registration)
    ]
    items.sort(key=lambda it: (it["starts_at"], it["title"]))
    for it in items:
        it["clashes"] = [
            o["title"]
            for o in items
            if o is not it
            and it["active"]
            and o["active"]
            and overlaps(it["starts_at"], it["ends_at"], o["starts_at"], o["ends_at"])
        ]
    return items


def ensure_calendar_token(registration: Registration) -> str:
    """The registration's secret calendar token, made on first use."""
    if not registration.calendar_token:
        registration.calendar_token = secrets.token_urlsafe(32)
        db.session.flush()
    return registration.calendar_token


def reset_calendar_token(registration: Registration) -> str:
    """Replace the secret calendar token: the old feed URL stops working."""
    registration.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return registration.calendar_token


def registration_by_calendar_token(event: Event, token: str) -> Registration | None:
    """The confirmed registration owning this calendar token for this event."""
    # Tokens are URL-safe base64; anything else (a NUL, other scripts) is simply unknown.
    if not token or len(token) > 64 or not _TOKEN_RE.fullmatch(token):
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.calendar_token == token,
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def personal_sessions(event: Event, registration: Registration) -> list[ProgrammeSession]:
    """Sessions for the personal feed: starred plus confirmed sign-ups."""
    starred = sa.select(SessionStar.session_id).where(
        SessionStar.registration_id == registration.id
    )
    seated = sa.select(SessionSignup.session_id).where(
        SessionSignup.registration_id == registration.id,
        SessionSignup.status == SeatStatus.CONFIRMED,
    )
    return list(
        db.session.scalars(
            sa.select(ProgrammeSession)
            .where(ProgrammeSession.event_id == event.id)
            .where(sa.or_(ProgrammeSession.id.in_(starred), ProgrammeSession.id.in_(seated)))
            .options(joinedload(ProgrammeSession.room), selectinload(ProgrammeSession.people))
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
        )
    )


def manage_overview(event: Event) -> dict:
    """The organiser overview: sessions by local day and which of them have person clashes."""
    sessions = load_programme(event)
    by_day: dict[dt.date, list[ProgrammeSession]] = {}
    for s in sessions:
        by_day.setdefault(event.local(s.starts_at).date(), []).append(s)
    clashes = person_clashes(sessions)
    return {
        "by_day": by_day,
        "clashing": {c.first.id for c in clashes} | {c.second.id for c in clashes},
        "clash_count": len(clashes),
    }


def _names(registrations: list[Registration], limit: int = 8) -> str:
    names = [r.full_name for r in registrations[:limit]]
    more = len(registrations) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _seat_counts(session: ProgrammeSession) -> tuple[int, int]:
    rows = dict(
        db.session.execute(
            sa.select(SessionSignup.status, sa.func.count(SessionSignup.id))
            .where(SessionSignup.session_id == session.id)
            .group_by(SessionSignup.status)
        ).all()
    )
    return rows.get(SeatStatus.CONFIRMED, 0), rows.get(SeatStatus.WAITLISTED, 0)


def cancel_session_consequences(event: Event, session: ProgrammeSession) -> list[str]:
    """What cancelling a session does, in sentences: who is e-mailed, what happens to seats."""
    if session.status is SessionStatus.CANCELLED:
        return ["The session is already cancelled: nothing will change."]
    lines = []
    if event.programme_published_at is None:
        lines.append("The programme is not published yet: nobody is e-mailed.")
    else:
        lines.append(
            "It stays on the programme marked as cancelled, and the public changes page says so."
        )
        affected = affected_registrations(session)
        lines.append(
            f"{len(affected)} delegate{'s' if len(affected) != 1 else ''} who starred it or "
            f"hold a place will be e-mailed with the cancelled calendar entry: {_names(affected)}."
            if affected
            else "Nobody has starred it or signed up for it, so nobody is e-mailed."
        )
    if session.pool is not None:
        seated, waiting = _seat_counts(session)
        lines.append(
            f"No seat is given up: the {seated} confirmed seat{'s' if seated != 1 else ''} and "
            f"{waiting} waiting-list place{'s' if waiting != 1 else ''} stay held, "
            "in case you reinstate the session."
        )
    return lines


def delete_session_consequences(event: Event, session: ProgrammeSession) -> list[str]:
    """What deleting a draft session does, in sentences."""
    if event.programme_published_at is not None:
        return ["The programme is published: cancel the session instead, so delegates see it."]
    lines = ["The session is removed for good; nobody is e-mailed (the programme is not public)."]
    if session.pool is not None:
        seated, waiting = _seat_counts(session)
        if seated or waiting:
            lines.append(
                f"{seated} confirmed seat{'s' if seated != 1 else ''} and {waiting} "
                f"waiting-list place{'s' if waiting != 1 else ''} are given up with it."
            )
    return lines
