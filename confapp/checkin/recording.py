"""Recording a scan and the first attendance per person and checkpoint.

Races are settled by the database: Scan is unique per (event, scan_id), so a resent
scan is the same scan, and Attendance is unique per (registration, checkpoint), so two
scanners at once record one check-in. Each insert is an INSERT … ON CONFLICT DO NOTHING;
the loser of a race reads the winner's row. The earliest scanned_at wins, so offline scans
synced late still give the true first arrival. An area (the meetings area) is scanned at
all day: each accepted scan there is a row, with no attendance. A scan is the hot path of
the door: it reads the badge's registration as a plain row and writes with Core statements."""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _

from confapp.badges import tokens
from confapp.badges.issuing import secret_key
from confapp.checkin.checkpoints import CheckinOutcome
from confapp.checkin.checkpoints import Checkpoint
from confapp.checkin.context import Holder
from confapp.checkin.context import load_holder
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.checkin.rules import ScanIdConflict
from confapp.checkin.rules import judge


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
        and checkpoint.area is None
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
        "area": checkpoint.area,
        "registration_id": holder.id if holder else None,
        "result": result,
        "scanned_at": scanned_at,
        "received_at": now,
        "scanner_id": scanner_id,
    }
    if result is ScanResult.OK and checkpoint.area is None:
        return _admit(conn, holder, checkpoint, scan)
    # Refusals, and every accepted scan at an area (people come back to the meetings area
    # all day: each visit is a scan row of its own and no attendance row).
    if insert_once(conn, Scan.__table__, scan, ("event_id", "scan_id")) is None:
        # The same scan_id was recorded before (a resend): answer as the first time.
        return replay(conn, event_id, scan_id, expected=scan)
    if checkpoint.area is not None:
        first = scanned_at if result is ScanResult.OK else None
        return CheckinOutcome(result, holder, first, checkpoint.key, scan_id)
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
        "area",
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
            table.c.area,
            table.c.registration_id,
            table.c.result,
            table.c.scanned_at,
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
    checkpoint = Checkpoint(
        scan.checkpoint, session_id=scan.session_id, visit_id=scan.visit_id, area=scan.area
    )
    holder = (
        load_holder(conn, event_id, scan.registration_id, checkpoint)
        if scan.registration_id
        else None
    )
    if checkpoint.area is not None:
        # An area keeps no first check-in: the answer names the time of this visit.
        first = scan.scanned_at if scan.result == ScanResult.OK else None
    else:
        first = holder.checked_in_at if holder else None
    return CheckinOutcome(scan.result, holder, first, scan.checkpoint, scan_id, replayed=True)
