"""Fast bulk inserts of fact rows: the columns every fact shares are put in the database's storage
form once per event, and each table gets one prepared statement run with the driver's
executemany. (SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself.)"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

from projections.base import Common, Row, utc


# Dates repeat across events, and all events of one import share a recording time: cache both.
@functools.lru_cache(maxsize=4096)
def _sqlite_day(day: date) -> str:
    return day.isoformat()


@functools.lru_cache(maxsize=4096)
def _sqlite_moment(moment: datetime) -> str:
    # The storage format of SQLAlchemy's SQLite DateTime type, which queries compare against.
    return utc(moment).isoformat(" ", "microseconds")


@functools.lru_cache(maxsize=256)
def _kind_and_type(event_class: type) -> tuple[str, str]:
    """("MediationCase", "Settled") for the event class MediationCase.Settled."""
    kind, _, name = event_class.__qualname__.rpartition(".")
    return kind, name


class FactWriter:
    """Builds the common columns of fact rows and inserts rows, for one database dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self._sqlite = dialect.name == "sqlite"
        self._mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._statements: dict[Table, str] = {}

    def common(self, event: Any, position: int) -> Common:
        """The values of the columns every fact of ``event`` begins with (schema.COMMON_COLUMNS):
        position, legal date, recording time (UTC), the record (id and kind), and the event's
        type, version, actor, role, source."""
        if self._sqlite:
            effective_on, recorded_at = (
                _sqlite_day(event.effective_on),
                _sqlite_moment(event.timestamp),
            )
        else:
            effective_on, recorded_at = event.effective_on, utc(event.timestamp)
        return (
            position,
            effective_on,
            recorded_at,
            event.originator_id.hex,
            *_kind_and_type(type(event)),
            event.originator_version,
            event.actor,
            event.role,
            event.source,
        )

    def insert(self, connection: Connection, table: Table, rows: list[Row]) -> None:
        """Insert ``rows`` (tuples in the table's column order)."""
        if table not in self._statements:
            names = ", ".join(column.name for column in table.columns)
            marks = ", ".join([self._mark] * len(table.columns))
            self._statements[table] = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
        connection.exec_driver_sql(self._statements[table], rows)
