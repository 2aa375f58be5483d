"""What every read query stands on: a point on the two time axes, the units a report covers,
and the latest fact of each record. Shared by the standings and every family's read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, func, select

from projections.base import utc


@dataclass(frozen=True)
class Point:
    """Where on the two time axes a report stands: a legal date and a moment of knowledge;
    ``through`` bounds it to a log position, so every part of a report reads the same log."""

    as_of: date | None = None
    known_at: datetime | None = None
    through: int | None = None

    def visible(self, table: Table, until: date | None = None) -> list[Any]:
        """Conditions keeping the facts in force by ``as_of`` (or ``until``) and known by then."""
        cut = min(d for d in (self.as_of, until) if d) if (self.as_of or until) else None
        conditions = []
        if cut is not None:
            conditions.append(table.c.effective_on <= cut)
        if self.known_at is not None:
            conditions.append(table.c.recorded_at <= utc(self.known_at))
        if self.through is not None:
            conditions.append(table.c.position <= self.through)
        return conditions


@dataclass(frozen=True)
class Scope:
    """The units a report covers: ``own`` below the scope unit, ``inherited`` through merges."""

    code: str | None
    own: frozenset[str]
    inherited: frozenset[str]
    parents: dict[str, str | None]

    def __contains__(self, code: str) -> bool:
        return self.code is None or code in self.own or code in self.inherited


def latest_facts(
    connection: Connection, table: Table, keys: tuple[Any, ...], *conditions: Any
) -> list[Any]:
    """The latest fact of each record (named by ``keys``) among facts matching ``conditions``."""
    last = (
        select(*keys, func.max(table.c.position).label("last"))
        .where(and_(*conditions))
        .group_by(*keys)
        .subquery()
    )
    same = [table.c.position == last.c.last, *(key == last.c[key.name] for key in keys)]
    return list(connection.execute(select(table).join(last, and_(*same))))
