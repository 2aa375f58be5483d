"""Self-management model registry facts: registration, sites, recognition, suspension, end."""

from __future__ import annotations

from typing import Any

from ledger.security_models import SecurityModel
from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import ModelFact, model_facts

EVENTS = {
    SecurityModel.RecognisedEffective: "recognised",
    SecurityModel.Replicated: "replicated",
    SecurityModel.Reviewed: "reviewed",
    SecurityModel.Suspended: "suspended",
    SecurityModel.Reinstated: "reinstated",
    SecurityModel.Dissolved: "dissolved",
}


class ModelsModel(ReadModel):
    name = "models"
    facts = model_facts

    def define_handlers(self) -> dict[type, Handler]:
        return {SecurityModel.Registered: self.registered} | dict.fromkeys(EVENTS, self.changed)

    def registered(self, event: Any, common: Common, rows: Rows) -> None:
        fact = ModelFact(event.code, "registered", event.name, event.field, event.unit)
        self.add(rows, common, fact)

    def changed(self, event: Any, common: Common, rows: Rows) -> None:
        before = self.latest(event.originator_id)
        site = getattr(event, "unit", None)
        fact = ModelFact(before.code, EVENTS[type(event)], before.name, before.field, site)
        self.add(rows, common, fact)
