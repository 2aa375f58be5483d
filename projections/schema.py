"""The read-model tables. Every fact row carries the event's log position, legal date
(``effective_on``) and recording time (``recorded_at``): the two time axes of every query. The
fact an event produces also carries who recorded it and on what authority, so the fact tables
together are the audit trail (``projections.audit.trail``), one row per event."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _fact_columns() -> list[Column]:
    """Position in the log, legal date, recording time (UTC), the record (id and kind), and the
    event's type, version, actor, role and source document."""
    return [
        Column("position", Integer, primary_key=True, autoincrement=False),
        Column("effective_on", Date, nullable=False),
        Column("recorded_at", DateTime, nullable=False),
        # Not indexed: queries find records by year, unit or code, and the projector recalls a
        # forgotten record from the log, so an index on random ids would only slow rebuilds.
        Column("record_id", String(32), nullable=False),
        Column("record_kind", String(40), nullable=False),  # e.g. MediationCase
        Column("event_type", String(40), nullable=False),  # e.g. Settled
        Column("version", Integer, nullable=False),
        Column("actor", Text, nullable=False),
        Column("role", Text, nullable=False),
        Column("source", Text),
    ]


positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
)

units = Table(
    "read_units",
    metadata,
    *_fact_columns(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent", String(64)),
)

unit_changes = Table(  # renamed, merged into a successor, dissolved
    "read_unit_changes",
    metadata,
    *_fact_columns(),
    Column("code", String(64), nullable=False, index=True),
    Column("change", String(20), nullable=False),
    Column("name", Text),
    Column("successor", String(64)),
)

safety_facts = Table(
    "read_safety_facts",
    metadata,
    *_fact_columns(),
    Column("unit", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("unit_kind", String(20), nullable=False),
    Column("status", String(12), nullable=False),  # registered, recognised, denied, annulled
    Column("decision", Text),
    Index("ix_read_safety_facts_year_unit", "year", "unit"),
)

model_facts = Table(
    "read_model_facts",
    metadata,
    *_fact_columns(),
    Column("code", String(64), nullable=False, index=True),
    Column("event", String(20), nullable=False),
    Column("name", Text),
    Column("field", Text),
    Column("unit", String(64)),  # the site, for registered and replicated
)

award_decisions = Table(
    "read_award_decisions",
    metadata,
    *_fact_columns(),
    Column("issuer", String(64), nullable=False),
    Column("decision", String(64), nullable=False),
    Column("year", Integer, nullable=False, index=True),
    Column("level", String(20), nullable=False),
    Column("form", String(12), nullable=False),
)

award_line_facts = Table(  # the lines as decided, then each correction
    "read_award_line_facts",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("award", String(32), nullable=False, index=True),
    Column("effective_on", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("recipient", String(12), nullable=False),
)

award_facts = Table(  # presented, annulled
    "read_award_facts",
    metadata,
    *_fact_columns(),
    Column("event", String(20), nullable=False),
    Index("ix_read_award_facts_record_id", "record_id"),  # standings ask by decision
)

mediation_facts = Table(
    "read_mediation_facts",
    metadata,
    *_fact_columns(),
    Column("unit", String(64), nullable=False),
    Column("case_no", String(64), nullable=False),
    Column("received_year", Integer, nullable=False, index=True),
    Column("event", String(12), nullable=False),
    Column("status", String(12), nullable=False),  # open, settled, failed, referred, closed
)

other_events = Table(  # events no other read model projects (import runs, name index)
    "read_other_events",
    metadata,
    *_fact_columns(),
)
