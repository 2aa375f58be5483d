"""Reported statistics ("số liệu báo cáo"): aggregate figures a report, a conference or an article
gives ("54.307 disputes mediated over ten years"), recorded with their scope, period, qualifier
and source document. They are not personal records and never become ledger counts: the reports
show them beside the figures counted from the ledger's own records, labelled as reported.

A record is one figure of one indicator, for one unit and period, from one source document.
Reporting it again from the same document names the same record (and is refused: correct it);
the same figure from another document is another record, shown beside the first.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.commands import StatisticCorrect, StatisticKey, StatisticReport, StatisticWithdraw
from ledger.dispatch import handles
from ledger.errors import InvalidInput, NotFoundError, RuleViolation
from ledger.indicators import INDICATORS, Indicator, canonical, first_day, last_day
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date
from ledger.units import find_unit
from ledger.values import Entry

REPORTED, CORRECTED, WITHDRAWN = "reported", "corrected", "withdrawn"


class ReportedStatistic(Record):
    """One reported figure: what it counts, where, over which period, how exact, and who said it."""

    KIND = "statistic"

    def __init__(self) -> None:
        self.unit = ""
        self.indicator = ""
        self.period_from = date.min
        self.period_to = date.min
        self.document = ""
        self.value = "0"
        self.qualifier = "exact"
        self.measure = ""
        self.reporting_body = ""
        self.status = REPORTED

    @staticmethod
    def id_for(
        unit: str, indicator: str, period_from: object, period_to: object, source: str
    ) -> UUID:
        """The record's id from its natural key; the period bounds may be dates or as a user
        types them (a year, ISO or dd/mm/yyyy). Raises InvalidInput for a bound that is neither."""
        try:
            start, end = first_day(period_from), last_day(period_to)
        except ValueError as error:
            raise InvalidInput([f"KEY: {error}"]) from None
        return record_id(
            "statistic", unit, indicator.upper(), start.isoformat(), end.isoformat(), source
        )

    @property
    def key(self) -> tuple[str, ...]:
        return (
            self.unit,
            self.indicator,
            self.period_from.isoformat(),
            self.period_to.isoformat(),
            self.document,
        )

    class Reported(Record.Created):
        unit: str
        indicator: str
        period_from: date
        period_to: date
        value: str  # exact decimal text: "54307", "98.3"
        qualifier: str
        measure: str
        reporting_body: str

        def apply(self, record: ReportedStatistic) -> None:
            record.unit, record.indicator = self.unit, self.indicator
            record.period_from, record.period_to = self.period_from, self.period_to
            record.document = self.source or ""
            record.value, record.qualifier = self.value, self.qualifier
            record.measure, record.reporting_body = self.measure, self.reporting_body

    class Corrected(Record.Event):
        value: str
        qualifier: str
        reason: str

        def apply(self, record: ReportedStatistic) -> None:
            record.value, record.qualifier = self.value, self.qualifier
            record.status = CORRECTED

    class Withdrawn(Record.Event):
        reason: str

        def apply(self, record: ReportedStatistic) -> None:
            record.status = WITHDRAWN

    def ensure_standing(self, doing: str) -> None:
        """Raises RuleViolation if the figure was withdrawn."""
        if self.status == WITHDRAWN:
            raise RuleViolation(
                f"{self.label()} was withdrawn, which is final: it cannot be {doing}; if the "
                "figure stands after all, report it citing the document that restores it"
            )

    def describe(self) -> str:
        return f"{self.value} ({self.qualifier})"


def _id(action: StatisticKey) -> UUID:
    return ReportedStatistic.id_for(
        action.unit,
        action.indicator.value,
        action.period_from,
        action.period_to,
        action.source,
    )


def existing_statistic(session: Session, action: StatisticKey) -> ReportedStatistic:
    unit = find_unit(session, action.unit)
    statistic = session.get(ReportedStatistic, _id(action.model_copy(update={"unit": unit.code})))
    if statistic is None:
        raise NotFoundError(
            f"no {action.indicator.value} figure of {unit.code} for "
            f"{format_date(action.period_from)}–{format_date(action.period_to)} from "
            f"{action.source!r} is recorded: record it with 'antq statistic report'"
        )
    return statistic


@handles(StatisticReport)
def report(session: Session, action: StatisticReport, entry: Entry) -> None:
    unit = find_unit(session, action.unit)
    if unit.ended_on is not None and unit.ended_on <= action.period_from:
        raise RuleViolation(
            f"unit {unit.code} ended on {format_date(unit.ended_on)}, before the period begins "
            f"({format_date(action.period_from)}): report the figure for its successor"
        )
    if action.period_from > action.effective_on:
        raise RuleViolation(
            f"a figure reported on {format_date(action.effective_on)} cannot cover a period "
            f"that begins later ({format_date(action.period_from)})"
        )
    key = action.model_copy(update={"unit": unit.code})
    existing = session.get(ReportedStatistic, _id(key))
    if existing is not None and existing.status == WITHDRAWN:
        existing.ensure_standing("reported again from the same document")
    if existing is not None:
        raise RuleViolation(
            f"{existing.label()} is already recorded ({existing.describe()}, "
            f"{existing.status}): the same document reports it once; correct it with "
            "'antq statistic correct', or record another document's figure"
        )
    about = INDICATORS[Indicator(action.indicator)]
    statistic = ReportedStatistic._start(
        ReportedStatistic.Reported,
        _id(key),
        entry,
        unit=unit.code,
        indicator=action.indicator.value,
        period_from=action.period_from,
        period_to=action.period_to,
        value=canonical(action.value),
        qualifier=action.qualifier.value,
        measure=action.measure or about.measure,
        reporting_body=action.reporting_body,
    )
    session.add(statistic)


@handles(StatisticCorrect)
def correct(session: Session, action: StatisticCorrect, entry: Entry) -> None:
    statistic = existing_statistic(session, action)
    statistic.ensure_standing("corrected")
    value = canonical(action.value)
    if (value, action.qualifier.value) == (statistic.value, statistic.qualifier):
        raise RuleViolation(
            f"{statistic.label()} already stands at {statistic.describe()}: nothing to correct"
        )
    statistic._record(
        ReportedStatistic.Corrected,
        entry,
        value=value,
        qualifier=action.qualifier.value,
        reason=action.reason,
    )


@handles(StatisticWithdraw)
def withdraw(session: Session, action: StatisticWithdraw, entry: Entry) -> None:
    statistic = existing_statistic(session, action)
    if statistic.status == WITHDRAWN:
        raise RuleViolation(f"{statistic.label()} is already withdrawn")
    statistic._record(ReportedStatistic.Withdrawn, entry, reason=action.reason)
