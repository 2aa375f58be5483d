"""Commendation register: decisions, their recipient lines (with corrections), annulments."""

from __future__ import annotations

from typing import Any

from ledger.awards import Commendation
from projections.base import Handler, ReadModel, Rows, fact, utc
from projections.schema import award_decisions, award_facts, award_line_facts


class AwardsModel(ReadModel):
    name = "awards"
    tables = (award_decisions, award_line_facts, award_facts)
    facts = award_decisions

    def define_handlers(self) -> dict[type, Handler]:
        return {
            Commendation.Decided: self.decided,
            Commendation.LineCorrected: self.corrected,
            Commendation.Presented: self.event("presented"),
            Commendation.Annulled: self.event("annulled"),
        }

    def decided(self, event: Any, position: int, rows: Rows) -> None:
        self.add(
            rows,
            fact(
                event,
                position,
                issuer=event.issuer,
                decision=event.decision,
                year=event.year,
                level=event.level,
                form=event.form,
            ),
        )
        for line in event.lines:
            self._line(event, position, rows, line)

    def corrected(self, event: Any, position: int, rows: Rows) -> None:
        self._line(event, position, rows, event.line)

    def _line(self, event: Any, position: int, rows: Rows, line: dict[str, Any]) -> None:
        rows[award_line_facts].append(
            {
                "position": position,
                "line": line["line"],
                "award": event.originator_id.hex,
                "effective_on": event.effective_on,
                "recorded_at": utc(event.timestamp),
                "unit": line["unit"],
                "recipient": line["recipient"],
            }
        )

    def event(self, name: str) -> Handler:
        def handle(event: Any, position: int, rows: Rows) -> None:
            self.add(rows, fact(event, position, event=name), award_facts)

        return handle
