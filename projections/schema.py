"""The read-model tables. Every fact row carries the event's log position, legal date
(``effective_on``) and recording time (``recorded_at``): the two time axes of every query. The
fact an event produces also carries who recorded it and on what authority, so the fact tables
together are the audit trail (``projections.audit.trail``), one row per event."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import (
    Boolean,
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
COMMON_COLUMNS = (
    "position",
    "effective_on",
    "recorded_at",
    "record_id",
    "record_kind",
    "event_type",
    "version",
    "actor",
    "role",
    "source",
)
POSITION, EFFECTIVE_ON, RECORDED_AT, RECORD_ID = range(4)  # indexes into the common columns


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


def fact_table(name: str, row: type[tuple], *columns: Column | Index) -> Table:
    """A table of facts: the common columns, then ``row``'s fields (the row type handlers build,
    so that a row is the event's common values followed by a ``row``)."""
    table = Table(name, metadata, *_fact_columns(), *columns)
    names = tuple(column.name for column in table.columns)
    if names != COMMON_COLUMNS + row._fields:  # type: ignore[attr-defined]
        raise TypeError(f"{name}: columns {names} are not the common ones + {row.__name__}")
    return table


positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
)


class Unit(NamedTuple):
    code: str
    name: str
    kind: str
    parent: str | None


units = fact_table(
    "read_units",
    Unit,
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent", String(64)),
)


class UnitChange(NamedTuple):  # renamed, merged into a successor, dissolved
    code: str
    change: str
    name: str | None
    successor: str | None


unit_changes = fact_table(
    "read_unit_changes",
    UnitChange,
    Column("code", String(64), nullable=False, index=True),
    Column("change", String(20), nullable=False),
    Column("name", Text),
    Column("successor", String(64)),
)


class SafetyFact(NamedTuple):
    unit: str
    year: int
    unit_kind: str
    status: str  # registered, recognised, denied, annulled
    decision: str | None


