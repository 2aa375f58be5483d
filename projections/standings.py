"""Standings for a year and scope, on both time axes: the DESIGN's counting rules in one place."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select

from ledger.safety import COMMUNE_BELOW_70_PERCENT, COMMUNE_THRESHOLD
from ledger.values import ORGANISATION_KINDS, AwardLevel
from projections.classification import classification
from projections.facts import Point, Scope, latest_facts
from projections.programmes import programmes_in_force
from projections.schema import (
    award_decisions,
    award_facts,
    award_line_facts,
    mediation_facts,
    model_facts,
    safety_facts,
    unit_changes,
    units,
)
from projections.security_orgs import security_organisations
from projections.statistics import reported

SAFETY_GROUPS = {
    "residential_area": "residential_area",
    "commune": "commune",
    **dict.fromkeys(ORGANISATION_KINDS, "organisation"),
}
LEVELS = tuple(AwardLevel)
GROUP_ORDER = ("residential_area", "commune", "organisation")
EVERYTHING = Point()  # every fact in force and known: the default point of the standings


def standings(
    engine: Engine, year: int, scope: str | None = None, point: Point = EVERYTHING
) -> dict:
    """The standings of ``year`` for ``scope`` (every unit when None) at ``point``."""
    with engine.connect() as connection:
        area = resolve_scope(connection, scope, point)
        result: dict[str, Any] = {
            "scope": scope,
            "year": year,
            "as_of": point.as_of.isoformat() if point.as_of else None,
            "known_at": point.known_at.isoformat() if point.known_at else None,
            "safety": _safety(connection, year, area, point),
            "models": _models(connection, year, area, point),
            "awards": _awards(connection, year, area, point),
            "mediation": _mediation(connection, year, area, point),
            "programmes": programmes_in_force(connection, year, area, point),
        }
        # Security organisations standing at the year's end (counts only, never names).
        result["security_organisations"] = security_organisations(connection, year, area, point)
        # Figures documents report (aggregates), beside the ones counted above, never mixed.
        result["reported"] = reported(connection, year, area, point, result)
        # Movement classification (QĐ 510): graded units, counted apart from recognition.
        result["classification"] = classification(connection, year, area, point)
    if area.inherited:
        result["inherited_from"] = sorted(area.inherited)
    return result


def resolve_scope(connection: Connection, scope: str | None, point: Point) -> Scope:
    rows = connection.execute(
        select(units.c.code, units.c.kind, units.c.parent).where(*point.visible(units))
    ).all()
    kinds = {row.code: row.kind for row in rows}
    parents = {row.code: row.parent for row in rows}
    if scope is None:
        return Scope(None, frozenset(kinds), frozenset(), parents)
    children: defaultdict[str, list[str]] = defaultdict(list)
    for code, parent in parents.items():
        if parent:
            children[parent].append(code)
    merged_into: defaultdict[str, list[str]] = defaultdict(list)
    merges = select(unit_changes.c.code, unit_changes.c.successor).where(
        unit_changes.c.change == "merged", *point.visible(unit_changes)
    )
    for code, successor in connection.execute(merges):
        merged_into[successor].append(code)
    own = _below(scope, children)
    inherited: set[str] = set()
    frontier = list(own)
    while frontier:  # predecessors of anything in scope, and everything below them
        for predecessor in merged_into.get(frontier.pop(), []):
            added = _below(predecessor, children) - own - inherited
            inherited |= added
            frontier.extend(added)
    return Scope(scope, frozenset(own), frozenset(inherited), parents)


def _below(code: str, children: dict[str, list[str]]) -> set[str]:
    """``code`` and every unit under it."""
    found, frontier = {code}, [code]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def safety_latest(connection: Connection, year: int, point: Point) -> list[Any]:
    """Each unit's latest visible safety fact for ``year``."""
    return latest_facts(
        connection,
        safety_facts,
        (safety_facts.c.unit,),
        safety_facts.c.year == year,
        *point.visible(safety_facts),
    )


def _safety(connection: Connection, year: int, area: Scope, point: Point) -> dict[str, Any]:
    latest = safety_latest(connection, year, point)
    status = {row.unit: row.status for row in latest if row.unit in area}
    counts: dict[str, Counter[str]] = {g: Counter() for g in GROUP_ORDER}
    kinds = {row.unit: row.unit_kind for row in latest}
    for unit, state in status.items():
        group = counts[SAFETY_GROUPS[kinds[unit]]]
        group["registered"] += 1
        if state != "registered":  # pending: registered, not (or no longer) decided
            group[state] += 1
    result: dict[str, Any] = {
        group: {
            "registered": c["registered"],
            "recognised": c["recognised"],
            "denied": c["denied"],
            "annulled": c["annulled"],
            "ratio": round(c["recognised"] / c["registered"], 4) if c["registered"] else None,
        }
        for group, c in counts.items()
    }
    result["flags"] = _commune_flags(status, kinds, area)
    return result


