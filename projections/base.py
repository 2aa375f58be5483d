"""What every read model shares: fact rows from events, and a bounded memory of each record's
latest fact (read back from the model's own table when forgotten)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, DateTime, Engine, Table

Rows = defaultdict[Table, list[dict[str, Any]]]
Fact = dict[str, Any]  # the columns every fact row shares, in the database's storage form
Handler = Callable[[Any, Fact, Rows], None]
PREFETCH_CHUNK = 500
REMEMBERED_RECORDS = 20_000  # per read model; beyond this, facts are read back from the table


def utc(moment: datetime) -> datetime:
    """A recording time as naive UTC, the form the read models store and compare."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def fact(common: Fact, /, **columns: Any) -> dict[str, Any]:
    """A fact row: the event's common columns (position, legal date, recording time, record
    id) plus ``columns``."""
    return {**common, **columns}


class ReadModel(ABC):
    """A named read model: tables it owns, and a handler per event class it projects."""

    name: str
    facts: Table  # the table holding one fact per record event, for ``latest``

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._latest: dict[str, dict[str, Any]] = {}
        self.handlers: dict[type, Handler] = self.define_handlers()

    @abstractmethod
    def define_handlers(self) -> dict[type, Handler]:
        """The handler of each event class this model projects."""

    def handler_for(self, event_class: type) -> Handler | None:
        """The handler of events of this class, or None when this model ignores them."""
        return self.handlers.get(event_class)

    def add(self, rows: Rows, row: dict[str, Any], table: Table | None = None) -> None:
        """Queue ``row`` for insertion and remember it as its record's latest fact."""
        table = self.facts if table is None else table
        rows[table].append(row)
        if table is self.facts:
            self._latest[row["record_id"]] = row

    def trim(self) -> None:
        """Forget remembered facts once there are too many. Only between batches: a fact of
        the batch being built is not in the table yet, so it cannot be read back."""
        if len(self._latest) > REMEMBERED_RECORDS:
            self._latest.clear()

    def prefetch(self, record_ids: set[str]) -> None:
        """Read back, in a few queries, the latest facts of records this model forgot."""
        missing = [key for key in record_ids if key not in self._latest]
        if not missing:
            return
        names = [column.name for column in self._kept_columns()]
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        table = self.facts.name
        with self.engine.connect() as connection:
            for start in range(0, len(missing), PREFETCH_CHUNK):
                chunk = missing[start : start + PREFETCH_CHUNK]
                # Driver-level SQL: SQLAlchemy's per-row result processing would cost more
                # than the lookups themselves.
                statement = (
                    f"SELECT {', '.join('f.' + name for name in names)} FROM {table} f JOIN "
                    f"(SELECT MAX(position) AS last FROM {table} WHERE record_id IN "
                    f"({', '.join([mark] * len(chunk))}) GROUP BY record_id) l "
                    "ON f.position = l.last"
                )
                for values in connection.exec_driver_sql(statement, tuple(chunk)):
                    row = dict(zip(names, values, strict=True))
                    self._latest[row["record_id"]] = row

    def _kept_columns(self) -> list[Any]:
        """The columns a handler reads back: all but the dates, which come with each event."""
        return [c for c in self.facts.columns if not isinstance(c.type, Date | DateTime)]

    def latest(self, record_id: UUID) -> dict[str, Any]:
        """The record's latest fact, from memory or read back from the table."""
        key = record_id.hex
        if key not in self._latest:
            self.prefetch({key})
        return self._latest[key]

    def forget(self) -> None:
        """Drop remembered facts (after a rolled-back batch)."""
        self._latest.clear()
