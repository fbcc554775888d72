"""Declarative base, naming convention, UTC datetimes and small column helpers."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import registry

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
