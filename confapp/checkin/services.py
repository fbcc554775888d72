"""Check-in: judge a badge scan at a checkpoint and record one attendance per person.

Races are settled by the database: Scan is unique per (event, scan_id), so a resent
scan is the same scan, and Attendance is unique per (registration, checkpoint), so two
scanners at once record one check-in. Each insert is an INSERT … ON CONFLICT DO NOTHING;
the loser of a race reads the winner's row. The earliest scanned_at wins, so offline scans
synced late still give the true first arrival. A scan is the hot path of the door: it
reads the badge's registration as a plain row and writes with Core statements.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.badges import tokens
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.db import MAX_ID
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.multilingual import tr
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationCategory
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup
from confapp.visits.models import VisitStatus

ENTRANCE = "entrance"
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


@dataclass(frozen=True)
class Checkpoint:
    """Where a scan happens: the entrance, a session or a visit (bus boarding)."""

    key: str
    session: ProgrammeSession | None = None
    visit: Visit | None = None
    session_id: int | None = None
    visit_id: int | None = None

    @classmethod
    def for_ids(cls, session_id: int | None, visit_id: int | None) -> Checkpoint:
        """The checkpoint of a scan by ids alone (the rows were checked elsewhere)."""
        if session_id is not None:
            return cls(f"session:{session_id}", session_id=session_id)
        if visit_id is not None:
            return cls(f"visit:{visit_id}", visit_id=visit_id)
        return cls(ENTRANCE)

    def __post_init__(self) -> None:
        if self.session is not None:
            object.__setattr__(self, "session_id", self.session.id)
        if self.visit is not None:
            object.__setattr__(self, "visit_id", self.visit.id)

    @property
    def label(self) -> str:
        """Human name of the checkpoint."""
        from flask_babel import gettext as _

        if self.session is not None:
            return tr(self.session, "title")
        if self.visit is not None:
            return _("Visit: %(title)s", title=tr(self.visit, "title"))
        return _("Entrance")


@dataclass
class CheckinOutcome:
    """The answer to one scan (the API's body) plus the rows behind it."""

    result: ScanResult
    registration: Holder | None
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
    return tokens.issue(
        secret_key(), registration.event_id, registration.id, registration.badge_serial
    )


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


class Holder(NamedTuple):
    """What a scan needs to know of the badge's registration (a plain row, not an ORM object)."""

    id: int
    event_id: int
    badge_serial: int
    status: RegistrationStatus
    full_name: str
    name_latin: str
    organisation: str
    country: str
    category: RegistrationCategory
    signed_up: bool
    # When they were first checked in at this checkpoint (None: not yet).
    checked_in_at: dt.datetime | None


def _holder_columns(reg: sa.Table, checkpoint_kind: str, session_pool) -> list:
    """The columns of a Holder, with `signed_up` judged for the kind of checkpoint and
    `checked_in_at` for the checkpoint bound as `checkpoint`.

    `session_pool` is the session's capacity_pool_id column or value: sessions without a
    seat limit admit everyone; limited sessions and visits need a confirmed sign-up.
    """
    if checkpoint_kind == "session":
        signups = SessionSignup.__table__
        signed_up = sa.or_(
            session_pool.is_(None),
            sa.exists().where(
                signups.c.session_id == sa.bindparam("session_id"),
                signups.c.registration_id == reg.c.id,
                signups.c.status == SeatStatus.CONFIRMED,
            ),
        )
    elif checkpoint_kind == "visit":
        signups = VisitSignup.__table__
        signed_up = sa.exists().where(
            signups.c.visit_id == sa.bindparam("visit_id"),
            signups.c.registration_id == reg.c.id,
            signups.c.status == SeatStatus.CONFIRMED,
        )
    else:
        signed_up = sa.true()
    attendance = Attendance.__table__
    checked_in_at = (
        sa.select(attendance.c.first_scanned_at)
        .where(
            attendance.c.registration_id == reg.c.id,
            attendance.c.checkpoint == sa.bindparam("checkpoint"),
        )
        .scalar_subquery()
    )
    return [
        reg.c.id,
        reg.c.event_id,
        reg.c.badge_serial,
        reg.c.status,
        reg.c.full_name,
        reg.c.name_latin,
        reg.c.organisation,
        reg.c.country,
        reg.c.category,
        signed_up.label("signed_up"),
        checked_in_at.label("checked_in_at"),
    ]


def _kind(checkpoint_key: str) -> str:
    return checkpoint_key.partition(":")[0]


@functools.cache
def _holder_statement(checkpoint_kind: str) -> sa.Select:
    # Built once per kind: constructing a select costs more Python than running it.
    reg = Registration.__table__
    pool = sa.bindparam("session_pool", type_=sa.Integer)
    return sa.select(*_holder_columns(reg, checkpoint_kind, pool)).where(
        reg.c.id == sa.bindparam("registration_id"), reg.c.event_id == sa.bindparam("event_id")
    )


def load_holder(
    conn: sa.Connection, event_id: int, registration_id: int, checkpoint: Checkpoint
) -> Holder | None:
    """The registration a badge names, if it belongs to the event, with its sign-up state."""
    row = conn.execute(
        _holder_statement(_kind(checkpoint.key)),
        {
            "registration_id": registration_id,
            "event_id": event_id,
            "session_id": checkpoint.session_id,
            "visit_id": checkpoint.visit_id,
            "checkpoint": checkpoint.key,
            "session_pool": checkpoint.session.capacity_pool_id if checkpoint.session else None,
        },
    ).first()
    return Holder(*row) if row else None


class ScanContext(NamedTuple):
    """Everything a scan request needs from the database, read in one query."""

    user_id: int
    user_active: bool
    is_admin: bool
    has_role: bool
    token_id: int | None
    token_last_used_at: dt.datetime | None
    event_id: int | None
    point_id: int | None
    event_starts_on: dt.date | None
    event_ends_on: dt.date | None
    event_timezone: str | None
    holder: Holder | None

    def may_scan(self) -> bool:
        """Staff, organisers and administrators may scan for the event."""
        return self.is_admin or self.has_role


@functools.cache
def _context_statement(via_token: bool, checkpoint_kind: str) -> sa.Select:
    # The check-in hot path: caller, role, event, checkpoint and the badge's registration
    # in one round trip instead of five. Built once per shape, then only bound.
    from confapp.accounts.models import ApiToken
    from confapp.accounts.models import EventRole
    from confapp.accounts.models import User

    users, roles, events = User.__table__, EventRole.__table__, Event.__table__
    reg, api_tokens = Registration.__table__, ApiToken.__table__
    if via_token:
        source = api_tokens.join(users, users.c.id == api_tokens.c.user_id)
        caller = [
            api_tokens.c.token_hash == sa.bindparam("token_hash"),
            api_tokens.c.revoked_at.is_(None),
        ]
        token_columns = [api_tokens.c.id, api_tokens.c.last_used_at]
    else:
        source = users
        caller = [users.c.id == sa.bindparam("user_id")]
        token_columns = [sa.null(), sa.null()]
    source = source.outerjoin(events, events.c.slug == sa.bindparam("slug"))
    pool = None
    if checkpoint_kind == "session":
        point = ProgrammeSession.__table__
        pool = point.c.capacity_pool_id
    elif checkpoint_kind == "visit":
        point = Visit.__table__
    if pool is not None or checkpoint_kind == "visit":
        source = source.outerjoin(
            point,
            sa.and_(
                point.c.id == sa.bindparam(f"{checkpoint_kind}_id"), point.c.event_id == events.c.id
            ),
        )
        point_id = point.c.id
    else:
        point_id = sa.null()
    source = source.outerjoin(
        reg, sa.and_(reg.c.id == sa.bindparam("registration_id"), reg.c.event_id == events.c.id)
    )
    has_role = sa.exists().where(roles.c.user_id == users.c.id, roles.c.event_id == events.c.id)
    return (
        sa.select(
            users.c.id,
            users.c.is_active_account,
            users.c.is_admin,
            has_role,
            *token_columns,
            events.c.id,
            point_id,
            events.c.starts_on,
            events.c.ends_on,
            events.c.timezone,
            *_holder_columns(reg, checkpoint_kind, pool),
        )
        .select_from(source)
        .where(*caller)
    )


def scan_context(
    conn: sa.Connection,
    slug: str,
    *,
    token_hash: str | None = None,
    user_id: int | None = None,
    token: str,
    session_id: int | None,
    visit_id: int | None,
) -> ScanContext | None:
    """The caller (by API token hash or user id) and what they scan, or None for no such caller."""
    kind = "session" if session_id is not None else "visit" if visit_id is not None else ENTRANCE
    row = conn.execute(
        _context_statement(token_hash is not None, kind),
        {
            "token_hash": token_hash,
            "user_id": user_id,
            "slug": slug,
            "session_id": session_id,
            "visit_id": visit_id,
            "checkpoint": Checkpoint.for_ids(session_id, visit_id).key,
            "registration_id": claimed_registration_id(token),
        },
    ).first()
    if row is None:
        return None
    # The row is the context's own columns followed by the holder's (see _context_statement).
    split = len(ScanContext._fields) - 1
    holder = Holder(*row[split:]) if row[split] is not None else None
    return ScanContext(*row[:split], holder)


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
        raise ValidationFailed("scanned_at must be an ISO-8601 string or null.", field="scanned_at")
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            "scanned_at is not an ISO-8601 date-time.", field="scanned_at"
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
                first=_utc_text(first),
                last=_utc_text(last),
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
        raise ValidationFailed("scan_id must be a string of 1 to 64 characters.", field="scan_id")
    if not isinstance(token, str) or len(token) > 512:
        raise ValidationFailed("token must be a string.", field="token")


def record_scan(
    conn: sa.Connection,
    event_id: int,
    *,
    token: str,
    holder: Holder | None,
    checkpoint: Checkpoint,
    scan_id: str,
    scanned_at: dt.datetime,
    scanner_id: int | None,
    now: dt.datetime,
) -> CheckinOutcome:
    """Judge a scan whose holder is loaded, store it and any attendance; never commits.

    Core statements on `conn` (the session's connection, or one the caller began): a scan
    is the door's hot path and has no objects for the ORM to track.
    """
    result = judge(tokens.verify(secret_key(), token, event_id), holder)
    if result in (ScanResult.INVALID_TOKEN, ScanResult.WRONG_EVENT):
        holder = None  # a forged or foreign badge says nothing about anyone here
    elif (
        result is ScanResult.OK
        and holder.checked_in_at is not None
        and holder.checked_in_at <= scanned_at
    ):
        # Checked in here before this scan was made: a repeat, known from the holder's row.
        # A check-in never goes away and only ever moves earlier, so no race can undo this.
        result = ScanResult.ALREADY_CHECKED_IN
    scan = {
        "event_id": event_id,
        "scan_id": scan_id,
        "checkpoint": checkpoint.key,
        "session_id": checkpoint.session_id,
        "visit_id": checkpoint.visit_id,
        "registration_id": holder.id if holder else None,
        "result": result,
        "scanned_at": scanned_at,
        "received_at": now,
        "scanner_id": scanner_id,
    }
    if result is ScanResult.OK:
        return _admit(conn, holder, checkpoint, scan)
    if insert_once(conn, Scan.__table__, scan, ("event_id", "scan_id")) is None:
        # The same scan_id was recorded before (a resend): answer as the first time.
        return replay(conn, event_id, scan_id, expected=scan)
    first = holder.checked_in_at if holder else None
    repeat = result is ScanResult.ALREADY_CHECKED_IN
    return CheckinOutcome(result, holder, first, checkpoint.key, scan_id, conflict=repeat)


@functools.cache
def _insert_once_statement(dialect: str, table: sa.Table, unique: tuple[str, ...]) -> sa.Insert:
    # Built once: the values travel as parameters, so the compiled form is reused as is.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)


def insert_once(
    conn: sa.Connection, table: sa.Table, values: dict, unique: tuple[str, ...]
) -> int | None:
    """Insert a row unless one with the same `unique` columns exists; its new id or None.

    One INSERT … ON CONFLICT DO NOTHING RETURNING on PostgreSQL and SQLite: the unique
    constraint decides between concurrent scanners, with no savepoint round trips.
    """
    dialect = conn.dialect.name
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the portable path
        try:
            with conn.begin_nested():
                return conn.execute(
                    sa.insert(table).values(**values).returning(table.c.id)
                ).scalar()
        except sa.exc.IntegrityError:
            return None
    return conn.execute(_insert_once_statement(dialect, table, unique), values).scalar()


def _admit(
    conn: sa.Connection, holder: Holder, checkpoint: Checkpoint, scan: dict
) -> CheckinOutcome:
    """Store an admitting scan and the check-in it makes, unless a race got there first."""
    inserted = _insert_admission(conn, scan)
    if inserted is None:
        # The same scan_id was recorded before (a resend): answer as the first time.
        return replay(conn, scan["event_id"], scan["scan_id"], expected=scan)
    scan_row_id, attendance_id = inserted
    if attendance_id is not None:
        return CheckinOutcome(
            ScanResult.OK, holder, scan["scanned_at"], checkpoint.key, scan["scan_id"]
        )
    # Checked in here meanwhile (another scanner, or an earlier scan synced late): the
    # earliest scan wins, whatever order they arrive in.
    statements = _repeat_statements()
    keys = {"holder_id": holder.id, "key": checkpoint.key}
    moved = conn.execute(
        statements.earlier, {**keys, "at": scan["scanned_at"], "scan_row": scan_row_id}
    ).rowcount
    if moved:
        # This (offline) scan came first: it is the check-in, the recorded one a repeat.
        return CheckinOutcome(
            ScanResult.OK,
            holder,
            scan["scanned_at"],
            checkpoint.key,
            scan["scan_id"],
            conflict=True,
        )
    conn.execute(statements.repeat, {"scan_row": scan_row_id})
    return CheckinOutcome(
        ScanResult.ALREADY_CHECKED_IN,
        holder,
        _first_scanned_at(conn, holder.id, checkpoint.key),
        checkpoint.key,
        scan["scan_id"],
        conflict=True,
    )


def _insert_admission(conn: sa.Connection, scan: dict) -> tuple[int, int | None] | None:
    """Insert the scan and its attendance row: (scan row id, attendance id or None when
    one exists already), or None when the scan_id was recorded before."""
    if conn.dialect.name == "postgresql":
        # One round trip: both inserts in one statement (data-modifying CTEs).
        row = conn.execute(_admission_statement(), scan).first()
        return (row[0], row[1]) if row else None
    scan_row_id = insert_once(conn, Scan.__table__, scan, ("event_id", "scan_id"))
    if scan_row_id is None:
        return None
    attendance = {
        "event_id": scan["event_id"],
        "registration_id": scan["registration_id"],
        "checkpoint": scan["checkpoint"],
        "session_id": scan["session_id"],
        "visit_id": scan["visit_id"],
        "first_scan_id": scan_row_id,
        "first_scanned_at": scan["scanned_at"],
        "created_at": scan["received_at"],
    }
    return scan_row_id, insert_once(
        conn, Attendance.__table__, attendance, ("registration_id", "checkpoint")
    )


@functools.cache
def _admission_statement() -> sa.Select:
    # WITH s AS (INSERT INTO scan … ON CONFLICT DO NOTHING RETURNING …),
    #      a AS (INSERT INTO attendance SELECT … FROM s ON CONFLICT DO NOTHING RETURNING id)
    # SELECT s.id, a.id FROM s LEFT JOIN a: no row when the scan_id was seen before. The
    # attendance row takes its values from the inserted scan, so no parameter is untyped.
    from sqlalchemy.dialects.postgresql import insert

    scans, attendance = Scan.__table__, Attendance.__table__
    columns = (
        "event_id",
        "scan_id",
        "checkpoint",
        "session_id",
        "visit_id",
        "registration_id",
        "result",
        "scanned_at",
        "received_at",
        "scanner_id",
    )
    scan = (
        insert(scans)
        .values({name: sa.bindparam(name, type_=scans.c[name].type) for name in columns})
        .on_conflict_do_nothing(index_elements=["event_id", "scan_id"])
        .returning(
            scans.c.id,
            scans.c.event_id,
            scans.c.registration_id,
            scans.c.checkpoint,
            scans.c.session_id,
            scans.c.visit_id,
            scans.c.scanned_at,
            scans.c.received_at,
        )
        .cte("new_scan")
    )
    admission = (
        insert(attendance)
        .from_select(
            [
                "event_id",
                "registration_id",
                "checkpoint",
                "session_id",
                "visit_id",
                "first_scan_id",
                "first_scanned_at",
                "created_at",
            ],
            sa.select(
                scan.c.event_id,
                scan.c.registration_id,
                scan.c.checkpoint,
                scan.c.session_id,
                scan.c.visit_id,
                scan.c.id,
                scan.c.scanned_at,
                scan.c.received_at,
            ),
        )
        .on_conflict_do_nothing(index_elements=["registration_id", "checkpoint"])
        .returning(attendance.c.id)
        .cte("new_attendance")
    )
    return sa.select(scan.c.id, admission.c.id).select_from(scan.outerjoin(admission, sa.true()))


class _RepeatStatements(NamedTuple):
    earlier: sa.Update
    repeat: sa.Update
    first: sa.Select


@functools.cache
def _repeat_statements() -> _RepeatStatements:
    # Built once, like the inserts: repeats are common at a door (badges shown twice).
    attendance, scans = Attendance.__table__, Scan.__table__
    this_attendance = (
        attendance.c.registration_id == sa.bindparam("holder_id"),
        attendance.c.checkpoint == sa.bindparam("key"),
    )
    return _RepeatStatements(
        earlier=sa.update(attendance)
        .where(*this_attendance, attendance.c.first_scanned_at > sa.bindparam("at"))
        .values(first_scanned_at=sa.bindparam("at"), first_scan_id=sa.bindparam("scan_row")),
        repeat=sa.update(scans)
        .where(scans.c.id == sa.bindparam("scan_row"))
        .values(result=ScanResult.ALREADY_CHECKED_IN),
        first=sa.select(attendance.c.first_scanned_at).where(*this_attendance),
    )


def _first_scanned_at(
    conn: sa.Connection, registration_id: int, checkpoint_key: str
) -> dt.datetime | None:
    return conn.execute(
        _repeat_statements().first, {"holder_id": registration_id, "key": checkpoint_key}
    ).scalar()


def replay(
    conn: sa.Connection, event_id: int, scan_id: str, *, expected: dict | None = None
) -> CheckinOutcome:
    """The answer already given to a scan_id (idempotent resend).

    With `expected` (the scan being recorded), the stored scan must be of the same badge
    holder at the same checkpoint: a scanner that reuses a scan_id for another badge gets
    ScanIdConflict instead of the first person's answer (and the second is not lost
    silently: the scanner shows the conflict).
    """
    table = Scan.__table__
    scan = conn.execute(
        sa.select(
            table.c.checkpoint,
            table.c.session_id,
            table.c.visit_id,
            table.c.registration_id,
            table.c.result,
        ).where(table.c.event_id == event_id, table.c.scan_id == scan_id)
    ).one()
    if expected is not None and (
        scan.checkpoint != expected["checkpoint"]
        or scan.registration_id != expected["registration_id"]
    ):
        raise ScanIdConflict(
            _(
                "The scan_id %(scan_id)s was already used for another badge or checkpoint;"
                " send this scan with a new scan_id.",
                scan_id=scan_id,
            )
        )
    checkpoint = Checkpoint(scan.checkpoint, session_id=scan.session_id, visit_id=scan.visit_id)
    holder = (
        load_holder(conn, event_id, scan.registration_id, checkpoint)
        if scan.registration_id
        else None
    )
    first = holder.checked_in_at if holder else None
    return CheckinOutcome(scan.result, holder, first, scan.checkpoint, scan_id, replayed=True)


def bus_of_visit(conn: sa.Connection, bus_id: int, visit_id: int | None) -> bool:
    """Whether the bus belongs to the visit."""
    buses = Bus.__table__
    return (
        conn.execute(
            sa.select(buses.c.id).where(buses.c.id == bus_id, buses.c.visit_id == visit_id)
        ).first()
        is not None
    )


def _bus(bus_id: int | None, name: str | None) -> dict | None:
    return {"id": bus_id, "name": name} if bus_id is not None else None


def _utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def boarding_json(
    conn: sa.Connection,
    event_id: int,
    visit_id: int,
    outcome: CheckinOutcome,
    at_bus_id: int | None,
) -> dict:
    """What a bus door needs besides the verdict: the bus the person belongs on (and
    whether this bus is it); for someone with no seat on this visit, the visit and bus
    they do have a seat on (departing nearest in time), so staff can send them there."""
    facts = {"bus": None, "wrong_bus": False, "signed_up_for": None}
    holder = outcome.registration
    if holder is None:
        return facts
    signups, buses, visits = VisitSignup.__table__, Bus.__table__, Visit.__table__
    seats = (
        sa.select(
            visits.c.id,
            visits.c.title,
            visits.c.departs_at,
            visits.c.status,
            signups.c.bus_id,
            buses.c.name,
        )
        .select_from(
            signups.join(visits, visits.c.id == signups.c.visit_id).outerjoin(
                buses, buses.c.id == signups.c.bus_id
            )
        )
        .where(
            signups.c.registration_id == holder.id,
            signups.c.status == SeatStatus.CONFIRMED,
            visits.c.event_id == event_id,
        )
    )
    rows = conn.execute(seats).all()
    here = next((row for row in rows if row.id == visit_id), None)
    if here is not None:
        facts["bus"] = _bus(here.bus_id, here.name)
        facts["wrong_bus"] = (
            at_bus_id is not None and here.bus_id is not None and here.bus_id != at_bus_id
        )
        return facts
    departs = conn.execute(sa.select(visits.c.departs_at).where(visits.c.id == visit_id)).first()
    elsewhere = [row for row in rows if row.id != visit_id and row.status != VisitStatus.CANCELLED]
    if departs is not None and elsewhere:

        def distance(row) -> float:
            return abs((_aware(row.departs_at) - _aware(departs.departs_at)).total_seconds())

        nearest = min(elsewhere, key=lambda row: (distance(row), row.id))
        facts["signed_up_for"] = {
            "visit_id": nearest.id,
            "title": nearest.title,
            "departs_at": _utc_text(nearest.departs_at),
            "bus": _bus(nearest.bus_id, nearest.name),
        }
    return facts


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def delegate_json(registration: Registration | None) -> dict | None:
    """What a scanner shows about the person (never the e-mail or phone)."""
    if registration is None:
        return None
    from confapp.countries import country_name

    return {
        "registration_id": registration.id,
        "full_name": registration.full_name,
        "name_latin": registration.name_latin,
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
