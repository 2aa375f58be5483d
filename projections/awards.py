"""Commendation register: decisions, their recipient lines (with corrections), annulments."""

from __future__ import annotations

from typing import Any

from ledger.awards import Commendation
from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import (
    EFFECTIVE_ON,
    POSITION,
    RECORD_ID,
    RECORDED_AT,
    AwardDecision,
    AwardEvent,
    award_decisions,
    award_facts,
    award_line_facts,
)


class AwardsModel(ReadModel):
    name = "awards"
    facts = award_decisions

    def define_handlers(self) -> dict[type, Handler]:
        return {
            Commendation.Decided: self.decided,
            Commendation.LineCorrected: self.corrected,
            Commendation.Presented: self.event("presented"),
            Commendation.Annulled: self.event("annulled"),
        }

    def decided(self, event: Any, common: Common, rows: Rows) -> None:
        decision = AwardDecision(event.issuer, event.decision, event.year, event.level, event.form)
        self.add(rows, common, decision)
        for line in event.lines:
            self._line(common, rows, line)

    def corrected(self, event: Any, common: Common, rows: Rows) -> None:
        self.add(rows, common, AwardEvent("corrected"), award_facts)  # the event's own fact
        self._line(common, rows, event.line)

    def _line(self, common: Common, rows: Rows, line: dict[str, Any]) -> None:
        # In award_line_facts' column order.
        rows[award_line_facts].append(
            (
                common[POSITION],
                line["line"],
                common[RECORD_ID],
                common[EFFECTIVE_ON],
                common[RECORDED_AT],
                line["unit"],
                line["recipient"],
            )
        )

    def event(self, name: str) -> Handler:
        def handle(event: Any, common: Common, rows: Rows) -> None:
            self.add(rows, common, AwardEvent(name), award_facts)

        return handle
