"""Programme CSV export and all-or-nothing import (flush only; the caller commits).

Columns: id, title, kind, date, start, end, room, track, seat_limit, status, people,
description. Dates and times are wall-clock times in the event's zone. `people` is
`role: name | organisation | country` entries separated by `;`. A row with the `id` of an
existing session updates it; a row without creates one. `status` is exported for
reading and ignored on import (cancel sessions on their page).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import sqlalchemy as sa

from confapp.agenda import services
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionStatus
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db

COLUMNS = (
    "id",
    "title",
    "kind",
    "date",
    "start",
    "end",
    "room",
    "track",
    "seat_limit",
    "status",
    "people",
    "description",
)
REQUIRED = ("title", "kind", "date", "start", "end")
MAX_ROWS = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportFailed(ValidationFailed):
    """The CSV had errors; `errors` lists (line number, message)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(
            f"The file has {len(errors)} error{'s' if len(errors) != 1 else ''}; "
            "nothing was imported."
        )
        self.errors = errors


def _safe(value: str) -> str:
    # Spreadsheets run cells starting with = + - @ as formulas; a quote defuses them.
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def format_people(session: ProgrammeSession) -> str:
    """The people column of a session."""
    parts = []
    for p in session.people:
        entry = f"{p.role.value}: {p.name}"
        if p.organisation or p.country:
            entry += f" | {p.organisation}"
        if p.country:
            entry += f" | {p.country}"
        parts.append(entry)
    return "; ".join(parts)


def parse_people(text: str) -> list[services.PersonData]:
    """Parse the people column; raise ValueError with a readable message."""
    people = []
    for raw in filter(None, (chunk.strip() for chunk in (text or "").split(";"))):
        fields = [f.strip() for f in raw.split("|")]
        if len(fields) > 3:
            raise ValueError(
                f"too many '|' in person {raw!r} (use role: name | organisation | country)"
            )
        head, organisation, country = (fields + ["", ""])[:3]
        role = PersonRole.SPEAKER
        if ":" in head:
            maybe_role, name = (x.strip() for x in head.split(":", 1))
            if maybe_role.lower() not in PersonRole._value2member_map_:
                roles = ", ".join(PersonRole._value2member_map_)
                raise ValueError(f"unknown role {maybe_role!r} (use {roles})")
            role = PersonRole(maybe_role.lower())
        else:
            name = head
        if not name:
            raise ValueError(f"person without a name in {raw!r}")
        people.append(
            services.PersonData(
                name=name, role=role, organisation=organisation, country=country.upper()
            )
        )
    return people


