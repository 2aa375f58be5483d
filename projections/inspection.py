"""The figures of the inspector's page (``antq report``): a year's standings, the same standings
over the years before it, models by field, and the flags an inspector must look at."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select

from projections.reports import mediation_rows, unit_names, years_with_facts
from projections.schema import award_facts, safety_facts
from projections.standings import (
    Point,
    Scope,
    award_lines,
    model_states,
    resolve_scope,
    safety_latest,
    standings,
)

YEARS_SHOWN = 10  # the series run over at most this many years up to the report's year


@dataclass(frozen=True)
class Flag:
    """Something an inspector must look at: ``rule`` broken by ``subject``, with what shows it.

    commune_below_70_percent: a commune; ``detail`` its recognised/registered areas ("1/3").
    recognition_annulled: a unit; ``on`` the annulment's date, ``detail`` the decision annulled.
    award_annulled: a decision; ``name`` its issuer, ``on`` the annulment's date, ``detail`` its
    form. case_open_too_long: "UNIT CASE"; ``on`` the date received, ``detail`` the days open.
    """

    rule: str
    subject: str
    name: str | None = None
    on: date | None = None
    detail: str | None = None


@dataclass(frozen=True)
class FieldCount:
    """Active self-management models of one field, and their sites in scope."""

    field: str
    models: int
    sites: int


@dataclass(frozen=True)
class Inspection:
    """Everything the page shows, read at one point of both time axes."""

    year: int
    scope: str | None
    scope_name: str | None
    point: Point
    standings: dict[str, Any]
    history: dict[int, dict[str, Any]]  # standings of each year shown, the report's year last
    fields: list[FieldCount]
    flags: list[Flag]
    reference_date: date  # names are as of this date, and open cases are judged at it
    open_days: int


def inspect(
    engine: Engine, year: int, scope: str | None, point: Point, open_days: int
) -> Inspection:
    """Read the page's figures for ``year`` and ``scope`` at ``point``; a mediation case open
    more than ``open_days`` days is flagged."""
    reference = min(d for d in (point.as_of, date(year, 12, 31)) if d is not None)
    earlier = [y for y in years_with_facts(engine) if y < year]
    history = {y: standings(engine, y, scope, point) for y in earlier}
    shown = [y for y in earlier if has_figures(history[y])][-(YEARS_SHOWN - 1) :]
    history = {y: history[y] for y in shown} | {year: standings(engine, year, scope, point)}
    with engine.connect() as connection:
        area = resolve_scope(connection, scope, point)
        names = unit_names(connection, Point(reference, point.known_at, point.through))
        flagged = [flag["unit"] for flag in history[year]["safety"]["flags"]]
        flags = _communes_below_70_percent(connection, year, area, point, names, flagged)
        flags += _annulled_recognitions(connection, year, area, point, names)
        flags += _annulled_awards(connection, year, area, point)
        for y in [*earlier, year]:  # an old case still open is the most overdue of all
            flags += _cases_open_too_long(connection, y, area, point, names, reference, open_days)
        fields = _fields(connection, year, area, point)
    return Inspection(
        year=year,
        scope=scope,
        scope_name=names.get(scope) if scope else None,
        point=point,
        standings=history[year],
        history=history,
        fields=fields,
        flags=flags,
        reference_date=reference,
        open_days=open_days,
    )


def has_figures(result: dict[str, Any]) -> bool:
    """Whether a year's standings hold anything visible at the point they were read at."""
    safety = any(result["safety"][group]["registered"] for group in ("residential_area",
                 "commune", "organisation"))  # fmt: skip
    return safety or bool(result["awards"]) or bool(result["mediation"]["received"])


def _communes_below_70_percent(
    connection: Connection,
    year: int,
    area: Scope,
    point: Point,
    names: dict[str, str],
    flagged: list[str],
) -> list[Flag]:
    """The communes the standings flag, each with its share of recognised residential areas."""
    areas: defaultdict[str, list[str]] = defaultdict(list)
    for row in safety_latest(connection, year, point):
        if row.unit_kind == "residential_area" and row.unit in area and area.parents.get(row.unit):
            areas[area.parents[row.unit]].append(row.status)
    return [
        Flag("commune_below_70_percent", unit, names.get(unit), None,
             f"{areas[unit].count('recognised')}/{len(areas[unit])}")
        for unit in flagged
    ]  # fmt: skip


def _annulled_recognitions(
    connection: Connection, year: int, area: Scope, point: Point, names: dict[str, str]
) -> list[Flag]:
    # Each unit's decision annulled: its last recognition of the year (dict() keeps the last).
    recognised = dict(
        connection.execute(
            select(safety_facts.c.unit, safety_facts.c.decision)
            .where(
                safety_facts.c.year == year,
                safety_facts.c.status == "recognised",
                *point.visible(safety_facts),
            )
            .order_by(safety_facts.c.position)
        ).all()
    )
    return [
        Flag("recognition_annulled", row.unit, names.get(row.unit), row.effective_on,
             recognised.get(row.unit))
        for row in sorted(safety_latest(connection, year, point), key=lambda r: r.unit)
        if row.status == "annulled" and row.unit in area
    ]  # fmt: skip


def _annulled_awards(connection: Connection, year: int, area: Scope, point: Point) -> list[Flag]:
    found = award_lines(connection, year, point)
    in_scope = {line.award for line in found.lines if line.unit in area}
    annulled = sorted(found.annulled & in_scope, key=lambda key: found.decisions[key].position)
    annulled_on = dict(
        connection.execute(
            select(award_facts.c.record_id, award_facts.c.effective_on).where(
                award_facts.c.event == "annulled",
                award_facts.c.record_id.in_(annulled),
                *point.visible(award_facts),
            )
        ).all()
    )
    flags = []
    for key in annulled:
        decision = found.decisions[key]
        flags.append(Flag("award_annulled", decision.decision, decision.issuer,
                          annulled_on.get(key), decision.form))  # fmt: skip
    return flags


def _cases_open_too_long(
    connection: Connection,
    year: int,
    area: Scope,
    point: Point,
    names: dict[str, str],
    reference: date,
    open_days: int,
) -> list[Flag]:
    """Cases received in ``year``, still open at ``point``, received over ``open_days`` days
    before ``reference``."""
    flags = []
    for row in mediation_rows(connection, year, area, point):
        received = row["received_on"]
        if row["status"] == "open" and received and (reference - received).days > open_days:
            days = (reference - received).days
            subject = f"{row['unit']} {row['case_no']}"
            flags.append(
                Flag("case_open_too_long", subject, names.get(row["unit"]), received, str(days))
            )
    return flags


def _fields(connection: Connection, year: int, area: Scope, point: Point) -> list[FieldCount]:
    models: defaultdict[str, int] = defaultdict(int)
    sites: defaultdict[str, int] = defaultdict(int)
    for model in model_states(connection, year, area, point).values():
        if model["active"]:
            models[model["field"]] += 1
            sites[model["field"]] += sum(1 for site in model["sites"] if site in area)
    return [FieldCount(field, models[field], sites[field]) for field in sorted(models)]
