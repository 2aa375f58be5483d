"""Reported statistics on the read side: one fact per event (the figure as it stands after it), the
figures a year's standings list, beside the figures the ledger counts for the same indicator, and
how a figure is written for people ("gần 54.307", "trên 80%", "hàng nghìn (từ 1.000)").

A reported figure is never added to a counted one: each item says which it is (``"kind"``:
``"reported"`` or ``"counted"``)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection

from ledger.indicators import INDICATORS, PERCENT, Indicator, Qualifier
from ledger.statistics import ReportedStatistic
from projections.base import Common, Handler, ReadModel, Rows
from projections.facts import Point, Scope, latest_facts
from projections.numbers import integer
from projections.schema import StatisticFact, statistic_facts

REPORTED, COUNTED = "reported", "counted"
ORDER = {indicator.value: n for n, indicator in enumerate(Indicator)}
WORDS = {  # a qualifier before the figure, in each language
    "about": ("gần", "about"),
    "over": ("trên", "over"),
    "under": ("dưới", "under"),
}


class StatisticsModel(ReadModel):
    name = "statistics"
    facts = statistic_facts

    def define_handlers(self) -> dict[type, Handler]:
        return {
            ReportedStatistic.Reported: self.reported,
            ReportedStatistic.Corrected: self.corrected,
            ReportedStatistic.Withdrawn: self.withdrawn,
        }

    def reported(self, event: Any, common: Common, rows: Rows) -> None:
        fact = StatisticFact(
            event.unit,
            event.indicator,
            event.period_from.isoformat(),
            event.period_to.isoformat(),
            event.value,
            event.qualifier,
            event.measure,
            event.reporting_body,
            event.source or "",
            "reported",
        )
        self.add(rows, common, fact)

    def corrected(self, event: Any, common: Common, rows: Rows) -> None:
        before = self.latest(event.originator_id)
        fact = before._replace(value=event.value, qualifier=event.qualifier, status="corrected")
        self.add(rows, common, fact)

    def withdrawn(self, event: Any, common: Common, rows: Rows) -> None:
        self.add(rows, common, self.latest(event.originator_id)._replace(status="withdrawn"))


# --- writing a figure ------------------------------------------------------------------------


def number_text(value: str, lang: str) -> str:
    """Exact decimal text as people write it: 54.307 and 98,3 in Vietnamese (54,307 and 98.3 in
    English), every digit kept."""
    whole, _, fraction = value.partition(".")
    mark = "," if lang == "vi" else "."
    return integer(int(whole), lang) + (mark + fraction if fraction else "")


def written(value: str | None, qualifier: str, measure: str, lang: str) -> str:
    """A figure with its qualifier: "gần 54.307", "trên 80%", "hàng nghìn (từ 1.000)"."""
    if value is None:
        return "—"
    number = number_text(value, lang) + ("%" if measure == PERCENT else "")
    if qualifier == Qualifier.thousands:
        return f"hàng nghìn (từ {number})" if lang == "vi" else f"thousands (at least {number})"
    words = WORDS.get(qualifier)
    return f"{words[0 if lang == 'vi' else 1]} {number}" if words else number


class Figure(str):
    """A figure in a report cell: its exact text for machines ("54307"), and ``written`` for
    people ("gần 54.307")."""

    qualifier: str
    measure: str

    def __new__(cls, value: str | None, qualifier: str, measure: str) -> Figure:
        figure = super().__new__(cls, value if value is not None else "")
        figure.qualifier, figure.measure = qualifier, measure
        return figure

    def written(self, lang: str) -> str:
        return written(str(self) or None, self.qualifier, self.measure, lang)


def indicator_label(indicator: str, lang: str) -> str:
    about = INDICATORS.get(Indicator(indicator)) if indicator in ORDER else None
    if about is None:
        return indicator
    return about.vi if lang == "vi" else about.en


# --- what the standings list -----------------------------------------------------------------


def statistics_latest(
    connection: Connection, point: Point, first: str | None = None, last: str | None = None
) -> list[Any]:
    """Each reported figure's latest visible fact, for the periods overlapping ``first`` to
    ``last`` (ISO dates), withdrawn ones included, in a fixed order."""
    table = statistic_facts
    overlap = []
    if last is not None:
        overlap.append(table.c.period_from <= last)
    if first is not None:
        overlap.append(table.c.period_to >= first)
    rows = latest_facts(connection, table, (table.c.record_id,), *overlap, *point.visible(table))
    return sorted(
        rows,
        key=lambda r: (ORDER.get(r.indicator, len(ORDER)), r.unit, r.period_from, r.period_to,
                       r.document, r.position),
    )  # fmt: skip


def reported(
    connection: Connection, year: int, area: Scope, point: Point, counted: dict[str, Any]
) -> list[dict[str, Any]]:
    """The figures reported for units in ``area`` over periods overlapping ``year`` (withdrawn
    ones left out), each indicator's reported figures followed by the figure the ledger counts
    for it (from ``counted``, the year's standings), when it counts one."""
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    items: list[dict[str, Any]] = []
    shown: list[str] = []
    for row in statistics_latest(connection, point, first, last):
        if row.status == "withdrawn" or row.unit not in area:
            continue
        items.append(
            {
                "kind": REPORTED,
                "indicator": row.indicator,
                "unit": row.unit,
                "period": {"from": row.period_from, "to": row.period_to},
                "value": row.value,
                "qualifier": row.qualifier,
                "written": written(row.value, row.qualifier, row.measure, "vi"),
                "measure": row.measure,
                "reporting_body": row.reporting_body,
                "source": row.document,
                "status": row.status,
                "dated": row.effective_on.isoformat(),
            }
        )
        if row.indicator not in shown:
            shown.append(row.indicator)
    result = []
    for indicator in shown:  # each indicator's reported figures, then its counted one
        result += [item for item in items if item["indicator"] == indicator]
        basis = INDICATORS[Indicator(indicator)].counted
        if basis is not None:
            result.append(_counted(indicator, basis, counted, area.code, first, last))
    return result


def _counted(
    indicator: str, basis: str, standings: dict[str, Any], scope: str | None, first: str, last: str
) -> dict[str, Any]:
    """The figure the ledger counts for ``indicator`` in the year's ``standings``."""
    about = INDICATORS[Indicator(indicator)]
    section, _, key = basis.partition(".")
    if basis == "safety.percent":
        groups = [standings["safety"][g] for g in ("residential_area", "commune", "organisation")]
        registered = sum(g["registered"] for g in groups)
        recognised = sum(g["recognised"] for g in groups)
        value = (
            _text((Decimal(100 * recognised) / registered).quantize(Decimal("0.01"), ROUND_HALF_UP))
            if registered
            else None
        )
    elif basis.count(".") > 1:  # a nested figure: security_organisations.security_team.active
        found: Any = standings
        for part in basis.split("."):
            found = found[part]
        value = None if found is None else _text(Decimal(str(found)))
    else:
        value = str(standings[section][key])
    return {
        "kind": COUNTED,
        "indicator": indicator,
        "unit": scope,
        "period": {"from": first, "to": last},
        "value": value,
        "qualifier": Qualifier.exact.value,
        "written": written(value, "exact", about.measure, "vi"),
        "measure": about.measure,
        "basis": basis,
    }


def _text(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the export report -----------------------------------------------------------------------


def statistic_rows(
    connection: Connection, years: list[int], area: Scope, point: Point, standings: Any
) -> list[dict[str, Any]]:
    """The ``statistics`` report: every reported figure (withdrawn ones too, so labelled) whose
    period overlaps the years exported, each once, and after each indicator's figures of a year
    the figure the ledger counts for it that year. ``standings(year)`` gives a year's
    standings."""
    rows: list[dict[str, Any]] = []
    listed: set[str] = set()
    for year in years:
        first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
        facts = [r for r in statistics_latest(connection, point, first, last) if r.unit in area]
        new = [r for r in facts if r.record_id not in listed]
        listed |= {r.record_id for r in new}
        summary = standings(year) if any(r.status != "withdrawn" for r in facts) else None
        for indicator in dict.fromkeys(r.indicator for r in facts):
            for row in (r for r in new if r.indicator == indicator):
                rows.append(
                    {
                        "kind": REPORTED,
                        "indicator": row.indicator,
                        "name": indicator_label(row.indicator, "vi"),
                        "unit": row.unit,
                        "period_from": _day(row.period_from),
                        "period_to": _day(row.period_to),
                        "figure": Figure(row.value, row.qualifier, row.measure),
                        "qualifier": row.qualifier,
                        "measure": row.measure,
                        "reporting_body": row.reporting_body,
                        "source": row.document,
                        "dated": row.effective_on,
                        "status": None if row.status == "reported" else row.status,
                    }
                )
            basis = INDICATORS[Indicator(indicator)].counted
            standing = any(r.indicator == indicator and r.status != "withdrawn" for r in facts)
            if basis is not None and summary is not None and standing:
                item = _counted(indicator, basis, summary, area.code, first, last)
                rows.append(
                    {
                        "kind": COUNTED,
                        "indicator": indicator,
                        "name": indicator_label(indicator, "vi"),
                        "unit": area.code,
                        "period_from": _day(first),
                        "period_to": _day(last),
                        "figure": Figure(item["value"], "exact", item["measure"]),
                        "qualifier": "exact",
                        "measure": item["measure"],
                        "source": item["basis"],
                    }
                )
    return rows


def _day(iso: str) -> Any:
    return date.fromisoformat(iso)
