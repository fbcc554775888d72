"""The meetings feature's services, by concern (each module flushes only; callers commit):

- :mod:`.requests`: requests and their state machine (send, accept, decline, cancel, book),
  organisers' priorities, and what a delegate's leaving releases;
- :mod:`.booking`: slots, tables, availability and instant booking;
- :mod:`.batch`: the batch scheduler against the database, and why requests stay out;
- :mod:`.profiles` and :mod:`.directory`: topic tags, profiles, the directory and its
  recommendations;
- :mod:`.listing`: a delegate's requests and the organisers' paged, filtered list;
- :mod:`.feedback`: feedback after the meetings and the linkage report;
- :mod:`.reminders`: reminders of requests awaiting an answer;
- :mod:`.notify`: the e-mails.

This module names the entry points other code uses, so callers need not know the layout.
"""

from __future__ import annotations

from confapp.meetings.batch import BatchReport
from confapp.meetings.batch import Unscheduled
from confapp.meetings.batch import explain_unscheduled
from confapp.meetings.batch import schedule_all
from confapp.meetings.booking import MAX_SLOTS
from confapp.meetings.booking import MAX_TABLES
from confapp.meetings.booking import add_tables
from confapp.meetings.booking import book
from confapp.meetings.booking import common_free_slots
from confapp.meetings.booking import delete_slot
from confapp.meetings.booking import event_meetings
from confapp.meetings.booking import generate_slots
from confapp.meetings.booking import list_slots
from confapp.meetings.booking import list_tables
from confapp.meetings.booking import set_availability
from confapp.meetings.booking import slot_label
from confapp.meetings.booking import slot_tables
from confapp.meetings.booking import unavailable_slot_ids
from confapp.meetings.booking import update_settings
from confapp.meetings.feedback import LinkageReport
from confapp.meetings.feedback import linkage_report
from confapp.meetings.feedback import submit_feedback
from confapp.meetings.listing import MeetingRow
from confapp.meetings.listing import RequestFilters
from confapp.meetings.listing import bookable_slots
from confapp.meetings.listing import my_requests
from confapp.meetings.listing import request_page
from confapp.meetings.profiles import add_tag
from confapp.meetings.profiles import delete_tag
from confapp.meetings.profiles import list_tags
from confapp.meetings.profiles import profile_of
from confapp.meetings.profiles import save_profile
from confapp.meetings.reminders import ReminderReport
from confapp.meetings.reminders import remind_pending
from confapp.meetings.requests import OPEN
from confapp.meetings.requests import PRIORITY_LABELS
from confapp.meetings.requests import PRIORITY_LEVELS
from confapp.meetings.requests import accept_request
from confapp.meetings.requests import book_slot
from confapp.meetings.requests import cancel_consequences
from confapp.meetings.requests import cancel_request
from confapp.meetings.requests import decline_request
from confapp.meetings.requests import describe_meetings_of
from confapp.meetings.requests import meeting_delegate
from confapp.meetings.requests import open_request_between
from confapp.meetings.requests import pending_count
from confapp.meetings.requests import release_meetings_of
from confapp.meetings.requests import send_request
from confapp.meetings.requests import set_request_priority

__all__ = [
    "MAX_SLOTS",
    "MAX_TABLES",
    "OPEN",
    "PRIORITY_LABELS",
    "PRIORITY_LEVELS",
    "BatchReport",
    "LinkageReport",
    "MeetingRow",
    "ReminderReport",
    "RequestFilters",
    "Unscheduled",
    "accept_request",
    "add_tables",
    "add_tag",
    "book",
    "bookable_slots",
    "book_slot",
    "cancel_consequences",
    "cancel_request",
    "common_free_slots",
    "decline_request",
    "delete_slot",
    "delete_tag",
    "describe_meetings_of",
    "event_meetings",
    "explain_unscheduled",
    "generate_slots",
    "linkage_report",
    "list_slots",
    "list_tables",
    "list_tags",
    "meeting_delegate",
    "my_requests",
    "open_request_between",
    "pending_count",
    "profile_of",
    "release_meetings_of",
    "remind_pending",
    "request_page",
    "save_profile",
    "schedule_all",
    "send_request",
    "set_availability",
    "set_request_priority",
    "slot_label",
    "slot_tables",
    "submit_feedback",
    "unavailable_slot_ids",
    "update_settings",
]
