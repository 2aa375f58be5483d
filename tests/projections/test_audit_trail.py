"""The audit trail: every event of the log once, with who recorded it, when, and for what."""

from __future__ import annotations

from sqlalchemy import Engine, select

from ledger.application import Clerk, Ledger
from ledger.commands import DisputeReceive, DisputeSettle
from ledger.imports import import_file
from projections.audit import trail
from projections.runner import Projector

from ..conftest import EXAMPLES
from .conftest import record

PROVINCE = EXAMPLES / "small-province.jsonl"


def log_of(ledger: Ledger) -> list[tuple[int, str, str, int]]:
    """(position, record id, event type, version) of every event in the event store."""
    notifications = ledger.recorder.select_notifications(start=1, limit=1_000_000)
    return [
        (n.id, n.originator_id.hex, n.topic.rsplit(".", 1)[-1], n.originator_version)
        for n in notifications
    ]


def trail_of(engine: Engine) -> list[tuple[int, str, str, int]]:
    audit = trail()
    with engine.connect() as connection:
        query = select(audit.c.position, audit.c.record_id, audit.c.event_type, audit.c.version)
        return [tuple(row) for row in connection.execute(query.order_by(audit.c.position))]


def test_the_trail_holds_every_event_of_the_log_exactly_once(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector
) -> None:
    import_file(ledger, PROVINCE, clerk)

    projector.catch_up()

    assert trail_of(engine) == log_of(ledger)


def test_each_trail_row_names_the_actor_role_source_and_kind_of_record(
    ledger: Ledger, engine: Engine, projector: Projector
) -> None:
    mediator = Clerk(actor="Trần Văn Hòa giải", role="COMMUNE_POLICE")
    import_file(ledger, PROVINCE, Clerk(actor="Thư ký", role="CLERK"))
    record(
        ledger,
        mediator,
        DisputeReceive(unit="TN-X2", case="HG-99", effective_on="2023-03-01", source="Sổ 1"),
        DisputeSettle(unit="TN-X2", case="HG-99", effective_on="2023-03-05"),
    )

    projector.catch_up()

    audit = trail()
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit).where(audit.c.actor == mediator.actor).order_by(audit.c.position)
        ).all()
    assert [(r.record_kind, r.event_type, r.version, r.role) for r in rows] == [
        ("MediationCase", "Received", 1, "COMMUNE_POLICE"),
        ("MediationCase", "Settled", 2, "COMMUNE_POLICE"),
    ]
    assert rows[0].source == "Sổ 1"
    assert str(rows[0].effective_on) == "2023-03-01"
    assert rows[1].recorded_at >= rows[0].recorded_at
