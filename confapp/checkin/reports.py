"""Attendance figures for organisers: per session, per visit, per delegate, no-shows, CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa

from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import Room
from confapp.agenda.models import SeatStatus
from confapp.agenda.models import SessionSignup
from confapp.checkin.checkpoints import ENTRANCE
from confapp.checkin.models import MEETINGS_AREA
from confapp.checkin.models import Attendance
from confapp.checkin.models import Scan
from confapp.checkin.models import ScanResult
from confapp.events.models import Event
from confapp.extensions import db
from confapp.registration.models import Registration
from confapp.registration.models import RegistrationStatus
from confapp.visits.models import Bus
from confapp.visits.models import Visit
from confapp.visits.models import VisitSignup


@dataclass(frozen=True)
class CheckpointRow:
    """Attendance at one session or visit against its room or seats and its sign-ups."""

    key: str
    title: str
    starts_at: object
    capacity: int | None
    signed_up: int | None
    attended: int
    no_shows: int | None
    session_id: int | None = None
    visit_id: int | None = None

    @property
    def fill_percent(self) -> int | None:
        """Attendance as a share of the capacity."""
        if not self.capacity:
            return None
        return round(100 * self.attended / self.capacity)


def _counts(event: Event, column) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(column, sa.func.count())
        .where(Attendance.event_id == event.id, column.is_not(None))
        .group_by(column)
    )
    return dict(rows.all())


def _signed_up_attended(model, key, ids_column, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per session/visit: (confirmed sign-ups, those of them who attended)."""
    attended = (
        sa.select(Attendance.id)
        .where(
            Attendance.registration_id == model.registration_id,
            getattr(Attendance, key) == ids_column,
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(ids_column, sa.func.count(), sa.func.count().filter(attended))
        .where(model.status == SeatStatus.CONFIRMED, ids_column.in_(ids))
        .group_by(ids_column)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def session_rows(event: Event) -> list[CheckpointRow]:
    """Every session with its room capacity, sign-ups (seat-limited ones), attendance, no-shows."""
    sessions = db.session.execute(
        sa.select(ProgrammeSession, Room.capacity)
        .outerjoin(Room, Room.id == ProgrammeSession.room_id)
        .where(ProgrammeSession.event_id == event.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id)
    ).all()
    attended = _counts(event, Attendance.session_id)
    signups = _signed_up_attended(
        SessionSignup, "session_id", SessionSignup.session_id, [s.id for s, _ in sessions]
    )
    rows = []
    for session, room_capacity in sessions:
        limited = session.capacity_pool_id is not None
        signed, came = signups.get(session.id, (0, 0))
        rows.append(
            CheckpointRow(
                key=f"session:{session.id}",
                title=session.title,
                starts_at=session.starts_at,
                capacity=room_capacity,
                signed_up=signed if limited else None,
                attended=attended.get(session.id, 0),
                no_shows=signed - came if limited else None,
                session_id=session.id,
            )
        )
    return rows


def visit_rows(event: Event) -> list[CheckpointRow]:
    """Every visit with its seats, confirmed sign-ups, boarded and no-shows."""
    visits = db.session.scalars(
        sa.select(Visit).where(Visit.event_id == event.id).order_by(Visit.departs_at, Visit.id)
    ).all()
    seats = dict(
        db.session.execute(
            sa.select(Bus.visit_id, sa.func.sum(Bus.seats))
            .join(Visit, Visit.id == Bus.visit_id)
            .where(Visit.event_id == event.id)
            .group_by(Bus.visit_id)
        ).all()
    )
    attended = _counts(event, Attendance.visit_id)
    signups = _signed_up_attended(
        VisitSignup, "visit_id", VisitSignup.visit_id, [v.id for v in visits]
    )
    rows = []
    for visit in visits:
        signed, came = signups.get(visit.id, (0, 0))
        capacity = visit.capacity_cap if visit.capacity_cap is not None else seats.get(visit.id)
        rows.append(
            CheckpointRow(
                key=f"visit:{visit.id}",
                title=visit.title,
                starts_at=visit.departs_at,
                capacity=int(capacity) if capacity is not None else None,
                signed_up=signed,
                attended=attended.get(visit.id, 0),
                no_shows=signed - came,
                visit_id=visit.id,
            )
        )
    return rows


def entrance_count(event: Event) -> int:
    """People checked in at the entrance."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Attendance.event_id == event.id, Attendance.checkpoint == ENTRANCE
            )
        )
        or 0
    )


def meetings_area_counts(event: Event) -> tuple[int, int]:
    """Accepted scans at the networking meetings area, and the people they were of."""
    scans, people = db.session.execute(
        sa.select(sa.func.count(Scan.id), sa.func.count(sa.distinct(Scan.registration_id))).where(
            Scan.event_id == event.id,
            Scan.area == MEETINGS_AREA,
            Scan.result == ScanResult.OK,
        )
    ).one()
    return scans, people


def attendees(event: Event, checkpoint: str) -> list[tuple[Registration, Attendance]]:
    """Who was scanned in at a checkpoint, first arrivals first."""
    return list(
        db.session.execute(
            sa.select(Registration, Attendance)
            .join(Attendance, Attendance.registration_id == Registration.id)
            .where(Attendance.event_id == event.id, Attendance.checkpoint == checkpoint)
            .order_by(Attendance.first_scanned_at, Attendance.id)
        ).all()
    )


def no_shows(
    event: Event, *, session_id: int | None = None, visit_id: int | None = None
) -> list[Registration]:
    """Confirmed sign-ups of a session or visit who were never scanned in there."""
    if session_id is not None:
        model, target, key = (
            SessionSignup,
            SessionSignup.session_id == session_id,
            f"session:{session_id}",
        )
    else:
        model, target, key = VisitSignup, VisitSignup.visit_id == visit_id, f"visit:{visit_id}"
    came = sa.select(Attendance.registration_id).where(
        Attendance.event_id == event.id, Attendance.checkpoint == key
    )
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(model, model.registration_id == Registration.id)
            .where(target, model.status == SeatStatus.CONFIRMED, Registration.id.not_in(came))
            .order_by(Registration.full_name)
        )
    )


# Who earns a certificate: scanned in at the entrance or at any session.
_ATTENDED = sa.or_(Attendance.checkpoint == ENTRANCE, Attendance.session_id.is_not(None))


def attended_registration_ids(event: Event) -> set[int]:
    """Registrations scanned in at the entrance or any session (certificate holders)."""
    return set(
        db.session.scalars(
            sa.select(Attendance.registration_id)
            .where(Attendance.event_id == event.id, _ATTENDED)
            .distinct()
        )
    )


def has_attended(registration: Registration) -> bool:
    """Whether this delegate earned a certificate (one indexed lookup)."""
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Attendance.registration_id == registration.id, _ATTENDED))
        )
    )


def sessions_attended(registration: Registration) -> int:
    """How many programme sessions this delegate was scanned in at (their certificate)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Attendance.id)).where(
                Attendance.registration_id == registration.id, Attendance.session_id.is_not(None)
            )
        )
        or 0
    )


