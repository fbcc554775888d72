"""Loading the programme for pages and feeds, and what organisers check in it.

Pages and feeds read the whole programme in a constant number of queries
(:func:`load_programme_with`); the organiser overview, person clashes, a session's
warnings and the health report are built from it. Read only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import defer
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionPerson
from confapp.agenda.models import SessionStatus
from confapp.agenda.models import Track
from confapp.agenda.times import when
from confapp.events.models import Event
from confapp.extensions import db


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
        light += [defer(ProgrammeSession.description), defer(ProgrammeSession.description_i18n)]
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
            for _name, second in entries[i + 1 :]:
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
                    _(
                        "%(name)s is also in “%(title)s” (%(when)s).",
                        name=person.name,
                        title=other.title,
                        when=when(event, other),
                    )
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
