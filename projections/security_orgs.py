"""Security organisations on the read side: one fact per event (the body as it stands after it),
the bodies standing at a year's end (or ``--as-of``) in a scope, counted per kind for the
standings, and the export report of the bodies.

A body stands on a day when it was established by then, not disbanded by then, and its unit had
not ended (merged or dissolved) by then: a body of an ended unit is no longer counted (the
successor's bodies are established on the successor)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ledger.commands import SecurityOrgKind
from ledger.security_orgs import KIND_LABELS, SecurityOrganisation
from projections.base import Common, Handler, ReadModel, Rows
from projections.facts import Point, Scope, latest_facts
from projections.schema import SecurityOrgFact, security_org_facts, unit_changes

KINDS = tuple(kind.value for kind in SecurityOrgKind)


class SecurityOrgsModel(ReadModel):
    name = "security_orgs"
    facts = security_org_facts

    def define_handlers(self) -> dict[type, Handler]:
        return {
            SecurityOrganisation.Established: self.established,
            SecurityOrganisation.Changed: self.changed,
            SecurityOrganisation.Disbanded: self.disbanded,
        }

    def established(self, event: Any, common: Common, rows: Rows) -> None:
        fact = SecurityOrgFact(
            event.unit,
            event.code,
            event.kind,
            event.name,
            event.members,
            event.households_covered,
            event.households_in_area,
            event.effective_on.isoformat(),
            "active",
            None,
        )
        self.add(rows, common, fact)

    def changed(self, event: Any, common: Common, rows: Rows) -> None:
        fact = self.latest(event.originator_id)._replace(
            members=event.members,
            households_covered=event.households_covered,
            households_in_area=event.households_in_area,
        )
        self.add(rows, common, fact)

    def disbanded(self, event: Any, common: Common, rows: Rows) -> None:
        fact = self.latest(event.originator_id)._replace(status="disbanded", reason=event.reason)
        self.add(rows, common, fact)


def org_states(connection: Connection, year: int, area: Scope, point: Point) -> list[Any]:
    """Each body of a unit in ``area`` as it stood at the end of ``year`` (or at ``as_of``, if
    earlier), with ``standing`` False once disbanded or once its unit ended; in unit, code
    order."""
    cut = date(year, 12, 31)
    table = security_org_facts
    latest = latest_facts(connection, table, (table.c.record_id,), *point.visible(table, until=cut))
    ends = select(unit_changes.c.code, unit_changes.c.effective_on).where(
        unit_changes.c.change.in_(("merged", "dissolved")),
        *point.visible(unit_changes, until=cut),
    )
    ended = dict(connection.execute(ends).all())
    found = []
    for row in sorted(latest, key=lambda r: (r.unit, r.code)):
        if row.unit not in area:
            continue
        unit_ended = ended.get(row.unit)
        status = row.status if unit_ended is None or row.status != "active" else "unit_ended"
        found.append((row, status, unit_ended))
    return found


def security_organisations(
    connection: Connection, year: int, area: Scope, point: Point
) -> dict[str, Any]:
    """Per kind, the bodies standing at the end of ``year`` (or ``as_of``) in ``area``: how many,
    their members, and the households they cover of those in their areas (the share as a ratio,
    over the bodies that give both)."""
    result: dict[str, Any] = {}
    standing = [row for row, status, _ in org_states(connection, year, area, point)
                if status == "active"]  # fmt: skip
    for kind in KINDS:
        bodies = [row for row in standing if row.kind == kind]
        with_area = [r for r in bodies if r.households_in_area and r.households_covered is not None]
        covered = sum(r.households_covered for r in with_area)
        in_area = sum(r.households_in_area for r in with_area)
        result[kind] = {
            "active": len(bodies),
            "members": sum(r.members for r in bodies),
            "households_covered": covered,
            "households_in_area": in_area,
            "coverage": round(covered / in_area, 4) if in_area else None,
            "coverage_percent": round(100 * covered / in_area, 2) if in_area else None,
        }
    return result


# --- the export report -----------------------------------------------------------------------


def security_org_rows(
    connection: Connection, year: int, area: Scope, point: Point
) -> list[dict[str, Any]]:
    """The ``security_orgs`` report: each body of a unit in scope, as it stood at the year's end."""
    rows = []
    for row, status, _ended in org_states(connection, year, area, point):
        in_area = row.households_in_area
        covered = row.households_covered
        rows.append(
            {
                "year": year,
                "unit": row.unit,
                "code": row.code,
                "kind": KIND_LABELS[row.kind][0],
                "name": row.name,
                "established_on": date.fromisoformat(row.established_on),
                "members": row.members,
                "households_covered": covered,
                "households_in_area": in_area,
                "coverage": round(covered / in_area, 4)
                if in_area and covered is not None
                else None,
                "status": status,
                "changed_on": row.effective_on,
                "source": row.source,
            }
        )
    return rows