def delegate_rows(event: Event) -> list[dict]:
    """Per confirmed delegate: entrance time, sessions and visits attended."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
        .order_by(Registration.full_name, Registration.id)
    ).all()
    by_reg: dict[int, list[Attendance]] = {}
    for attendance in db.session.scalars(
        sa.select(Attendance).where(Attendance.event_id == event.id)
    ):
        by_reg.setdefault(attendance.registration_id, []).append(attendance)
    titles = dict(
        db.session.execute(
            sa.select(ProgrammeSession.id, ProgrammeSession.title).where(
                ProgrammeSession.event_id == event.id
            )
        ).all()
    )
    visit_titles = dict(
        db.session.execute(sa.select(Visit.id, Visit.title).where(Visit.event_id == event.id)).all()
    )
    rows = []
    for reg in registrations:
        marks = by_reg.get(reg.id, [])
        entrance = next((a.first_scanned_at for a in marks if a.checkpoint == ENTRANCE), None)
        sessions = sorted(titles.get(a.session_id, "?") for a in marks if a.session_id)
        visits = sorted(visit_titles.get(a.visit_id, "?") for a in marks if a.visit_id)
        rows.append(
            {
                "registration": reg,
                "entrance": entrance,
                "sessions": sessions,
                "visits": visits,
                "attended": bool(entrance or sessions),
            }
        )
    return rows


def delegate_csv(event: Event) -> bytes:
    """The per-delegate attendance as CSV (UTF-8 with BOM for spreadsheet programs)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "registration_id",
            "full_name",
            "organisation",
            "country",
            "category",
            "entrance_utc",
            "sessions_attended",
            "sessions",
            "visits",
            "attended",
        ]
    )
    for row in delegate_rows(event):
        reg = row["registration"]
        writer.writerow(
            [
                reg.id,
                _cell(reg.full_name),
                _cell(reg.organisation),
                reg.country,
                reg.category.value,
                row["entrance"].isoformat() if row["entrance"] else "",
                len(row["sessions"]),
                _cell("; ".join(row["sessions"])),
                _cell("; ".join(row["visits"])),
                "yes" if row["attended"] else "no",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in user-supplied text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