def _commune_flags(status: dict[str, str], kinds: dict[str, str], area: Scope) -> list[dict]:
    """Recognised communes where under 70% of registered residential areas are recognised."""
    areas: defaultdict[str, list[str]] = defaultdict(list)
    for unit in status:
        if kinds[unit] == "residential_area" and area.parents.get(unit):
            areas[area.parents[unit]].append(status[unit])
    flags = []
    for unit in sorted(status):
        if kinds[unit] == "commune" and status[unit] == "recognised":
            states = areas.get(unit, [])
            if not states or states.count("recognised") / len(states) < COMMUNE_THRESHOLD:
                flags.append({"unit": unit, "rule": COMMUNE_BELOW_70_PERCENT})
    return flags


def model_states(
    connection: Connection, year: int, area: Scope, point: Point
) -> dict[str, dict[str, Any]]:
    """Each model in scope as it stood at the end of ``year`` (or at ``as_of``, if earlier):
    name, field, sites, whether active and recognised effective."""
    facts = connection.execute(
        select(model_facts)
        .where(*point.visible(model_facts, until=date(year, 12, 31)))
        .order_by(model_facts.c.position)
    )
    state: dict[str, dict[str, Any]] = {}
    for row in facts:
        model = state.setdefault(
            row.code,
            {
                "name": row.name,
                "field": row.field,
                "sites": [],
                "active": True,
                "recognised": False,
            },
        )
        if row.event in ("registered", "replicated"):
            model["sites"].append(row.unit)
        elif row.event == "recognised":
            model["recognised"] = True
        elif row.event == "dissolved":
            model["active"] = False
    return {code: m for code, m in state.items() if any(site in area for site in m["sites"])}


def _models(connection: Connection, year: int, area: Scope, point: Point) -> dict[str, Any]:
    active = [m for m in model_states(connection, year, area, point).values() if m["active"]]
    return {
        "active": len(active),
        "sites": sum(1 for m in active for site in m["sites"] if site in area),
        "recognised_effective": sum(1 for m in active if m["recognised"]),
        "by_field": dict(sorted(Counter(m["field"] for m in active).items())),
    }


@dataclass(frozen=True)
class AwardLines:
    """The award decisions of a year visible at a point, which are annulled, and their lines."""

    decisions: dict[str, Any]
    annulled: set[str]
    lines: list[Any]


def award_lines(connection: Connection, year: int, point: Point) -> AwardLines:
    """Decisions of ``year`` (by record id), the annulled ones, and each line's latest fact."""
    of_year = select(award_decisions).where(
        award_decisions.c.year == year, *point.visible(award_decisions)
    )
    decisions = {row.record_id: row for row in connection.execute(of_year)}
    # Subqueries, not lists of ids: a national year has more decisions than SQLite allows
    # query parameters.
    ids = of_year.with_only_columns(award_decisions.c.record_id).scalar_subquery()
    annulled = set(
        connection.scalars(
            select(award_facts.c.record_id).where(
                award_facts.c.event == "annulled",
                award_facts.c.record_id.in_(ids),
                *point.visible(award_facts),
            )
        )
    )
    lines = latest_facts(
        connection,
        award_line_facts,
        (award_line_facts.c.award, award_line_facts.c.line),
        award_line_facts.c.award.in_(ids),
        *point.visible(award_line_facts),
    )
    return AwardLines(decisions, annulled, lines)


def _awards(connection: Connection, year: int, area: Scope, point: Point) -> list[dict[str, Any]]:
    found = award_lines(connection, year, point)
    decided = {key: (row.level, row.form) for key, row in found.decisions.items()}
    annulled, lines = found.annulled, found.lines
    counts: Counter[tuple[str, str, str]] = Counter()
    for line in lines:
        if line.award not in annulled and line.unit in area:
            counts[(*decided[line.award], line.recipient)] += 1
    pairs = sorted({(lvl, frm) for lvl, frm, _ in counts}, key=lambda p: (LEVELS.index(p[0]), p[1]))
    return [
        {
            "level": level,
            "form": form,
            "collective": counts[(level, form, "collective")],
            "individual": counts[(level, form, "individual")],
        }
        for level, form in pairs
    ]


def cases_latest(connection: Connection, year: int, point: Point) -> list[Any]:
    """Each mediation case received in ``year``: its latest visible fact."""
    return latest_facts(
        connection,
        mediation_facts,
        (mediation_facts.c.record_id,),
        mediation_facts.c.received_year == year,
        *point.visible(mediation_facts),
    )


def _mediation(connection: Connection, year: int, area: Scope, point: Point) -> dict[str, int]:
    latest = cases_latest(connection, year, point)
    cases = [row for row in latest if row.unit in area]
    outcome = Counter(row.status for row in cases)
    return {
        "received": len(cases),
        "settled": outcome["settled"],
        "failed": outcome["failed"],
        "referred": outcome["referred"],
        "open": outcome["open"],
    }