def export_csv(event: Event) -> str:
    """The programme as CSV text (times in the event's zone)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in services.load_programme(event):
        start, end = event.local(s.starts_at), event.local(s.ends_at)
        writer.writerow(
            [
                s.id,
                _safe(s.title),
                s.kind.value,
                start.strftime("%Y-%m-%d"),
                start.strftime("%H:%M"),
                end.strftime("%H:%M")
                if end.date() == start.date()
                else end.strftime("%Y-%m-%d %H:%M"),
                _safe(s.room.name) if s.room else "",
                _safe(s.track.name) if s.track else "",
                s.pool.capacity if s.pool and s.pool.capacity is not None else "",
                s.status.value,
                _safe(format_people(s)),
                _safe(s.description),
            ]
        )
    return out.getvalue()


@dataclasses.dataclass
class _Row:
    line: int
    session: ProgrammeSession | None
    data: services.SessionData


def _parse_time(event: Event, date_text: str, time_text: str, field: str) -> dt.datetime:
    day = dt.date.fromisoformat(date_text.strip())
    time_text = time_text.strip()
    if " " in time_text:  # "YYYY-MM-DD HH:MM" for sessions ending another day
        other, time_text = time_text.split(" ", 1)
        day = dt.date.fromisoformat(other)
    local = dt.datetime.combine(day, dt.time.fromisoformat(time_text))
    return services.to_utc(event, local, field=field)


def import_csv(event: Event, content: bytes, *, now: dt.datetime) -> dict[str, int]:
    """Validate every row, then apply all of them or none; raise ImportFailed with line numbers."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([(1, "The file is not UTF-8 text; save it as “CSV UTF-8”.")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise ImportFailed(
            [(1, f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS)}.")]
        )
    reader.fieldnames = headers
    rooms = {r.name.casefold(): r for r in services.list_rooms(event)}
    tracks = {t.name.casefold(): t for t in services.list_tracks(event)}
    existing = {s.id: s for s in services.load_programme(event)}
    errors: list[tuple[int, str]] = []
    rows: list[_Row] = []
    seen_ids: set[int] = set()
    line = reader.line_num + 1
    for number, record in enumerate(reader):
        start_line, line = line, reader.line_num + 1
        if number >= MAX_ROWS:
            errors.append((start_line, f"Too many rows (at most {MAX_ROWS})."))
            break
        if None in record:
            errors.append((start_line, "More cells than columns (check quoting of commas)."))
            continue
        cell = {k: _unsafe((v or "").strip()) for k, v in record.items() if k}
        if not any(cell.values()):
            continue
        try:
            session = None
            if cell.get("id"):
                if not cell["id"].isdigit() or int(cell["id"]) not in existing:
                    raise ValueError(f"no session with id {cell['id']} in this programme")
                if int(cell["id"]) in seen_ids:
                    raise ValueError(f"session id {cell['id']} appears twice")
                session = existing[int(cell["id"])]
                seen_ids.add(session.id)
            if cell["kind"].lower() not in SessionKind._value2member_map_:
                raise ValueError(
                    f"unknown kind {cell['kind']!r} "
                    f"(use {', '.join(SessionKind._value2member_map_)})"
                )
            try:
                starts_at = _parse_time(event, cell["date"], cell["start"], "start")
                ends_at = _parse_time(event, cell["date"], cell["end"], "end")
            except ValueError as exc:
                raise ValueError("date must be YYYY-MM-DD and times HH:MM") from exc
            room = None
            if cell.get("room"):
                room = rooms.get(cell["room"].casefold())
                if room is None:
                    raise ValueError(f"unknown room {cell['room']!r} (add it under Rooms first)")
            track = None
            if cell.get("track"):
                track = tracks.get(cell["track"].casefold())
                if track is None:
                    raise ValueError(f"unknown track {cell['track']!r} (add it under Tracks first)")
            seat_limit = None
            if cell.get("seat_limit"):
                if not cell["seat_limit"].isdigit():
                    raise ValueError("seat_limit must be a whole number or empty")
                seat_limit = int(cell["seat_limit"])
            data = services.SessionData(
                title=cell["title"],
                kind=SessionKind(cell["kind"].lower()),
                starts_at=starts_at,
                ends_at=ends_at,
                room_id=room.id if room else None,
                track_id=track.id if track else None,
                description=cell.get("description", ""),
                seat_limit=seat_limit,
                people=parse_people(cell.get("people", "")),
            )
            services.validate_session(
                event, data, exclude_id=session.id if session else None, check_room_clash=False
            )
        except DomainError as exc:
            errors.append((start_line, exc.message))
            continue
        except ValueError as exc:
            errors.append((start_line, str(exc)[:1].upper() + str(exc)[1:] + "."))
            continue
        rows.append(_Row(start_line, session, data))
    errors.extend(_room_clashes(event, rows, existing))
    if errors:
        raise ImportFailed(sorted(errors))
    if not rows:
        raise ImportFailed([(2, "The file has no sessions.")])
    created = updated = 0
    for row in rows:
        try:
            if row.session is None:
                services.create_session(event, row.data, now=now)
                created += 1
            elif services.update_session(event, row.session, row.data, now=now):
                updated += 1
        except DomainError as exc:
            # Rows are checked together above; this only happens when rows swap rooms in
            # an order that clashes midway. The caller rolls back, so nothing is kept.
            raise ImportFailed([(row.line, exc.message)]) from exc
    db.session.flush()
    return {"created": created, "updated": updated, "unchanged": len(rows) - created - updated}


def summary(result: dict[str, int]) -> str:
    """What an import did, in a sentence."""
    return (
        f"Imported: {result['created']} added, {result['updated']} updated, "
        f"{result['unchanged']} unchanged."
    )


def _room_clashes(
    event: Event, rows: list[_Row], existing: dict[int, ProgrammeSession]
) -> list[tuple[int, str]]:
    """Room double bookings among the new rows and the sessions they leave in place."""
    updated_ids = {r.session.id for r in rows if r.session is not None}
    slots = [
        (0, s.title, s.room_id, s.starts_at, s.ends_at)
        for s in existing.values()
        if s.id not in updated_ids and s.room_id is not None and s.status is SessionStatus.SCHEDULED
    ]
    cancelled = {s.id for s in existing.values() if s.status is SessionStatus.CANCELLED}
    errors = []
    for row in rows:
        d = row.data
        if d.room_id is None or (row.session is not None and row.session.id in cancelled):
            continue
        for line, title, room_id, start, end in slots:
            if room_id == d.room_id and services.overlaps(start, end, d.starts_at, d.ends_at):
                where = f"line {line}" if line else "the programme"
                errors.append((row.line, f"Room clash with “{title}” ({where})."))
                break
        slots.append((row.line, d.title, d.room_id, d.starts_at, d.ends_at))
    return errors


def count_sessions(event: Event) -> int:
    """How many sessions the event has."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(ProgrammeSession.id)).where(
                ProgrammeSession.event_id == event.id
            )
        )
        or 0
    )
