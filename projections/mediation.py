"""Mediation logbook facts: each case's events, with the outcome it stands at after each."""

from __future__ import annotations

from typing import Any

from ledger.disputes import MediationCase
from projections.base import Fact, Handler, ReadModel, Rows, fact
from projections.schema import mediation_facts

OUTCOMES = {
    MediationCase.Assigned: "open",
    MediationCase.Resumed: "open",
    MediationCase.Settled: "settled",
    MediationCase.Failed: "failed",
    MediationCase.Referred: "referred",
}


class MediationModel(ReadModel):
    name = "mediation"
    facts = mediation_facts

    def define_handlers(self) -> dict[type, Handler]:
        return {
            MediationCase.Received: self.received,
            MediationCase.Closed: self.closed,
        } | dict.fromkeys(OUTCOMES, self.changed)

    def received(self, event: Any, common: Fact, rows: Rows) -> None:
        self.add(
            rows,
            fact(
                common,
                unit=event.unit,
                case_no=event.case,
                received_year=event.effective_on.year,
                event="received",
                status="open",
            ),
        )

    def changed(self, event: Any, common: Fact, rows: Rows) -> None:
        self._next(event, common, rows, OUTCOMES[type(event)])

    def closed(self, event: Any, common: Fact, rows: Rows) -> None:
        # Closing keeps the outcome reached (settled, failed, referred); an open case closes
        # without one.
        before = self.latest(event.originator_id)["status"]
        self._next(event, common, rows, "closed" if before == "open" else before)

    def _next(self, event: Any, common: Fact, rows: Rows, status: str) -> None:
        before = self.latest(event.originator_id)
        self.add(
            rows,
            fact(
                common,
                unit=before["unit"],
                case_no=before["case_no"],
                received_year=before["received_year"],
                event=type(event).__name__.lower(),
                status=status,
            ),
        )
