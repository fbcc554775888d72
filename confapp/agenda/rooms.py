"""Rooms and tracks: the venue's rooms and the programme's themes, with their checks.

Listing them is read-only (:mod:`confapp.agenda.programme`); adding and editing here takes
the programme's lock and bumps its version, since rooms and tracks appear in calendars.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.agenda import changes
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import Track
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import save_translations

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _check_name(model: type, event: Event, name: str, exclude_id: int | None) -> str:
    is_room = model is Room
    name = (name or "").strip()
    if not name:
        message = _("Give the room a name.") if is_room else _("Give the track a name.")
        raise ValidationFailed(message, field="name")
    if len(name) > 100:
        raise ValidationFailed(_("The name is too long (100 characters at most)."), field="name")
    clash = db.session.scalar(
        sa.select(model.id).where(model.event_id == event.id, model.name == name)
    )
    if clash is not None and clash != exclude_id:
        message = (
            _("Another room already has this name.")
            if is_room
            else _("Another track already has this name.")
        )
        raise ValidationFailed(message, field="name")
    return name


def _check_room(event: Event, name: str, capacity: int | None, exclude_id: int | None) -> str:
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_("Capacity cannot be negative."), field="capacity")
    return _check_name(Room, event, name, exclude_id)


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
    changes.bump_version(event)
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
    """Rename or resize a room; a rename is logged because sessions move with it.
    Saving it unchanged changes nothing (no version, no log)."""
    changes.lock_programme(event)
    # Read again under the lock: an identical edit sent twice at once is then unchanged.
    db.session.refresh(room)
    name = _check_room(event, name, capacity, room.id)
    location = (location or "").strip()[:200]
    if (room.name, room.capacity, room.location) == (name, capacity, location):
        return room
    changes.bump_version(event)
    old_name = room.name
    room.name, room.capacity, room.location = name, capacity, location
    if old_name != name:
        changes.record(
            event,
            None,
            "changed",
            f"Room {old_name} is now called {name}.",
            now,
            {"old_room": old_name, "room": name},
        )
        changes.touch_sessions(
            sa.select(ProgrammeSession).where(ProgrammeSession.room_id == room.id)
        )
    db.session.flush()
    return room


def _check_track(event: Event, name: str, colour: str, exclude_id: int | None) -> tuple[str, str]:
    colour = (colour or "#4a5568").strip()
    if not COLOUR_RE.match(colour):
        raise ValidationFailed(_("Use a colour such as #1f6feb."), field="colour")
    return _check_name(Track, event, name, exclude_id), colour.lower()


def _clean_names(names: dict[str, str] | None) -> dict[str, str]:
    return {code: " ".join(text.split())[:100] for code, text in (names or {}).items() if text}


def create_track(
    event: Event, *, name: str, colour: str = "#4a5568", names: dict[str, str] | None = None
) -> Track:
    """Add a track (theme) with a colour; `names` holds its name in other languages."""
    name, colour = _check_track(event, name, colour, None)
    changes.bump_version(event)
    track = Track(event_id=event.id, name=name, colour=colour, name_i18n=_clean_names(names))
    db.session.add(track)
    db.session.flush()
    return track


def update_track(
    event: Event, track: Track, *, name: str, colour: str, names: dict[str, str] | None = None
) -> Track:
    """Rename, recolour or translate a track (unchanged: nothing happens); `names` None
    leaves its other languages as they are."""
    changes.lock_programme(event)
    name, colour = _check_track(event, name, colour, track.id)
    names = dict(track.name_i18n or {}) if names is None else _clean_names(names)
    if (track.name, track.colour, dict(track.name_i18n or {})) == (name, colour, names):
        return track
    changes.bump_version(event)
    track.name, track.colour = name, colour
    save_translations(track, {"name": names})
    db.session.flush()
    return track
