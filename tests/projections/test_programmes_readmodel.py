"""The programmes read model: rebuilt equals caught up, and the programmes in force in a year and
scope on both time axes (standings), with their aliases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from ledger.application import Clerk, Ledger
from ledger.commands import (
    Action,
    ProgrammeAlias,
    ProgrammeAmend,
    ProgrammeEnd,
    ProgrammeSign,
)
from projections.audit import trail
from projections.runner import Projector
from projections.schema import programme_aliases, programme_facts
from projections.standings import Point, standings

from .conftest import CLERK, dump, moment, rebuilt_elsewhere, record, unit

NATIONAL, VARIANT, PROVINCIAL = "07/CTrPH-BCA-MTTW", "07/CTr-BCA-MTTW", "01/CTrPH-CAT-MTTQT"
WHO = Clerk(CLERK, "CA_TINH")
UNITS = (
    unit("TH", "province"),
    unit("TH-X1", "commune", "TH"),
    unit("NA", "province"),
)
NATIONAL_SIGNED = ProgrammeSign(
    citation=NATIONAL, effective_on="17/10/2023", parties=["Bộ Công an", "Ủy ban TW MTTQ"],
    period_from=2023, period_to=2033,
)  # fmt: skip
ALIASED = ProgrammeAlias(citation=NATIONAL, alias=VARIANT, effective_on="10/01/2024")
PROVINCIAL_SIGNED = ProgrammeSign(
    citation=PROVINCIAL, effective_on="10/01/2024", parties=["Công an tỉnh", "MTTQ tỉnh"],
    implements=VARIANT, scope="TH", content_areas=["tuyên truyền"],
)  # fmt: skip
AMENDED = ProgrammeAmend(
    citation=VARIANT, effective_on="2025-03-01", source="Phụ lục", content_areas=["khen thưởng"]
)
ENDED = ProgrammeEnd(citation=PROVINCIAL, effective_on="2025-06-30", reason="thay thế")
STEPS: tuple[Action, ...] = (NATIONAL_SIGNED, ALIASED, PROVINCIAL_SIGNED, AMENDED, ENDED)


def programmes(engine: Engine, year: int, scope: str | None = None, point: Point | None = None):
    return standings(engine, year, scope, point or Point())["programmes"]


def test_rebuilding_from_zero_equals_catching_up_after_each_step(
    ledger: Ledger, engine: Engine, tmp_path: Path
) -> None:
    record(ledger, WHO, *UNITS)
    for action in STEPS:
        record(ledger, WHO, action)
        Projector(ledger, engine).catch_up()  # a new projector: earlier facts recalled from the log

    assert dump(engine) == rebuilt_elsewhere(ledger, tmp_path)
    with engine.connect() as connection:
        columns = (programme_facts.c.citation, programme_facts.c.event)
        facts = connection.execute(
            select(*columns, programme_facts.c.content_areas).order_by(programme_facts.c.position)
        ).all()
        aliases = connection.execute(
            select(programme_aliases.c.citation, programme_aliases.c.alias)
        ).all()
        trailed = connection.execute(
            select(trail().c.event_type).order_by(trail().c.position)
        ).all()
    assert [tuple(f) for f in facts] == [
        (NATIONAL, "signed", "[]"),
        (PROVINCIAL, "signed", '["tuyên truyền"]'),
        (NATIONAL, "amended", '["khen thưởng"]'),
        (PROVINCIAL, "ended", '["tuyên truyền"]'),
    ]
    assert [tuple(a) for a in aliases] == [(NATIONAL, VARIANT)]
    # Every programme event is in the audit trail once.
    names = [t.event_type for t in trailed]
    assert [n for n in names if n in ("Signed", "AliasAdded", "Amended", "Ended")] == [
        "Signed", "AliasAdded", "Signed", "Amended", "Ended"
    ]  # fmt: skip


def test_programmes_in_force_by_year(ledger: Ledger, engine: Engine, projector: Projector) -> None:
    record(ledger, WHO, *UNITS, *STEPS)
    projector.catch_up()

    assert programmes(engine, 2022) == {"in_force": 0, "citations": [], "aliases": {}}
    assert programmes(engine, 2023)["citations"] == [NATIONAL]
    assert programmes(engine, 2024) == {
        "in_force": 2, "citations": [NATIONAL, PROVINCIAL], "aliases": {NATIONAL: [VARIANT]}
    }  # fmt: skip
    assert programmes(engine, 2025)["citations"] == [NATIONAL, PROVINCIAL]  # ended mid-2025
    assert programmes(engine, 2026)["citations"] == [NATIONAL]
    assert programmes(engine, 2034)["citations"] == []  # the period ran out in 2033


def test_a_scope_includes_nationwide_programmes_and_those_of_the_units_above_and_below(
    ledger: Ledger, engine: Engine, projector: Projector
) -> None:
    record(ledger, WHO, *UNITS, *STEPS)
    projector.catch_up()

    assert programmes(engine, 2024, "TH")["citations"] == [NATIONAL, PROVINCIAL]
    assert programmes(engine, 2024, "TH-X1")["citations"] == [NATIONAL, PROVINCIAL]
    assert programmes(engine, 2024, "NA")["citations"] == [NATIONAL]


def test_programmes_stand_at_a_legal_date_and_a_moment_of_knowledge(
    ledger: Ledger, engine: Engine, projector: Projector
) -> None:
    record(ledger, WHO, *UNITS, NATIONAL_SIGNED)
    before_alias = moment()
    record(ledger, WHO, ALIASED, PROVINCIAL_SIGNED, AMENDED, ENDED)
    projector.catch_up()

    known = programmes(engine, 2024, point=Point(known_at=before_alias))
    assert known == {"in_force": 1, "citations": [NATIONAL], "aliases": {}}
    as_of = programmes(engine, 2024, point=Point(as_of=date(2024, 1, 9)))
    assert as_of == {"in_force": 1, "citations": [NATIONAL], "aliases": {}}
    # Ended on 30/06/2025: as of 01/06/2025 it is still in force for 2026, as of today not.
    assert programmes(engine, 2026, point=Point(as_of=date(2025, 6, 1)))["in_force"] == 2
    assert programmes(engine, 2026)["in_force"] == 1
