"""The database kernel: the declarative base and its naming convention, the
Flask-SQLAlchemy handle, and the column types every model shares (UTC instants, enums
stored as their string values)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC on every database.

    SQLite has no time zone type and would hand back naive datetimes; this type
    refuses naive input and always returns aware UTC values, so comparisons and the
    audit hashes are the same on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: every instant carries a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Every primary key is an INTEGER column: 32 bits on PostgreSQL. A larger number names no
# row; passed on to the database it would overflow (a 500), so it is refused before.
MAX_ID = 2**31 - 1


def parse_id(raw: object) -> int | None:
    """A row id typed into a form or a query string, or ``None`` when it cannot be one
    (not digits, zero, or beyond :data:`MAX_ID`)."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def enum_column(cls: type, length: int = 32) -> Enum:
    """An enum stored as its values' strings (no database enum type: adding a member needs
    no migration of a type, only of the data)."""
    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
