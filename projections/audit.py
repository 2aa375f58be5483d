"""The flat audit trail: every event with its position, both times, the record it belongs to,
its type, actor, role and source.

Every read model writes these columns on the fact each event produces, so the trail is the union
of the fact tables; this model only keeps the events no other model projects (import runs, the
unit-name index)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, select, union_all

from projections.base import Common, Handler, ReadModel, Rows
from projections.schema import (
    COMMON_COLUMNS,
    award_decisions,
    award_facts,
    classification_facts,
    mediation_facts,
    model_facts,
    other_events,
    programme_aliases,
    programme_facts,
    safety_facts,
    security_org_facts,
    statistic_facts,
    unit_changes,
    units,
)

TRAIL_COLUMNS = COMMON_COLUMNS
# The tables holding exactly one fact per event they project.
EVENT_TABLES = (
    units,
    unit_changes,
    safety_facts,
    model_facts,
    award_decisions,
    award_facts,
    mediation_facts,
    programme_facts,
    programme_aliases,
    statistic_facts,
    security_org_facts,
    classification_facts,
    other_events,
)


def trail() -> Subquery:
    """Every projected event, one row each (order by ``position`` to read it as a log)."""
    return union_all(
        *(select(*(table.c[name] for name in TRAIL_COLUMNS)) for table in EVENT_TABLES)
    ).subquery("audit_trail")


class AuditModel(ReadModel):
    name = "audit"
    facts = other_events
    takes_unclaimed = True

    def define_handlers(self) -> dict[type, Handler]:
        return {}  # every event no other model projects: see ``handler_for``

    def handler_for(self, event_class: type) -> Handler | None:
        return self.logged

    def logged(self, event: Any, common: Common, rows: Rows) -> None:
        rows[other_events].append(common)

    def remembers(self, record_id: str) -> bool:
        return True  # nothing to remember
