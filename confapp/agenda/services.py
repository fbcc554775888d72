"""Compatibility re-export: the agenda's operations live in modules by concern.

- :mod:`confapp.agenda.times` — wall-clock times, zone labels, overlaps;
- :mod:`confapp.agenda.rooms` — rooms and tracks;
- :mod:`confapp.agenda.sessions` — sessions, publishing, what a cancel or delete would do;
- :mod:`confapp.agenda.changes` — programme version, public change log, change e-mails;
- :mod:`confapp.agenda.seats` — workshop sign-ups, waiting lists, seats released on leave;
- :mod:`confapp.agenda.stars` — a delegate's stars, My agenda, the personal calendar;
- :mod:`confapp.agenda.programme` — loading the programme for pages and feeds, clashes.

New code imports from those modules. This module only keeps the old names working for
other features' code and tests while they move; it adds nothing of its own.
"""

from __future__ import annotations

from confapp.agenda.changes import affected_registrations
from confapp.agenda.changes import bump_version
from confapp.agenda.changes import list_changes
from confapp.agenda.programme import PersonClash
from confapp.agenda.programme import Programme
from confapp.agenda.programme import health
from confapp.agenda.programme import list_rooms
from confapp.agenda.programme import list_tracks
from confapp.agenda.programme import load_programme
from confapp.agenda.programme import load_programme_with
from confapp.agenda.programme import person_clashes
from confapp.agenda.programme import session_warnings
from confapp.agenda.rooms import create_room
from confapp.agenda.rooms import create_track
from confapp.agenda.rooms import update_room
from confapp.agenda.rooms import update_track
from confapp.agenda.seats import cancel_signup
from confapp.agenda.seats import describe_seats_of
from confapp.agenda.seats import get_signup
from confapp.agenda.seats import promote_waiting
from confapp.agenda.seats import release_seats_of
from confapp.agenda.seats import signup
from confapp.agenda.seats import signups_for
from confapp.agenda.sessions import PersonData
from confapp.agenda.sessions import SessionData
from confapp.agenda.sessions import cancel_session
from confapp.agenda.sessions import create_session
from confapp.agenda.sessions import delete_session
from confapp.agenda.sessions import publish_programme
from confapp.agenda.sessions import reinstate_session
from confapp.agenda.sessions import update_session
from confapp.agenda.sessions import validate_session
from confapp.agenda.stars import delegate_registration
from confapp.agenda.stars import ensure_calendar_token
from confapp.agenda.stars import my_agenda
from confapp.agenda.stars import personal_sessions
from confapp.agenda.stars import registration_by_calendar_token
from confapp.agenda.stars import reset_calendar_token
from confapp.agenda.stars import set_star
from confapp.agenda.times import overlaps
from confapp.agenda.times import to_utc
from confapp.agenda.times import zone_label
from confapp.registration.models import Registration  # older tests reached it here

__all__ = [
    "PersonClash",
    "PersonData",
    "Programme",
    "Registration",
    "SessionData",
    "affected_registrations",
    "bump_version",
    "cancel_session",
    "cancel_signup",
    "create_room",
    "create_session",
    "create_track",
    "delegate_registration",
    "delete_session",
    "describe_seats_of",
    "ensure_calendar_token",
    "get_signup",
    "health",
    "list_changes",
    "list_rooms",
    "list_tracks",
    "load_programme",
    "load_programme_with",
    "my_agenda",
    "overlaps",
    "person_clashes",
    "personal_sessions",
    "promote_waiting",
    "publish_programme",
    "registration_by_calendar_token",
    "reinstate_session",
    "release_seats_of",
    "reset_calendar_token",
    "session_warnings",
    "set_star",
    "signup",
    "signups_for",
    "to_utc",
    "update_room",
    "update_session",
    "update_track",
    "validate_session",
    "zone_label",
]
