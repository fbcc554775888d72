"""Check-in: judge a badge scan at a checkpoint and record one attendance per person.

Races are settled by the database: Scan is unique per (event, scan_id), so a resent
scan is the same scan, and Attendance is unique per (registration, checkpoint), so two
scanners at once record one check-in. Each insert runs in a savepoint; the loser of a
race reads the winner's row. The earliest scanned_at wins, so offline scans synced
late still give the true first arrival.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.badges import tokens
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup

ENTRANCE = "entrance"
# Scans dated further ahead than this are taken as received now (a scanner's clock).
_CLOCK_SKEW = dt.timedelta(minutes=5)
_NOT_ADMITTED = {
    RegistrationStatus.CANCELLED: ScanResult.CANCELLED,
    RegistrationStatus.REJECTED: ScanResult.CANCELLED,
    RegistrationStatus.PENDING: ScanResult.NOT_REGISTERED,
    RegistrationStatus.WAITLISTED: ScanResult.NOT_REGISTERED,
}


@dataclass(frozen=True)
class Checkpoint:
    """Where a scan happens: the entrance, a session or a visit (bus boarding)."""

    key: str
    session: ProgrammeSession | None = None
    visit: Visit | None = None

    @property
    def label(self) -> str:
        """Human name of the checkpoint."""
        if self.session is not None:
            return self.session.title
        if self.visit is not None:
            return f"Visit: {self.visit.title}"
        return "Entrance"


@dataclass
class CheckinOutcome:
    """The answer to one scan (the API's body) plus the rows behind it."""

    result: ScanResult
    registration: Registration | None
    first_scanned_at: dt.datetime | None
    checkpoint: str
    scan_id: str
    conflict: bool = False
    replayed: bool = False


def secret_key() -> str:
    """The key badge tokens are derived from."""
    return current_app.config["SECRET_KEY"]


def badge_token(registration: Registration) -> str:
    """The QR token of the registration's current badge."""
    return tokens.issue(secret_key(), registration.event_id, registration.id, registration.badge_serial)


def reissue_badge(registration: Registration) -> str:
    """Revoke every earlier badge of the registration and return the new token."""
    registration.badge_serial += 1
    registration.badge_printed_at = None
    db.session.flush()
    return badge_token(registration)


def resolve_checkpoint(event: Event, session_id: int | None, visit_id: int | None) -> Checkpoint:
    """The checkpoint of a scan; refuses both ids at once or ids of another event."""
    if session_id is not None and visit_id is not None:
        raise ValidationFailed("Send session_id or visit_id, not both.", field="session_id")
    if session_id is not None:
        session = db.session.get(ProgrammeSession, session_id)
        if session is None or session.event_id != event.id:
            raise ValidationFailed(f"No session {session_id} in this event.", field="session_id")
        return Checkpoint(f"session:{session.id}", session=session)
    if visit_id is not None:
        visit = db.session.get(Visit, visit_id)
        if visit is None or visit.event_id != event.id:
            raise ValidationFailed(f"No visit {visit_id} in this event.", field="visit_id")
        return Checkpoint(f"visit:{visit.id}", visit=visit)
    return Checkpoint(ENTRANCE)


def judge(event: Event, token: str, checkpoint: Checkpoint) -> tuple[ScanResult, Registration | None]:
    """What a scan of this token at this checkpoint means, without recording anything."""
    claim = tokens.verify(secret_key(), token, event.id)
    if claim is tokens.TokenProblem.INVALID:
        return ScanResult.INVALID_TOKEN, None
    if claim is tokens.TokenProblem.WRONG_EVENT:
        return ScanResult.WRONG_EVENT, None
    registration = db.session.get(Registration, claim.registration_id)
    if registration is None or registration.event_id != event.id:
        return ScanResult.NOT_REGISTERED, None
    if claim.serial < registration.badge_serial:
        return ScanResult.REVOKED, registration
    if claim.serial > registration.badge_serial:
        # Signed but never issued: only a leaked key could make it.
        return ScanResult.INVALID_TOKEN, None
    refused = _NOT_ADMITTED.get(registration.status)
    if refused is not None:
        return refused, registration
    if not _signed_up(registration, checkpoint):
        return ScanResult.NOT_SIGNED_UP, registration
    return ScanResult.OK, registration


def _signed_up(registration: Registration, checkpoint: Checkpoint) -> bool:
    if checkpoint.session is not None:
        if checkpoint.session.capacity_pool_id is None:
            return True
        return db.session.scalar(
            sa.select(SessionSignup.id).where(
                SessionSignup.session_id == checkpoint.session.id,
                SessionSignup.registration_id == registration.id,
                SessionSignup.status == SeatStatus.CONFIRMED,
            )
        ) is not None
    if checkpoint.visit is not None:
        return db.session.scalar(
            sa.select(VisitSignup.id).where(
                VisitSignup.visit_id == checkpoint.visit.id,
                VisitSignup.registration_id == registration.id,
                VisitSignup.status == SeatStatus.CONFIRMED,
            )
        ) is not None
    return True


def parse_scanned_at(value: str | None, now: dt.datetime) -> dt.datetime:
    """An ISO-8601 scan time (naive means UTC); None is now; the future is clamped to now."""
    if value is None:
        return now
    if not isinstance(value, str):
        raise ValidationFailed("scanned_at must be an ISO-8601 string or null.", field="scanned_at")
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed("scanned_at is not an ISO-8601 date-time.", field="scanned_at") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return now if moment > now + _CLOCK_SKEW else moment


def check_in(
    event: Event,
    *,
    token: str,
    checkpoint: Checkpoint,
    scan_id: str,
    scanned_at: dt.datetime,
    actor,
    now: dt.datetime,
) -> CheckinOutcome:
    """Record a scan and, when it admits the person, their attendance; flushes only."""
    if not isinstance(scan_id, str) or not 0 < len(scan_id) <= 64:
        raise ValidationFailed("scan_id must be a string of 1 to 64 characters.", field="scan_id")
    if not isinstance(token, str) or len(token) > 512:
        raise ValidationFailed("token must be a string.", field="token")
    result, registration = judge(event, token, checkpoint)
    scan = {
        "event_id": event.id,
        "scan_id": scan_id,
        "checkpoint": checkpoint.key,
        "session_id": checkpoint.session.id if checkpoint.session else None,
        "visit_id": checkpoint.visit.id if checkpoint.visit else None,
        "registration_id": registration.id if registration else None,
        "result": result,
        "scanned_at": scanned_at,
        "received_at": now,
        "scanner_id": getattr(actor, "id", None),
    }
    scan_row_id = insert_once(Scan.__table__, scan, ("event_id", "scan_id"))
    if scan_row_id is None:
        # The same scan_id was recorded before (a resend): answer as the first time.
        return replay(event, scan_id)
    if result is not ScanResult.OK:
        first = _first_scanned_at(registration, checkpoint) if registration else None
        return CheckinOutcome(result, registration, first, checkpoint.key, scan_id)
    return _attend(event, registration, checkpoint, scan, scan_row_id)


def insert_once(table: sa.Table, values: dict, unique: tuple[str, ...]) -> int | None:
    """Insert a row unless one with the same `unique` columns exists; its new id or None.

    One INSERT … ON CONFLICT DO NOTHING RETURNING on PostgreSQL and SQLite: the unique
    constraint decides between concurrent scanners, with no savepoint round trips.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases take the portable path
        try:
            with db.session.begin_nested():
                return db.session.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar()
        except sa.exc.IntegrityError:
            return None
    statement = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)
    )
    return db.session.execute(statement).scalar()


def _attend(
    event: Event, registration: Registration, checkpoint: Checkpoint, scan: dict, scan_row_id: int
) -> CheckinOutcome:
    inserted = insert_once(
        Attendance.__table__,
        {
            "event_id": event.id,
            "registration_id": registration.id,
            "checkpoint": checkpoint.key,
            "session_id": scan["session_id"],
            "visit_id": scan["visit_id"],
            "first_scan_id": scan_row_id,
            "first_scanned_at": scan["scanned_at"],
            "created_at": scan["received_at"],
        },
        ("registration_id", "checkpoint"),
    )
    if inserted is not None:
        return CheckinOutcome(ScanResult.OK, registration, scan["scanned_at"], checkpoint.key, scan["scan_id"])
    # Already checked in here: the earliest scan wins, whatever order they arrive in.
    table = Attendance.__table__
    moved = db.session.execute(
        sa.update(table)
        .where(
            table.c.registration_id == registration.id,
            table.c.checkpoint == checkpoint.key,
            table.c.first_scanned_at > scan["scanned_at"],
        )
        .values(first_scanned_at=scan["scanned_at"], first_scan_id=scan_row_id)
    ).rowcount
    if moved:
        # This (offline) scan came first: it is the check-in, the recorded one a repeat.
        return CheckinOutcome(
            ScanResult.OK, registration, scan["scanned_at"], checkpoint.key, scan["scan_id"], conflict=True
        )
    scans = Scan.__table__
    db.session.execute(
        sa.update(scans).where(scans.c.id == scan_row_id).values(result=ScanResult.ALREADY_CHECKED_IN)
    )
    return CheckinOutcome(
        ScanResult.ALREADY_CHECKED_IN,
        registration,
        _first_scanned_at(registration, checkpoint),
        checkpoint.key,
        scan["scan_id"],
        conflict=True,
    )


def _first_scanned_at(registration: Registration, checkpoint: Checkpoint) -> dt.datetime | None:
    return db.session.scalar(
        sa.select(Attendance.first_scanned_at).where(
            Attendance.registration_id == registration.id, Attendance.checkpoint == checkpoint.key
        )
    )


def replay(event: Event, scan_id: str) -> CheckinOutcome:
    """The answer already given to a scan_id (idempotent resend)."""
    scan = db.session.scalar(sa.select(Scan).where(Scan.event_id == event.id, Scan.scan_id == scan_id))
    registration = db.session.get(Registration, scan.registration_id) if scan.registration_id else None
    first = None
    if registration is not None:
        first = db.session.scalar(
            sa.select(Attendance.first_scanned_at).where(
                Attendance.registration_id == registration.id, Attendance.checkpoint == scan.checkpoint
            )
        )
    return CheckinOutcome(scan.result, registration, first, scan.checkpoint, scan_id, replayed=True)


def delegate_json(registration: Registration | None) -> dict | None:
    """What a scanner shows about the person (never the e-mail or phone)."""
    if registration is None:
        return None
    from confapp.countries import country_name

    return {
        "registration_id": registration.id,
        "full_name": registration.full_name,
        "organisation": registration.organisation,
        "country": registration.country,
        "country_name": country_name(registration.country),
        "category": registration.category.value,
        "status": registration.status.value,
    }


def outcome_json(outcome: CheckinOutcome) -> dict:
    """The API body of a check-in answer."""
    first = outcome.first_scanned_at
    return {
        "result": outcome.result.value,
        "delegate": delegate_json(outcome.registration),
        "first_scanned_at": first.isoformat().replace("+00:00", "Z") if first else None,
        "checkpoint": outcome.checkpoint,
        "scan_id": outcome.scan_id,
        "conflict": outcome.conflict,
        "replayed": outcome.replayed,
    }
