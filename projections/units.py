"""Administrative lineage: units as registered, then renamed, merged into successors, dissolved."""

from __future__ import annotations

from typing import Any

from ledger.units import AdminUnit
from projections.base import Fact, Handler, ReadModel, Rows, fact
from projections.schema import unit_changes, units


class UnitsModel(ReadModel):
    name = "units"
    facts = units  # one row per unit: what a change needs to know about its unit

    def define_handlers(self) -> dict[type, Handler]:
        return {
            AdminUnit.Registered: self.registered,
            AdminUnit.Renamed: self.renamed,
            AdminUnit.MergedInto: self.merged,
            AdminUnit.Dissolved: self.dissolved,
        }

    def registered(self, event: Any, common: Fact, rows: Rows) -> None:
        row = fact(common, code=event.code, name=event.name, kind=event.kind, parent=event.parent)
        self.add(rows, row)

    def renamed(self, event: Any, common: Fact, rows: Rows) -> None:
        self._change(event, common, rows, "renamed", name=event.name)

    def merged(self, event: Any, common: Fact, rows: Rows) -> None:
        self._change(event, common, rows, "merged", successor=event.into)

    def dissolved(self, event: Any, common: Fact, rows: Rows) -> None:
        self._change(event, common, rows, "dissolved")

    def _change(self, event: Any, common: Fact, rows: Rows, change: str, **columns: Any) -> None:
        code = self.latest(event.originator_id)["code"]
        self.add(rows, fact(common, code=code, change=change, **columns), unit_changes)
