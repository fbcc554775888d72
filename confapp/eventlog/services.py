"""Recording actions into the event log, and reading it back.

The request lifecycle opens a :class:`Recorder` around every action it runs; the recorder
watches the session's flushes and, just before the commit, writes one entry with the
changes the action made (created, edited with before/after, deleted), so no view or
service writes log entries by hand. An action that changed nothing leaves no entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from confapp.eventlog.models import EventLogEntry
from confapp.eventlog.models import EventLogTarget
from confapp.extensions import db

# Columns never copied into the log: secrets, and passport data (kept only as long as the
# retention rule allows, so it must not survive in a log).
_SECRET_PARTS = ("password", "token", "secret", "hash", "passport", "birth", "private_key")
# Bookkeeping columns whose change says nothing an organiser needs.
_NOISE = {"updated_at", "created_at", "last_login_at", "last_used_at", "reminded_at"}
_MAX_VALUE = 200
_MAX_OBJECTS = 500
_ACTIVE_KEY = "confapp.eventlog.recorder"


def _logged_column(model: type, key: str) -> bool:
    if key in _NOISE or key in getattr(model, "__log_exclude__", ()):
        return False
    return not any(part in key for part in _SECRET_PARTS)


def _plain(value: Any) -> Any:
    """A JSON-safe, short rendering of a column value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def object_label(obj: Any) -> str:
    """A short human name for a row: its title, name or e-mail, else its type and id."""
    for attr in ("title", "full_name", "name", "label", "email"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return _plain(value)
    return f"{type(obj).__name__} {getattr(obj, 'id', '')}".strip()


def _table(obj: Any) -> str:
    return type(obj).__tablename__


@dataclasses.dataclass
class _Change:
    obj: Any
    op: str  # create | update | delete
    fields: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    label: str = ""
    ident: int | None = None


class Recorder:
    """Collects what one action changes in the session and writes it as one log entry."""

    def __init__(
        self,
        *,
        event_id: int | None,
        actor: Any,
        actor_role: str,
        kind: str,
        via: str = "web",
        session: orm.Session | None = None,
    ) -> None:
        self.session = session or db.session()
        self.event_id = event_id
        self.actor = actor
        self.actor_role = actor_role
        self.kind = kind
        self.via = via
        self.detail = ""
        self.subject: Any = None
        self._changes: dict[int, _Change] = {}
        self._listening = False

    # --- watching the session -----------------------------------------------------------

    def __enter__(self) -> Recorder:
        sa.event.listen(self.session, "before_flush", self._before_flush)
        self.session.info[_ACTIVE_KEY] = self
        self._listening = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop watching the session (idempotent)."""
        if self._listening:
            sa.event.remove(self.session, "before_flush", self._before_flush)
            if self.session.info.get(_ACTIVE_KEY) is self:
                del self.session.info[_ACTIVE_KEY]
            self._listening = False

    def note(self, obj: Any, fields: dict[str, tuple[Any, Any]]) -> None:
        """Record changes made by a Core UPDATE, which the session never sees as dirty."""
        change = self._changes.setdefault(id(obj), _Change(obj, "update"))
        for key, (old, new) in fields.items():
            if not _logged_column(type(obj), key):
                continue
            if key in change.fields:
                change.fields[key][1] = _plain(new)
            else:
                change.fields[key] = [_plain(old), _plain(new)]

    def _before_flush(self, session: orm.Session, _context: Any, _instances: Any) -> None:
        for obj in session.new:
            if self._watched(obj) and id(obj) not in self._changes:
                self._changes[id(obj)] = _Change(obj, "create")
        for obj in session.dirty:
            if self._watched(obj):
                self._note_update(obj)
        for obj in session.deleted:
            if self._watched(obj):
                change = self._changes.get(id(obj))
                if change is not None and change.op == "create":
                    del self._changes[id(obj)]  # made and unmade within one action
                    continue
                self._changes[id(obj)] = _Change(
                    obj, "delete", label=object_label(obj), ident=getattr(obj, "id", None)
                )

    @staticmethod
    def _watched(obj: Any) -> bool:
        return getattr(type(obj), "__log__", True) and hasattr(type(obj), "__tablename__")

    def _note_update(self, obj: Any) -> None:
        state = sa.inspect(obj)
        change = self._changes.get(id(obj))
        if change is not None and change.op != "update":
            return  # a row created in this action is logged with its final values
        found: dict[str, list[Any]] = {}
        unknown: list[Any] = []
        for attr in state.mapper.column_attrs:
            key = attr.key
            if not _logged_column(type(obj), key):
                continue
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            new = history.added[0] if history.added else None
            if history.deleted:
                found[key] = [_plain(history.deleted[0]), _plain(new)]
            else:
                # Set without being loaded first (expired after a commit): read the stored
                # value, which is still the one from before this flush.
                found[key] = [None, _plain(new)]
                unknown.append(attr)
        if unknown and state.identity is not None:
            self._read_stored(state, unknown, found)
        found = {key: pair for key, pair in found.items() if pair[0] != pair[1]}
        if not found:
            return
        if change is None:
            change = self._changes[id(obj)] = _Change(obj, "update")
        for key, (old, new) in found.items():
            if key in change.fields:
                change.fields[key][1] = new  # keep the value from before the action
            else:
                change.fields[key] = [old, new]

    def _read_stored(self, state: Any, attrs: list[Any], found: dict[str, list[Any]]) -> None:
        mapper = state.mapper
        condition = sa.and_(
            *(col == value for col, value in zip(mapper.primary_key, state.identity, strict=True))
        )
        with self.session.no_autoflush:
            row = self.session.execute(
                sa.select(*(a.columns[0] for a in attrs)).where(condition)
            ).first()
        if row is not None:
            for attr, value in zip(attrs, row, strict=True):
                found[attr.key][0] = _plain(value)

    # --- writing the entry --------------------------------------------------------------

    def set_subject(self, obj: Any, detail: str | None = None) -> None:
        """Name the object the action was about (a registration, a session...)."""
        self.subject = obj
        if detail is not None:
            self.detail = detail

    def finish(self) -> EventLogEntry | None:
        """Flush, then add the entry for what changed; None when nothing did."""
        self.session.flush()
        self.stop()
        changes = [c for c in self._changes.values() if self._keep(c)]
        if not changes:
            return None
        rows = [self._row(c) for c in changes[:_MAX_OBJECTS]]
        subject = self.subject if self.subject is not None else changes[0].obj
        entry = EventLogEntry(
            event_id=self.event_id,
            actor_id=getattr(self.actor, "id", None),
            actor_name=getattr(self.actor, "full_name", "") or getattr(self.actor, "email", ""),
            actor_role=self.actor_role,
            kind=self.kind,
            detail=self.detail,
            via=self.via,
            subject_type=_table(subject) if hasattr(type(subject), "__tablename__") else None,
            subject_id=getattr(subject, "id", None),
            subject_label=object_label(subject),
            changes=rows,
        )
        if len(changes) > _MAX_OBJECTS:
            entry.detail = (entry.detail + f" (+{len(changes) - _MAX_OBJECTS} more)").strip()
        targets = {(row["type"], row["id"]) for row in rows if row["id"] is not None}
        for c in changes:
            registration_id = getattr(c.obj, "registration_id", None)
            if isinstance(registration_id, int):
                targets.add(("registration", registration_id))
        if entry.subject_type and entry.subject_id:
            targets.add((entry.subject_type, entry.subject_id))
        entry.targets = [EventLogTarget(object_type=t, object_id=i) for t, i in sorted(targets)]
        self.session.add(entry)
        self.session.flush()
        return entry

    @staticmethod
    def _keep(change: _Change) -> bool:
        return change.op != "update" or bool(change.fields)

    def _row(self, change: _Change) -> dict[str, Any]:
        obj = change.obj
        if change.op == "create":
            state = sa.inspect(obj)
            fields = {
                a.key: [None, _plain(getattr(obj, a.key))]
                for a in state.mapper.column_attrs
                if a.key != "id"
                and _logged_column(type(obj), a.key)
                and getattr(obj, a.key) not in (None, "")
            }
            return {
                "type": _table(obj),
                "id": getattr(obj, "id", None),
                "label": object_label(obj),
                "op": "create",
                "fields": fields,
            }
        ident = change.ident if change.op == "delete" else getattr(obj, "id", None)
        label = change.label or object_label(obj)
        return {
            "type": _table(obj),
            "id": ident,
            "label": label,
            "op": change.op,
            "fields": change.fields,
        }


def note_change(obj: Any, **fields: tuple[Any, Any]) -> None:
    """Tell the action's recorder (if any) about a change made with a conditional Core
    UPDATE, e.g. ``note_change(reg, status=(old, new))``; the ORM cannot see those."""
    recorder = db.session().info.get(_ACTIVE_KEY)
    if recorder is not None:
        recorder.note(obj, fields)


# --- reading ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LogFilters:
    """What the organiser narrowed the log to."""

    kind: str = ""
    actor_id: int | None = None
    object_type: str = ""
    object_id: int | None = None


def entries_for_event(
    event_id: int, filters: LogFilters, *, page: int = 1, per_page: int = 50
) -> tuple[list[EventLogEntry], int]:
    """One page of an event's log, newest first, and the number of matching entries."""
    stmt = sa.select(EventLogEntry).where(EventLogEntry.event_id == event_id)
    if filters.kind:
        stmt = stmt.where(EventLogEntry.kind.startswith(filters.kind, autoescape=True))
    if filters.actor_id is not None:
        stmt = stmt.where(EventLogEntry.actor_id == filters.actor_id)
    if filters.object_type and filters.object_id is not None:
        stmt = stmt.where(
            EventLogEntry.id.in_(
                sa.select(EventLogTarget.entry_id).where(
                    EventLogTarget.object_type == filters.object_type,
                    EventLogTarget.object_id == filters.object_id,
                )
            )
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(EventLogEntry.at.desc(), EventLogEntry.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return list(rows), total


def history_of(event_id: int, object_type: str, object_id: int) -> list[EventLogEntry]:
    """Every entry of the event that touched one object, newest first."""
    entries, _ = entries_for_event(
        event_id, LogFilters(object_type=object_type, object_id=object_id), per_page=500
    )
    return entries


def kinds_in_log(event_id: int) -> list[str]:
    """The kinds of action the event's log holds, for the filter list."""
    return list(
        db.session.scalars(
            sa.select(EventLogEntry.kind)
            .where(EventLogEntry.event_id == event_id)
            .distinct()
            .order_by(EventLogEntry.kind)
        )
    )


def actors_in_log(event_id: int) -> list[tuple[int, str]]:
    """The people who appear in the event's log (id, name), for the filter list."""
    rows = db.session.execute(
        sa.select(EventLogEntry.actor_id, sa.func.max(EventLogEntry.actor_name))
        .where(EventLogEntry.event_id == event_id, EventLogEntry.actor_id.is_not(None))
        .group_by(EventLogEntry.actor_id)
        .order_by(sa.func.max(EventLogEntry.actor_name))
    )
    return [(actor_id, name) for actor_id, name in rows]


def iter_changes(entry: EventLogEntry) -> Iterator[tuple[str, str, str, Any, Any]]:
    """(object label, op, field, before, after) rows of an entry, for display."""
    for row in entry.changes or []:
        if not row.get("fields"):
            yield row.get("label", ""), row.get("op", ""), "", None, None
        for name, (old, new) in (row.get("fields") or {}).items():
            yield row.get("label", ""), row.get("op", ""), name, old, new


def caller_role(user: Any, event: Any) -> str:
    """The caller's strongest standing for the event, as written in the log."""
    if user is None:
        return "visitor"
    kind = user.role_for(event) if event is not None else None
    if kind is not None:
        return kind.value
    return "admin" if user.is_admin else "signed_in"
