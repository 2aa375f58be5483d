"""Safety standings facts: each registration and decision for a unit and year."""

from __future__ import annotations

from typing import Any

from ledger.safety import SafetyRecognition
from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import SafetyFact, safety_facts


class SafetyModel(ReadModel):
    name = "safety"
    facts = safety_facts

    def define_handlers(self) -> dict[type, Handler]:
        return {
            SafetyRecognition.Registered: self.registered,
            SafetyRecognition.Recognised: self.decided,
            SafetyRecognition.Denied: self.decided,
            SafetyRecognition.Annulled: self.annulled,
        }

    def registered(self, event: Any, common: Common, rows: Rows) -> None:
        fact = SafetyFact(event.unit, event.year, event.unit_kind, "registered", None)
        self.add(rows, common, fact)

    def decided(self, event: Any, common: Common, rows: Rows) -> None:
        status = "recognised" if isinstance(event, SafetyRecognition.Recognised) else "denied"
        self._next(event, common, rows, status, getattr(event, "decision", None))

    def annulled(self, event: Any, common: Common, rows: Rows) -> None:
        # An annulled recognition counts as annulled; an annulled denial is pending again.
        previous = self.latest(event.originator_id).status
        self._next(event, common, rows, "annulled" if previous == "recognised" else "registered")

    def _next(
        self, event: Any, common: Common, rows: Rows, status: str, decision: Any = None
    ) -> None:
        before = self.latest(event.originator_id)
        fact = SafetyFact(before.unit, before.year, before.unit_kind, status, decision)
        self.add(rows, common, fact)
