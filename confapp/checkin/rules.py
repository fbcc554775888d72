"""The rules of a scan, without writing anything: the token and the holder give the
result, the scan's time must be believable, a scan id names one scan."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask_babel import gettext as _

from confapp.badges import tokens
from confapp.checkin.answers import utc_text
from confapp.checkin.models import ScanResult
from confapp.db import MAX_ID
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.registration.models import RegistrationStatus

if TYPE_CHECKING:
    from confapp.checkin.context import Holder
    from confapp.checkin.context import ScanContext


# Scans dated further ahead than this are taken as received now (a scanner's clock).
_CLOCK_SKEW = dt.timedelta(minutes=5)
# A scan dated in the past must fall within the event's days, give or take this margin
# (badges handed out and tried the day before, late syncs of the last evening).
SCAN_MARGIN = dt.timedelta(days=1)
_NOT_ADMITTED = {
    RegistrationStatus.CANCELLED: ScanResult.CANCELLED,
    RegistrationStatus.REJECTED: ScanResult.CANCELLED,
    RegistrationStatus.PENDING: ScanResult.NOT_REGISTERED,
    RegistrationStatus.WAITLISTED: ScanResult.NOT_REGISTERED,
}


def judge(claim: tokens.BadgeClaim | tokens.TokenProblem, holder: Holder | None) -> ScanResult:
    """What a scan means, from the verified token and its holder; records nothing."""
    if claim is tokens.TokenProblem.INVALID:
        return ScanResult.INVALID_TOKEN
    if claim is tokens.TokenProblem.WRONG_EVENT:
        return ScanResult.WRONG_EVENT
    if holder is None:
        return ScanResult.NOT_REGISTERED
    if claim.serial < holder.badge_serial:
        return ScanResult.REVOKED
    if claim.serial > holder.badge_serial:
        # Signed but never issued: only a leaked key could make it.
        return ScanResult.INVALID_TOKEN
    refused = _NOT_ADMITTED.get(holder.status)
    if refused is not None:
        return refused
    if not holder.signed_up:
        return ScanResult.NOT_SIGNED_UP
    return ScanResult.OK


def claimed_registration_id(token: str) -> int:
    """The registration id a token claims, unverified (0 for garbage): used only to load
    the row in the same query as the rest; the signature is checked before it counts."""
    parts = tokens.decode(token)
    # A forged payload may name an id no INTEGER column can hold: asking would fail.
    return parts[0].registration_id if parts and parts[0].registration_id <= MAX_ID else 0


def parse_scanned_at(value: str | None, now: dt.datetime) -> dt.datetime:
    """An ISO-8601 scan time (naive means UTC); None is now; the future is clamped to now."""
    if value is None:
        return now
    if not isinstance(value, str):
        raise ValidationFailed(
            _("scanned_at must be an ISO-8601 string or null."), field="scanned_at"
        )
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            _("scanned_at is not an ISO-8601 date-time."), field="scanned_at"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return now if moment > now + _CLOCK_SKEW else moment


def scan_window(
    starts_on: dt.date, ends_on: dt.date, timezone: str
) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants a scan may be dated between: the event's days in its zone, with
    SCAN_MARGIN on both sides."""
    try:
        zone: dt.tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    first = dt.datetime.combine(starts_on, dt.time(0), zone).astimezone(dt.UTC)
    after = dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(0), zone)
    return first - SCAN_MARGIN, after.astimezone(dt.UTC) + SCAN_MARGIN


def check_scan_time(context: ScanContext, scanned_at: dt.datetime, now: dt.datetime) -> None:
    """Refuse a scan dated in the past outside the event (a 1970 clock, a forged time).

    A scan dated now (within the clock skew) is a live scan and always counts: staff try
    the scanners before the event. Only a time the scanner claims for itself is checked.
    """
    if scanned_at >= now - _CLOCK_SKEW or context.event_starts_on is None:
        return
    first, last = scan_window(
        context.event_starts_on, context.event_ends_on, context.event_timezone or "UTC"
    )
    if not first <= scanned_at <= last:
        raise ValidationFailed(
            _(
                "scanned_at lies outside the event (%(first)s to %(last)s).",
                first=utc_text(first),
                last=utc_text(last),
            ),
            field="scanned_at",
        )


class ScanIdConflict(DomainError):
    """A scan_id already recorded for another badge or checkpoint: not a resend."""

    status_code = 409
    default_code = "scan_id_conflict"


def validate_scan(token, scan_id) -> None:
    """Refuse a scan whose token or scan_id is not a sensible string."""
    if not isinstance(scan_id, str) or not 0 < len(scan_id) <= 64:
        raise ValidationFailed(
            _("scan_id must be a string of 1 to 64 characters."), field="scan_id"
        )
    if not isinstance(token, str) or len(token) > 512:
        raise ValidationFailed(_("token must be a string."), field="token")