safety_facts = fact_table(
    "read_safety_facts",
    SafetyFact,
    Column("unit", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("unit_kind", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("decision", Text),
    Index("ix_read_safety_facts_year_unit", "year", "unit"),
)


class ModelFact(NamedTuple):
    code: str
    event: str
    name: str | None
    field: str | None
    unit: str | None  # the site, for registered and replicated


model_facts = fact_table(
    "read_model_facts",
    ModelFact,
    Column("code", String(64), nullable=False, index=True),
    Column("event", String(20), nullable=False),
    Column("name", Text),
    Column("field", Text),
    Column("unit", String(64)),
)


class AwardDecision(NamedTuple):
    issuer: str
    decision: str
    year: int
    level: str
    form: str


award_decisions = fact_table(
    "read_award_decisions",
    AwardDecision,
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


class AwardEvent(NamedTuple):  # presented, annulled, corrected
    event: str


award_facts = fact_table(
    "read_award_facts",
    AwardEvent,
    Column("event", String(20), nullable=False),
    Index("ix_read_award_facts_record_id", "record_id"),  # standings ask by decision
)


class MediationFact(NamedTuple):
    unit: str
    case_no: str
    received_year: int
    event: str
    status: str  # open, settled, failed, referred, closed


mediation_facts = fact_table(
    "read_mediation_facts",
    MediationFact,
    Column("unit", String(64), nullable=False),
    Column("case_no", String(64), nullable=False),
    Column("received_year", Integer, nullable=False, index=True),
    Column("event", String(12), nullable=False),
    Column("status", String(12), nullable=False),
)


class NoColumns(NamedTuple):
    pass


# Events no other read model projects (import runs, name index).
other_events = fact_table("read_other_events", NoColumns)


# --- coordination programmes ------------------------------------------------------------------


class ProgrammeFact(NamedTuple):  # signed, amended, ended: the programme as it stands after
    citation: str
    event: str
    title: str | None
    parties: str  # JSON array
    period_from: str | None  # "2023" (a year) or "2023-10-17"
    period_to: str | None
    content_areas: str  # JSON array
    implements: str | None  # citation of the parent programme
    scope: str | None  # unit code, or None: nationwide
    signed_on: object  # date
    reason: str | None  # why it ended


programme_facts = fact_table(
    "read_programme_facts",
    ProgrammeFact,
    Column("citation", Text, nullable=False),
    Column("event", String(12), nullable=False),
    Column("title", Text),
    Column("parties", Text, nullable=False),
    Column("period_from", String(10)),
    Column("period_to", String(10)),
    Column("content_areas", Text, nullable=False),
    Column("implements", Text),
    Column("scope", String(64)),
    Column("signed_on", Date, nullable=False),
    Column("reason", Text),
)


class ProgrammeAliasFact(NamedTuple):  # a variant citation of a programme's document
    citation: str
    alias: str


programme_aliases = fact_table(
    "read_programme_aliases",
    ProgrammeAliasFact,
    Column("citation", Text, nullable=False),
    Column("alias", Text, nullable=False),
)


# --- reported statistics ----------------------------------------------------------------------


class StatisticFact(NamedTuple):  # reported, corrected, withdrawn: the figure as it stands after
    unit: str
    indicator: str
    period_from: str  # ISO dates as text: compared as text, the same on every database
    period_to: str
    value: str  # exact decimal text, never a float: "54307", "98.3"
    qualifier: str  # exact, about, over, under, thousands
    measure: str
    reporting_body: str
    document: str  # the source document of the report (part of the record's key)
    status: str  # reported, corrected, withdrawn


statistic_facts = fact_table(
    "read_statistic_facts",
    StatisticFact,
    Column("unit", String(64), nullable=False, index=True),
    Column("indicator", String(40), nullable=False),
    Column("period_from", String(10), nullable=False),
    Column("period_to", String(10), nullable=False),
    Column("value", String(40), nullable=False),
    Column("qualifier", String(12), nullable=False),
    Column("measure", Text, nullable=False),
    Column("reporting_body", Text, nullable=False),
    Column("document", Text, nullable=False),
    Column("status", String(12), nullable=False),
)


# --- movement classification (projections.classification) ------------------------------------


class ClassificationFact(NamedTuple):  # assessed, appraised, decided: the record after each event
    unit: str
    year: int
    unit_kind: str
    status: str  # assessed, appraised, decided (an annulled decision: appraised again)
    self_score: str  # exact decimal text: "92", "92.5"
    self_grade: str
    dossier: str
    deadline: str  # ISO date: the last on-time day of the self-assessment
    late: bool  # the self-assessment was dated after the deadline
    appraised_score: str | None
    appraised_grade: str | None
    appraiser: str | None
    grade: str | None  # the decided grade: xuat_sac, kha, trung_binh, yeu
    decision: str | None
    decided_by: str | None


classification_facts = fact_table(
    "read_classification_facts",
    ClassificationFact,
    Column("unit", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("unit_kind", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("self_score", String(8), nullable=False),
    Column("self_grade", String(12), nullable=False),
    Column("dossier", Text, nullable=False),
    Column("deadline", String(10), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("appraised_score", String(8)),
    Column("appraised_grade", String(12)),
    Column("appraiser", Text),
    Column("grade", String(12)),
    Column("decision", Text),
    Column("decided_by", Text),
    Index("ix_read_classification_facts_year_unit", "year", "unit"),
)


# --- security organisations (ban chỉ đạo ANTT, tổ bảo vệ ANTT, tổ an ninh xã hội) ------------


class SecurityOrgFact(NamedTuple):  # established, changed, disbanded: the body as it stands after
    unit: str
    code: str
    kind: str  # steering_board, security_team, social_security_team
    name: str
    members: int  # a count: members are never named
    households_covered: int | None
    households_in_area: int | None
    established_on: str  # ISO date as text
    status: str  # active, disbanded
    reason: str | None


security_org_facts = fact_table(
    "read_security_org_facts",
    SecurityOrgFact,
    Column("unit", String(64), nullable=False, index=True),
    Column("code", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("name", Text, nullable=False),
    Column("members", Integer, nullable=False),
    Column("households_covered", Integer),
    Column("households_in_area", Integer),
    Column("established_on", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("reason", Text),
)
