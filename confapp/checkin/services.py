"""Check-in's services, one module per concern: checkpoints (where a scan happens, what it
answers), context (the one query a scan needs), rules (judging a scan without writing),
recording (scans and first attendances, races settled by the database), answers (the
JSON of a scan). Badge tokens are the badges package's (badges.issuing). This module
gathers their public names for callers."""

from __future__ import annotations

from confapp.badges.issuing import badge_token
from confapp.badges.issuing import reissue_badge
from confapp.badges.issuing import secret_key
from confapp.checkin.answers import boarding_json
from confapp.checkin.answers import delegate_json
from confapp.checkin.answers import next_meeting_json
from confapp.checkin.answers import outcome_json
from confapp.checkin.checkpoints import ENTRANCE
from confapp.checkin.checkpoints import CheckinOutcome
from confapp.checkin.checkpoints import Checkpoint
from confapp.checkin.checkpoints import bus_of_visit
from confapp.checkin.checkpoints import resolve_checkpoint
from confapp.checkin.context import Holder
from confapp.checkin.context import ScanContext
from confapp.checkin.context import load_holder
from confapp.checkin.context import scan_context
from confapp.checkin.recording import insert_once
from confapp.checkin.recording import record_scan
from confapp.checkin.recording import replay
from confapp.checkin.rules import SCAN_MARGIN
from confapp.checkin.rules import ScanIdConflict
from confapp.checkin.rules import check_scan_time
from confapp.checkin.rules import claimed_registration_id
from confapp.checkin.rules import judge
from confapp.checkin.rules import parse_scanned_at
from confapp.checkin.rules import scan_window
from confapp.checkin.rules import validate_scan

__all__ = [
    "CheckinOutcome",
    "Checkpoint",
    "ENTRANCE",
    "Holder",
    "SCAN_MARGIN",
    "ScanContext",
    "ScanIdConflict",
    "badge_token",
    "boarding_json",
    "bus_of_visit",
    "check_scan_time",
    "claimed_registration_id",
    "delegate_json",
    "insert_once",
    "judge",
    "load_holder",
    "next_meeting_json",
    "outcome_json",
    "parse_scanned_at",
    "record_scan",
    "reissue_badge",
    "replay",
    "resolve_checkpoint",
    "scan_context",
    "scan_window",
    "secret_key",
    "validate_scan",
]
