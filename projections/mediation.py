"""Mediation logbook facts: each case's events, with the outcome it stands at after each."""

from __future__ import annotations

from typing import Any

from ledger.disputes import MediationCase
from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import MediationFact, mediation_facts

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

    def received(self, event: Any, common: Common, rows: Rows) -> None:
        year = event.effective_on.year
        self.add(rows, common, MediationFact(event.unit, event.case, year, "received", "open"))

    def changed(self, event: Any, common: Common, rows: Rows) -> None:
        self._next(event, common, rows, OUTCOMES[type(event)])

    def closed(self, event: Any, common: Common, rows: Rows) -> None:
        # Closing keeps the outcome reached (settled, failed, referred); an open case closes
        # without one.
        before = self.latest(event.originator_id).status
        self._next(event, common, rows, "closed" if before == "open" else before)

    def _next(self, event: Any, common: Common, rows: Rows, status: str) -> None:
        before = self.latest(event.originator_id)
        name = type(event).__name__.lower()
        fact = MediationFact(before.unit, before.case_no, before.received_year, name, status)
        self.add(rows, common, fact)
