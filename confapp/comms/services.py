"""Announcements' services, one module per concern: drafts (write, check, schedule,
cancel), previews (a preview and a test message), sending (into the outbox at the
configured rate), optout, notices (on the event's pages) and record (who got what).
This module gathers their public names for callers."""

from __future__ import annotations

from confapp.comms.drafts import BODY_MAX
from confapp.comms.drafts import SUBJECT_MAX
from confapp.comms.drafts import Checked
from confapp.comms.drafts import Draft
from confapp.comms.drafts import cancel
from confapp.comms.drafts import check
from confapp.comms.drafts import create
from confapp.comms.drafts import start
from confapp.comms.notices import banner_for
from confapp.comms.notices import dismiss
from confapp.comms.notices import published
from confapp.comms.optout import is_opted_out
from confapp.comms.optout import opt_in
from confapp.comms.optout import opt_out
from confapp.comms.optout import registration_for_token
from confapp.comms.previews import preview
from confapp.comms.previews import send_test
from confapp.comms.record import announcements_of
from confapp.comms.record import counts
from confapp.comms.record import delivery_status
from confapp.comms.record import recipients_of
from confapp.comms.record import record_csv
from confapp.comms.sending import finish_sent
from confapp.comms.sending import pending_count
from confapp.comms.sending import release
from confapp.comms.sending import released_since
from confapp.comms.sending import start_due

__all__ = [
    "BODY_MAX",
    "Checked",
    "Draft",
    "SUBJECT_MAX",
    "announcements_of",
    "banner_for",
    "cancel",
    "check",
    "counts",
    "create",
    "delivery_status",
    "dismiss",
    "finish_sent",
    "is_opted_out",
    "opt_in",
    "opt_out",
    "pending_count",
    "preview",
    "published",
    "recipients_of",
    "record_csv",
    "registration_for_token",
    "release",
    "released_since",
    "send_test",
    "start",
    "start_due",
]
