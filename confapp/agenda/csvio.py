"""Programme CSV export and all-or-nothing import (flush only; the caller commits).

Columns: id, title, kind, date, start, end, room, track, seat_limit, status, people,
description. Dates and times are wall-clock times in the event's zone. `people` is
`role: name | organisation | country` entries separated by `;`. A row with the `id` of an
existing session updates it; a row without creates one. `status` is exported for
reading and ignored on import (cancel sessions on their page).

The import reads the file (:func:`_read`: UTF-8, no NUL, the header), turns each row into
session data (:func:`_parse_row`), checks every row and the room clashes among them
(:func:`_check`), and only then applies them (:func:`_apply`). Cells are cleaned as the
forms clean them: a line break inside a one-line cell (Excel's Alt+Enter) becomes a space.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from confapp.agenda import programme
from confapp.agenda import sessions
from confapp.agenda.models import PersonRole
from confapp.agenda.models import ProgrammeSession
from confapp.agenda.models import SessionKind
from confapp.agenda.models import SessionStatus
from confapp.agenda.times import overlaps
from confapp.agenda.times import to_utc
from confapp.db import MAX_ID
from confapp.errors import DomainError
from confapp.errors import ValidationFailed
from confapp.events.models import Event
from confapp.extensions import db
from confapp.web.forms import multi_line
from confapp.web.forms import one_line

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
MULTI_LINE = {"description"}
MAX_ROWS = 2000
MAX_SEATS = 100000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportFailed(ValidationFailed):
    """The CSV had errors; `errors` lists (line number, message)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(
            ngettext(
                "The file has %(num)d error; nothing was imported.",
                "The file has %(num)d errors; nothing was imported.",
                len(errors),
            )
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


def _person(raw: str) -> sessions.PersonData:
    fields = [f.strip() for f in raw.split("|")]
    if len(fields) > 3:
        raise ValueError(
            _("too many '|' in person '%(person)s' (use role: name | organisation | country)")
            % {"person": raw}
        )
    head, organisation, country = (fields + ["", ""])[:3]
    role, name = PersonRole.SPEAKER, head
    if ":" in head:
        maybe_role, name = (x.strip() for x in head.split(":", 1))
        if maybe_role.lower() not in PersonRole._value2member_map_:
            roles = ", ".join(PersonRole._value2member_map_)
            raise ValueError(
                _("unknown role '%(role)s' (use %(roles)s)", role=maybe_role, roles=roles)
            )
        role = PersonRole(maybe_role.lower())
    if not name:
        raise ValueError(_("person without a name in '%(person)s'", person=raw))
    return sessions.PersonData(
        name=name, role=role, organisation=organisation, country=country.upper()
    )


def parse_people(text: str) -> list[sessions.PersonData]:
    """Parse the people column; raise ValueError with a readable message."""
    return [_person(raw) for raw in filter(None, (c.strip() for c in (text or "").split(";")))]


def export_csv(event: Event) -> str:
    """The programme as CSV text (times in the event's zone)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in programme.load_programme(event):
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


# --- reading the file --------------------------------------------------------------------------


def _text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(
            [(1, _("The file is not UTF-8 text; save it as “CSV UTF-8”."))]
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed(
            [(line, _("The file contains a NUL character (not text): save it again as CSV."))]
        )
    return text


def _cell(column: str, value: str | None) -> str:
    cleaned = multi_line(value or "") if column in MULTI_LINE else one_line(value or "")
    return _unsafe(cleaned.strip())


def _read(content: bytes) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(first line of the row, its cleaned cells) for each row, or (line, error message)."""
    reader = csv.DictReader(io.StringIO(_text(content), newline=""))
    headers = [one_line(h).lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise ImportFailed(
            [
                (
                    1,
                    ngettext(
                        "Missing column: %(missing)s. Expected: %(expected)s.",
                        "Missing columns: %(missing)s. Expected: %(expected)s.",
                        len(missing),
                        missing=", ".join(missing),
                        expected=", ".join(COLUMNS),
                    ),
                )
            ]
        )
    reader.fieldnames = headers
    line = reader.line_num + 1
    for number, record in enumerate(reader):
        start_line, line = line, reader.line_num + 1
        if number >= MAX_ROWS:
            yield start_line, _("Too many rows (at most %(count)d).", count=MAX_ROWS)
            return
        if None in record:
            yield start_line, _("More cells than columns (check quoting of commas).")
            continue
        cells = {k: _cell(k, v) for k, v in record.items() if k}
        if any(cells.values()):
            yield start_line, cells


# --- one row -------------------------------------------------------------------------------


@dataclasses.dataclass
class _Row:
    line: int
    session: ProgrammeSession | None
    data: sessions.SessionData


@dataclasses.dataclass
class _Lookups:
    """What rows refer to by name or id, loaded once."""

    rooms: dict
    tracks: dict
    existing: dict[int, ProgrammeSession]
    seen_ids: set[int] = dataclasses.field(default_factory=set)

    @classmethod
    def of(cls, event: Event) -> _Lookups:
        return cls(
            rooms={r.name.casefold(): r for r in programme.list_rooms(event)},
            tracks={t.name.casefold(): t for t in programme.list_tracks(event)},
            existing={s.id: s for s in programme.load_programme(event)},
        )


def _whole_number(text: str, maximum: int) -> int | None:
    """Plain ASCII digits within range, else None (a ² or ٣ is not a number here)."""
    if text.isascii() and text.isdigit() and int(text) <= maximum:
        return int(text)
    return None


def _existing(cell: dict[str, str], lookups: _Lookups) -> ProgrammeSession | None:
    if not cell.get("id"):
        return None
    ident = _whole_number(cell["id"], MAX_ID)
    if ident is None or ident not in lookups.existing:
        raise ValueError(_("no session with id %(id)s in this programme", id=cell["id"]))
    if ident in lookups.seen_ids:
        raise ValueError(_("session id %(id)s appears twice", id=cell["id"]))
    lookups.seen_ids.add(ident)
    return lookups.existing[ident]


def _kind(text: str) -> SessionKind:
    if text.lower() not in SessionKind._value2member_map_:
        raise ValueError(
            _(
                "unknown kind '%(kind)s' (use %(kinds)s)",
                kind=text,
                kinds=", ".join(SessionKind._value2member_map_),
            )
        )
    return SessionKind(text.lower())


def _parse_time(event: Event, date_text: str, time_text: str, field: str) -> dt.datetime:
    day = dt.date.fromisoformat(date_text.strip())
    time_text = time_text.strip()
    if " " in time_text:  # "YYYY-MM-DD HH:MM" for sessions ending another day
        other, time_text = time_text.split(" ", 1)
        day = dt.date.fromisoformat(other)
    local = dt.datetime.combine(day, dt.time.fromisoformat(time_text))
    return to_utc(event, local, field=field)


def _times(event: Event, cell: dict[str, str]) -> tuple[dt.datetime, dt.datetime]:
    try:
        return (
            _parse_time(event, cell["date"], cell["start"], "start"),
            _parse_time(event, cell["date"], cell["end"], "end"),
        )
    except ValueError as exc:
        raise ValueError(_("date must be YYYY-MM-DD and times HH:MM")) from exc


def _named(cell: dict[str, str], column: str, known: dict, noun: str) -> int | None:
    if not cell.get(column):
        return None
    found = known.get(cell[column].casefold())
    if found is None:
        message = (
            _("unknown room '%(name)s' (add it under Rooms first)", name=cell[column])
            if noun == "room"
            else _("unknown track '%(name)s' (add it under Tracks first)", name=cell[column])
        )
        raise ValueError(message)
    return found.id


def _seat_limit(text: str) -> int | None:
    if not text:
        return None
    limit = _whole_number(text, MAX_SEATS)
    if limit is None:
        raise ValueError(
            _("seat_limit must be a whole number up to %(max)d or empty", max=MAX_SEATS)
        )
    return limit


def _parse_row(event: Event, line: int, cell: dict[str, str], lookups: _Lookups) -> _Row:
    """A row as session data, checked like the session form; ValueError/DomainError if not."""
    session = _existing(cell, lookups)
    kind = _kind(cell["kind"])
    starts_at, ends_at = _times(event, cell)
    data = sessions.SessionData(
        title=cell["title"],
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        room_id=_named(cell, "room", lookups.rooms, "room"),
        track_id=_named(cell, "track", lookups.tracks, "track"),
        description=cell.get("description", ""),
        seat_limit=_seat_limit(cell.get("seat_limit", "")),
        people=parse_people(cell.get("people", "")),
    )
    sessions.validate_session(
        event, data, exclude_id=session.id if session else None, check_room_clash=False
    )
    return _Row(line, session, data)


# --- all rows ------------------------------------------------------------------------------


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    text = str(exc)
    return text[:1].upper() + text[1:] + "."


Progress = Callable[[int, int], None]


def rows_in(content: bytes) -> int:
    """About how many sessions a file holds (its non-empty lines after the header)."""
    return max(0, sum(1 for line in content.splitlines() if line.strip()) - 1)


def _check(event: Event, content: bytes, on_progress: Progress | None = None) -> list[_Row]:
    """Every row parsed and checked, room clashes among them included; ImportFailed if any
    row has an error. `on_progress(done, total)` counts rows checked (the first half)."""
    lookups = _Lookups.of(event)
    rows: list[_Row] = []
    errors: list[tuple[int, str]] = []
    total = 2 * max(1, rows_in(content))
    for number, (line, cells) in enumerate(_read(content)):
        if on_progress and number % 25 == 0:
            on_progress(min(number, total // 2), total)
        if isinstance(cells, str):
            errors.append((line, cells))
            continue
        try:
            rows.append(_parse_row(event, line, cells, lookups))
        except (DomainError, ValueError) as exc:
            errors.append((line, _message(exc)))
    errors.extend(_room_clashes(rows, lookups.existing))
    if errors:
        raise ImportFailed(sorted(errors))
    if not rows:
        raise ImportFailed([(2, _("The file has no sessions."))])
    return rows


def _apply(
    event: Event, rows: list[_Row], now: dt.datetime, on_progress: Progress | None = None
) -> dict[str, int]:
    created = updated = 0
    for done, row in enumerate(rows):
        if on_progress and done % 25 == 0:
            on_progress(len(rows) + done, 2 * len(rows))
        try:
            if row.session is None:
                sessions.create_session(event, row.data, now=now)
                created += 1
            elif sessions.update_session(event, row.session, row.data, now=now):
                updated += 1
        except DomainError as exc:
            # Rows are checked together above; this only happens when rows swap rooms in
            # an order that clashes midway. The caller rolls back, so nothing is kept.
            raise ImportFailed([(row.line, exc.message)]) from exc
    db.session.flush()
    return {"created": created, "updated": updated, "unchanged": len(rows) - created - updated}


def import_csv(
    event: Event, content: bytes, *, now: dt.datetime, on_progress: Progress | None = None
) -> dict[str, int]:
    """Validate every row, then apply all of them or none; raise ImportFailed with line
    numbers. `on_progress(done, total)`: checking is the first half, applying the second."""
    return _apply(event, _check(event, content, on_progress), now, on_progress)


def summary(result: dict[str, int]) -> str:
    """What an import did, in a sentence."""
    return _(
        "Imported: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.",
        created=result["created"],
        updated=result["updated"],
        unchanged=result["unchanged"],
    )


def _room_clashes(rows: list[_Row], existing: dict[int, ProgrammeSession]) -> list[tuple[int, str]]:
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
            if room_id == d.room_id and overlaps(start, end, d.starts_at, d.ends_at):
                if line:
                    message = _(
                        "Room clash with “%(title)s” (line %(line)d).", title=title, line=line
                    )
                else:
                    message = _("Room clash with “%(title)s” (the programme).", title=title)
                errors.append((row.line, message))
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
