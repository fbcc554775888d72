"""Registration's services, one module per concern: details (cleaning a delegate's details),
delegates (their accounts and registrations), states (register, approve, reject, cancel,
the waiting list), bulk (organisers' bulk actions), search (organisers' search, export).
This module gathers their public names for callers."""

from __future__ import annotations

from confapp.registration.bulk import BULK_ACTIONS
from confapp.registration.bulk import apply_bulk
from confapp.registration.bulk import bulk_consequences
from confapp.registration.delegates import create_delegate_account
from confapp.registration.delegates import find_or_create_user
from confapp.registration.delegates import landing
from confapp.registration.delegates import registrations_of
from confapp.registration.details import ACTIVE_STATUSES
from confapp.registration.details import DEFAULT_PRIVACY_NOTICE
from confapp.registration.details import DETAIL_FIELDS
from confapp.registration.details import Status
from confapp.registration.details import clean_details
from confapp.registration.details import clean_gender
from confapp.registration.details import is_latin
from confapp.registration.details import parse_category
from confapp.registration.details import privacy_notice
from confapp.registration.search import EXPORT_COLUMNS
from confapp.registration.search import PER_PAGE
from confapp.registration.search import Filters
from confapp.registration.search import Page
from confapp.registration.search import export_rows
from confapp.registration.search import search_registrations
from confapp.registration.search import status_counts
from confapp.registration.states import REJECTED_MESSAGE
from confapp.registration.states import approve
from confapp.registration.states import can_edit
from confapp.registration.states import cancel
from confapp.registration.states import cancel_consequences
from confapp.registration.states import change_settings
from confapp.registration.states import fill_from_waitlist
from confapp.registration.states import get_registration
from confapp.registration.states import organiser_update
from confapp.registration.states import register
from confapp.registration.states import registration_refusal
from confapp.registration.states import reject
from confapp.registration.states import update_details
from confapp.registration.states import waiting_queue
from confapp.registration.states import waitlist_position

__all__ = [
    "ACTIVE_STATUSES",
    "BULK_ACTIONS",
    "DEFAULT_PRIVACY_NOTICE",
    "DETAIL_FIELDS",
    "EXPORT_COLUMNS",
    "Filters",
    "PER_PAGE",
    "Page",
    "REJECTED_MESSAGE",
    "Status",
    "apply_bulk",
    "approve",
    "bulk_consequences",
    "can_edit",
    "cancel",
    "cancel_consequences",
    "change_settings",
    "clean_details",
    "clean_gender",
    "create_delegate_account",
    "export_rows",
    "fill_from_waitlist",
    "find_or_create_user",
    "get_registration",
    "is_latin",
    "landing",
    "organiser_update",
    "parse_category",
    "privacy_notice",
    "register",
    "registration_refusal",
    "registrations_of",
    "reject",
    "search_registrations",
    "status_counts",
    "update_details",
    "waiting_queue",
    "waitlist_position",
]
