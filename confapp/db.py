"""Declarative base, naming convention, UTC datetimes and small column helpers."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import os
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import registry

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own busy waiting only
    fcntl = None

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Primary keys are INTEGER columns, 32-bit on PostgreSQL: no row can have a larger id, and
# asking the database for one fails (out of range) instead of finding nothing.
MAX_ID = 2**31 - 1


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite has no time zones and hands back naive values; normalising here means no
    other code has to care which database it runs on.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Base class of every model; a naming convention keeps Alembic names stable."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def str_enum(enum_cls: type[enum.Enum], length: int = 24) -> sa.Enum:
    """A portable enum column stored as its string values (VARCHAR + CHECK)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        name=enum_cls.__name__.lower(),
    )


class _WriterLine:
    """One process's place in the line for a SQLite file's writer lock."""

    def __init__(self, path: str) -> None:
        self.pid = os.getpid()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.threads = threading.Lock()  # flock() does not tell one process's threads apart


_lines: dict[str, _WriterLine] = {}
_lines_guard = threading.Lock()


def _writer_line(database: str) -> _WriterLine:
    with _lines_guard:
        line = _lines.get(database)
        if line is None or line.pid != os.getpid():
            # A forked worker must not share its parent's open file: its lock would be the parent's.
            line = _lines[database] = _WriterLine(database + "-writers")
        return line


@contextlib.contextmanager
def write_turn(conn: sa.Connection) -> Iterator[None]:
    """Wait in line for SQLite's one writer lock before writing; nothing on other databases.

    SQLite admits one writer at a time and the others poll it, sleeping 1, 2, 5, 10… ms
    between tries (its busy handler), so under several gunicorn workers a short write that
    has to wait sleeps many times longer than the lock is held. An flock on a file beside
    the database queues writers in the kernel instead, which wakes the next one the moment
    the lock is free. It only orders the writers that use it (the check-in hot path);
    SQLite's own locking still decides what is correct for every writer.
    """
    database = conn.engine.url.database
    if conn.dialect.name != "sqlite" or fcntl is None or database in (None, "", ":memory:"):
        yield
        return
    line = _writer_line(database)
    with line.threads:
        fcntl.flock(line.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(line.fd, fcntl.LOCK_UN)


def lock_and_reread(obj: object) -> bool:
    """Lock `obj`'s row until the transaction ends and read it again; False if it is gone.

    A change decided on values read before the lock can repeat one that has just committed
    (five identical submits at once would each log the same edit, or each delete the same
    row). Under the lock the repeat sees the committed values, so it changes nothing. On
    PostgreSQL the row is read FOR UPDATE; SQLite has one write lock for the database, which
    a write that matches no row takes.
    """
    from sqlalchemy import orm

    session = orm.object_session(obj)
    if session is None:
        return True
    if session.get_bind().dialect.name == "sqlite":
        table = sa.inspect(obj).mapper.local_table
        key = next(iter(table.primary_key.columns))
        session.execute(sa.update(table).where(sa.false()).values({key.name: key}))
    try:
        session.refresh(obj, with_for_update=True)
    except sa.exc.InvalidRequestError:  # the row was deleted meanwhile
        return False
    return True
