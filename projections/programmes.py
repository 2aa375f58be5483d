"""Coordination programme facts (programmes as signed, amended and ended; their aliases), and the
programmes in force in a year and scope, for standings and the export."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ledger.programmes import CoordinationProgramme, in_force
from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import (
    ProgrammeAliasFact,
    ProgrammeFact,
    programme_aliases,
    programme_facts,
)


class ProgrammesModel(ReadModel):
    name = "programmes"
    facts = programme_facts  # one row per signing, amendment and end: the programme after it

    def define_handlers(self) -> dict[type, Handler]:
        return {
            CoordinationProgramme.Signed: self.signed,
            CoordinationProgramme.AliasAdded: self.alias_added,
            CoordinationProgramme.Amended: self.amended,
            CoordinationProgramme.Ended: self.ended,
        }

    def signed(self, event: Any, common: Common, rows: Rows) -> None:
        fact = ProgrammeFact(
            event.citation,
            "signed",
            event.title,
            _json(event.parties),
            event.period_from,
            event.period_to,
            _json(event.content_areas),
            event.implements,
            event.scope,
            event.effective_on,
            None,
        )
        self.add(rows, common, fact)

    def alias_added(self, event: Any, common: Common, rows: Rows) -> None:
        citation = self.latest(event.originator_id).citation
        self.add(rows, common, ProgrammeAliasFact(citation, event.alias), programme_aliases)

    def amended(self, event: Any, common: Common, rows: Rows) -> None:
        before = self.latest(event.originator_id)
        areas = before.content_areas if event.content_areas is None else _json(event.content_areas)
        fact = before._replace(
            event="amended",
            content_areas=areas,
            period_from=event.period_from or before.period_from,
            period_to=event.period_to or before.period_to,
        )
        self.add(rows, common, fact)

    def ended(self, event: Any, common: Common, rows: Rows) -> None:
        before = self.latest(event.originator_id)
        self.add(rows, common, before._replace(event="ended", reason=event.reason))


def _json(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)


@dataclass
class Programme:
    """A programme as it stood at a point: what the export and standings show."""

    citation: str
    title: str | None
    signed_on: date
    parties: list[str]
    period_from: str | None
    period_to: str | None
    content_areas: list[str]
    implements: str | None
    scope: str | None
    ended_on: date | None
    reason: str | None
    aliases: list[str] = field(default_factory=list)

    def in_force(self, year: int) -> bool:
        return in_force(
            self.signed_on,
            self.period_from,
            self.period_to,
            self.ended_on,
            date(year, 1, 1),
            date(year, 12, 31),
        )

    @property
    def period(self) -> str:
        if not (self.period_from or self.period_to):
            return ""
        return f"{_bound(self.period_from) or '…'} – {_bound(self.period_to) or '…'}"


def _bound(value: str | None) -> str | None:
    if value is None or len(value) == 4:
        return value
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def programmes(connection: Connection, point: Any, until: date | None = None) -> list[Programme]:
    """Every programme visible at ``point`` (facts in force by ``until`` too), with the aliases
    known at ``point``, in the order they were signed."""
    facts = connection.execute(
        select(programme_facts)
        .where(*point.visible(programme_facts, until=until))
        .order_by(programme_facts.c.position)
    )
    found: dict[str, Programme] = {}
    for row in facts:  # the latest fact of each programme wins
        found[row.record_id] = Programme(
            row.citation,
            row.title,
            row.signed_on,
            json.loads(row.parties),
            row.period_from,
            row.period_to,
            json.loads(row.content_areas),
            row.implements,
            row.scope,
            row.effective_on if row.event == "ended" else None,
            row.reason,
        )
    aliases = connection.execute(
        select(programme_aliases.c.record_id, programme_aliases.c.alias)
        .where(*point.visible(programme_aliases))
        .order_by(programme_aliases.c.position)
    )
    for record_id, alias in aliases:
        if record_id in found:
            found[record_id].aliases.append(alias)
    return sorted(found.values(), key=lambda p: (p.signed_on, p.citation))


def applies_in(programme: Programme, area: Any) -> bool:
    """Whether a programme applies in a scope: nationwide (no scope unit), or its scope unit is
    in the scope, or above it (a provincial programme applies in each of its communes)."""
    if area.code is None or programme.scope is None or programme.scope in area:
        return True
    above, seen = area.parents.get(area.code), set()
    while above and above not in seen:
        if above == programme.scope:
            return True
        seen.add(above)
        above = area.parents.get(above)
    return False


def programmes_in_force(connection: Connection, year: int, area: Any, point: Any) -> dict:
    """The ``programmes`` part of the standings: programmes in force in ``year`` in scope."""
    found = [
        p
        for p in programmes(connection, point, until=date(year, 12, 31))
        if p.in_force(year) and applies_in(p, area)
    ]
    return {
        "in_force": len(found),
        "citations": [p.citation for p in found],
        "aliases": {p.citation: p.aliases for p in found if p.aliases},
    }


def programme_rows(connection: Connection, area: Any, point: Any) -> list[dict[str, Any]]:
    """One export row per programme that applies in scope, as it stood at ``point``."""
    return [
        {
            "citation": p.citation,
            "signed_on": p.signed_on,
            "title": p.title,
            "parties": "; ".join(p.parties),
            "period": p.period,
            "content_areas": "; ".join(p.content_areas),
            "implements": p.implements,
            "aliases": "; ".join(p.aliases),
            "scope": p.scope,
            "ended_on": p.ended_on,
        }
        for p in programmes(connection, point)
        if applies_in(p, area)
    ]
