"""The flat audit trail: every event with its position, times, actor and record."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import CanInitAggregate

from projections.base import Fact, Handler, ReadModel, Rows, fact
from projections.schema import audit_trail


class AuditModel(ReadModel):
    name = "audit"
    facts = audit_trail

    def define_handlers(self) -> dict[type, Handler]:
        return {}  # every event: see ``handler_for``

    def handler_for(self, event_class: type) -> Handler | None:
        return self.created if issubclass(event_class, CanInitAggregate) else self.changed

    def created(self, event: Any, common: Fact, rows: Rows) -> None:
        self._row(event, common, rows, event.mutate(None).label())

    def changed(self, event: Any, common: Fact, rows: Rows) -> None:
        self._row(event, common, rows, self.latest(event.originator_id)["record"])

    def _row(self, event: Any, common: Fact, rows: Rows, record: str) -> None:
        self.add(
            rows,
            fact(
                common,
                record=record,
                event=type(event).__name__,
                version=event.originator_version,
                actor=event.actor,
                role=event.role,
                source=event.source,
            ),
        )
