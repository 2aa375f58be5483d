"""Commendation register: decisions, their recipient lines (with corrections), annulments."""

from __future__ import annotations

from typing import Any

from ledger.awards import Commendation
from projections.base import Fact, Handler, ReadModel, Rows, fact
from projections.schema import award_decisions, award_facts, award_line_facts


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

    def decided(self, event: Any, common: Fact, rows: Rows) -> None:
        self.add(
            rows,
            fact(
                common,
                issuer=event.issuer,
                decision=event.decision,
                year=event.year,
                level=event.level,
                form=event.form,
            ),
        )
        for line in event.lines:
            self._line(event, common, rows, line)

    def corrected(self, event: Any, common: Fact, rows: Rows) -> None:
        self.add(rows, fact(common, event="corrected"), award_facts)  # the event's own fact
        self._line(event, common, rows, event.line)

    def _line(self, event: Any, common: Fact, rows: Rows, line: dict[str, Any]) -> None:
        rows[award_line_facts].append(
            {
                "position": common["position"],
                "line": line["line"],
                "award": common["record_id"],
                "effective_on": common["effective_on"],
                "recorded_at": common["recorded_at"],
                "unit": line["unit"],
                "recipient": line["recipient"],
            }
        )

    def event(self, name: str) -> Handler:
        def handle(event: Any, common: Fact, rows: Rows) -> None:
            self.add(rows, fact(common, event=name), award_facts)

        return handle
