"""The figures of the inspector's page (``antq report``): a year's standings, the same standings
over the years before it, models by field, and the flags an inspector must look at."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, select

from projections.reports import mediation_rows, unit_names, years_with_facts
from projections.schema import award_facts
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
OPEN_CASE_DAYS = 30  # default: a case still open this long after receipt is flagged


@dataclass(frozen=True)
class Flag:
    """Something an inspector must look at: ``rule`` broken by ``subject`` (a unit code, an
    award decision or a mediation case), with the date and detail that show it."""

    rule: str  # commune_below_70_percent, recognition_annulled, award_annulled, case_open_too_long
    subject: str
    name: str | None
    on: date | None
    detail: str | None


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
    reference_date: date  # cases are judged open too long as of this date
    open_days: int


def inspect(
    engine: Engine,
    year: int,
    scope: str | None,
    point: Point,
    open_days: int = OPEN_CASE_DAYS,
) -> Inspection:
    """Read the page's figures for ``year`` and ``scope`` at ``point``."""
    earlier = [y for y in years_with_facts(engine) if y < year]
    years = [*earlier[max(0, len(earlier) - YEARS_SHOWN + 1) :], year]
    history = {y: standings(engine, y, scope, point) for y in years}
    reference = min(d for d in (point.as_of, date(year, 12, 31)) if d is not None)
    with engine.connect() as connection:
        area = resolve_scope(connection, scope, point)
        names = unit_names(connection, point)
        flags = [
            Flag(flag["rule"], flag["unit"], names.get(flag["unit"]), None, None)
            for flag in history[year]["safety"]["flags"]
        ]
        flags += _annulled_recognitions(connection, year, area, point, names)
        flags += _annulled_awards(connection, year, area, point)
        for y in years:
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


def _annulled_recognitions(
    connection: Connection, year: int, area: Scope, point: Point, names: dict[str, str]
) -> list[Flag]:
    latest = safety_latest(connection, year, point)
    return [
        Flag("recognition_annulled", row.unit, names.get(row.unit), row.effective_on, row.decision)
        for row in sorted(latest, key=lambda r: r.unit)
        if row.status == "annulled" and row.unit in area
    ]


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
    return [
        Flag(
            "award_annulled",
            found.decisions[key].decision,
            found.decisions[key].issuer,
            annulled_on.get(key),
            found.decisions[key].form,
        )
        for key in annulled
    ]


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
