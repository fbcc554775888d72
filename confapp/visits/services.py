"""Cluster visits' services, one module per concern: catalogue (visits and buses), signups
(the sign-up rules), roster (organisers' lists and moves, manifest rows), buses (seating),
mails and notify (e-mails). This module gathers their public names for callers."""

from __future__ import annotations

from confapp.visits.buses import assign_buses
from confapp.visits.buses import plan_buses
from confapp.visits.buses import seat_on_bus
from confapp.visits.buses import set_bus
from confapp.visits.buses import unseated_count
from confapp.visits.catalogue import MAX_BUSES
from confapp.visits.catalogue import MAX_SEATS
from confapp.visits.catalogue import BusData
from confapp.visits.catalogue import VisitData
from confapp.visits.catalogue import counts
from confapp.visits.catalogue import create_visit
from confapp.visits.catalogue import get_visit
from confapp.visits.catalogue import list_visits
from confapp.visits.catalogue import update_visit
from confapp.visits.catalogue import validate_visit
from confapp.visits.catalogue import visit_capacity
from confapp.visits.notify import notify_change_job
from confapp.visits.roster import NO_BUS
from confapp.visits.roster import ManifestRow
from confapp.visits.roster import add_by_hand
from confapp.visits.roster import find_registration
from confapp.visits.roster import get_signup_by_id
from confapp.visits.roster import manifest_rows
from confapp.visits.roster import move
from confapp.visits.roster import move_consequences
from confapp.visits.roster import remove
from confapp.visits.roster import remove_consequences
from confapp.visits.roster import signups_for
from confapp.visits.signups import ACTIVE
from confapp.visits.signups import GROUP_CODE_RE
from confapp.visits.signups import ClashWarning
from confapp.visits.signups import cancel
from confapp.visits.signups import clashes_for
from confapp.visits.signups import describe_seats_of
from confapp.visits.signups import get_signup
from confapp.visits.signups import my_signups
from confapp.visits.signups import promote_waiting
from confapp.visits.signups import release_seats_of
from confapp.visits.signups import signup
from confapp.visits.signups import signup_state
from confapp.visits.signups import signup_window
from confapp.visits.signups import waitlist_position

__all__ = [
    "ACTIVE",
    "BusData",
    "ClashWarning",
    "GROUP_CODE_RE",
    "MAX_BUSES",
    "MAX_SEATS",
    "ManifestRow",
    "NO_BUS",
    "VisitData",
    "add_by_hand",
    "assign_buses",
    "cancel",
    "clashes_for",
    "counts",
    "create_visit",
    "describe_seats_of",
    "find_registration",
    "get_signup",
    "get_signup_by_id",
    "get_visit",
    "list_visits",
    "manifest_rows",
    "move",
    "my_signups",
    "notify_change_job",
    "plan_buses",
    "promote_waiting",
    "release_seats_of",
    "remove",
    "move_consequences",
    "remove_consequences",
    "seat_on_bus",
    "set_bus",
    "signup",
    "signup_state",
    "signup_window",
    "signups_for",
    "unseated_count",
    "update_visit",
    "validate_visit",
    "visit_capacity",
    "waitlist_position",
]
