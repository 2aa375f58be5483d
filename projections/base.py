"""What every read model shares: fact rows from events, and a bounded memory of each record's
latest fact (recalled from the log when forgotten)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Table

from projections.schema import RECORD_ID

Row = tuple[Any, ...]  # a table's columns, in its order
Rows = defaultdict[Table, list[Row]]
# An event's values of the columns every fact row begins with (schema.COMMON_COLUMNS), in the
# database's storage form.
Common = tuple[Any, ...]
Handler = Callable[[Any, Common, Rows], None]
REMEMBERED_RECORDS = (
    10_000  # per read model and generation; older records are recalled from the log
)


class _Unwritten(dict):
    """Rows that are never written: every table's list is a fresh, forgotten one."""

    def __missing__(self, table: Table) -> list[Row]:
        return []


# Where a handler's rows go when it only updates what its model remembers (recalling a record,
# or re-applying an event the model had already projected).
UNWRITTEN: Rows = _Unwritten()  # type: ignore[assignment]


def utc(moment: datetime) -> datetime:
    """A recording time as naive UTC, the form the read models store and compare."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class ReadModel(ABC):
    """A named read model: tables it owns, and a handler per event class it projects."""

    name: str
    facts: Table  # the table holding one fact per record event, for ``latest``
    takes_unclaimed = False  # whether it projects only the events no other model does

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Two generations of remembered facts: records touched lately, and those touched in the
        # generation before. A record forgotten by both is recalled from the log.
        self._latest: dict[str, Any] = {}
        self._older: dict[str, Any] = {}
        self.handlers: dict[type, Handler] = self.define_handlers()

    @abstractmethod
    def define_handlers(self) -> dict[type, Handler]:
        """The handler of each event class this model projects."""

    def handler_for(self, event_class: type) -> Handler | None:
        """The handler of events of this class, or None when this model ignores them."""
        return self.handlers.get(event_class)

    def add(self, rows: Rows, common: Common, fact: tuple, table: Table | None = None) -> None:
        """Queue the row ``common + fact`` for insertion into ``table`` (by default the model's
        facts, whose ``fact`` is then remembered as the record's latest)."""
        if table is None:
            table = self.facts
            self._latest[common[RECORD_ID]] = fact
        rows[table].append(common + fact)

    def trim(self) -> None:
        """Between batches, once the young generation is full, forget the older one; the
        projector recalls a forgotten record by replaying its earlier events from the log."""
        if len(self._latest) > REMEMBERED_RECORDS:
            self._older, self._latest = self._latest, {}

    def remembers(self, record_id: str) -> bool:
        """Whether this model holds the latest fact of the record (hex id)."""
        return record_id in self._latest or record_id in self._older

    def latest(self, record_id: UUID) -> Any:
        """The record's latest fact, a row type of ``schema`` (the projector recalled it if it
        had been forgotten)."""
        key = record_id.hex
        found = self._latest.get(key)
        return self._older[key] if found is None else found

    def forget(self) -> None:
        """Drop remembered facts (after a rolled-back batch)."""
        self._latest.clear()
        self._older.clear()
