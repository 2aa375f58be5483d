"""Self-management model registry facts: registration, sites, recognition, suspension, end."""

from __future__ import annotations

from typing import Any

from ledger.security_models import SecurityModel
from projections.base import Fact, Handler, ReadModel, Rows, fact
from projections.schema import model_facts

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

    def registered(self, event: Any, common: Fact, rows: Rows) -> None:
        self.add(
            rows,
            fact(
                common,
                code=event.code,
                event="registered",
                name=event.name,
                field=event.field,
                unit=event.unit,
            ),
        )

    def changed(self, event: Any, common: Fact, rows: Rows) -> None:
        before = self.latest(event.originator_id)
        self.add(
            rows,
            fact(
                common,
                code=before["code"],
                event=EVENTS[type(event)],
                name=before["name"],
                field=before["field"],
                unit=getattr(event, "unit", None),
            ),
        )
