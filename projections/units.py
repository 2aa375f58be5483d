"""Administrative lineage: units as registered, then renamed, merged into successors, dissolved."""

from __future__ import annotations

from typing import Any

from ledger.units import AdminUnit
from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import Unit, UnitChange, unit_changes, units


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

    def registered(self, event: Any, common: Common, rows: Rows) -> None:
        self.add(rows, common, Unit(event.code, event.name, event.kind, event.parent))

    def renamed(self, event: Any, common: Common, rows: Rows) -> None:
        self._change(event, common, rows, "renamed", name=event.name)

    def merged(self, event: Any, common: Common, rows: Rows) -> None:
        self._change(event, common, rows, "merged", successor=event.into)

    def dissolved(self, event: Any, common: Common, rows: Rows) -> None:
        self._change(event, common, rows, "dissolved")

    def _change(
        self,
        event: Any,
        common: Common,
        rows: Rows,
        change: str,
        name: str | None = None,
        successor: str | None = None,
    ) -> None:
        code = self.latest(event.originator_id).code
        self.add(rows, common, UnitChange(code, change, name, successor), unit_changes)
