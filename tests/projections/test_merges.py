"""Scopes roll up through merges: a successor's standings include its predecessors' history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.commands import (
    AwardDecide,
    DisputeReceive,
    DisputeSettle,
    SafetyRecognise,
    SafetyRegister,
    UnitMerge,
)
from projections.runner import Projector
from projections.standings import Point, standings

from .conftest import Antq, record, unit

# P ─┬─ P-A ── P-A-T1        P-A merges into P-B on 01/01/2024 (P-B-T1 stays under P-B)
#    ├─ P-B ── P-B-T1
#    └─ P-C
PROVINCE = (
    unit("P", "province"),
    unit("P-A", "commune", "P"),
    unit("P-B", "commune", "P"),
    unit("P-C", "commune", "P"),
    unit("P-A-T1", "residential_area", "P-A"),
    unit("P-B-T1", "residential_area", "P-B"),
)


def history_2023(code: str, case: str) -> list:
    """A unit's 2023: recognised, one mediation case settled, one collective award."""
    return [
        SafetyRegister(unit=code, year=2023, effective_on="2023-02-10"),
        SafetyRecognise(unit=code, year=2023, effective_on="2023-12-20"),
        DisputeReceive(unit=code, case=case, effective_on="2023-04-01"),
        DisputeSettle(unit=code, case=case, effective_on="2023-04-20"),
    ]


@pytest.fixture
def merged(ledger: Ledger, clerk: Clerk, projector: Projector) -> Engine:
    record(
        ledger,
        clerk,
        *PROVINCE,
        *history_2023("P-A", "HG-01"),
        *history_2023("P-A-T1", "HG-02"),
        *history_2023("P-B", "HG-01"),
        AwardDecide(
            issuer="UBND-P",
            decision="7/QĐ-UBND",
            level="province",
            form="bang_khen",
            effective_on="2023-12-15",
            recipients=[{"unit": "P-A"}, {"person": {"name": "Lê Thị Hoa", "unit": "P-A"}}],
        ),
        UnitMerge(codes=["P-A"], into="P-B", effective_on="2024-01-01"),
    )
    projector.catch_up()
    return projector.engine


def counts(result: dict[str, Any]) -> dict[str, Any]:
    """What a scope counted: recognised per group, mediation received, award lines."""
    safety = result["safety"]
    return {
        "recognised": {g: safety[g]["recognised"] for g in ("residential_area", "commune")},
        "mediation": result["mediation"]["received"],
        "awards": [(a["collective"], a["individual"]) for a in result["awards"]],
    }


def test_a_successor_scope_counts_its_predecessors_history(merged: Engine) -> None:
    assert counts(standings(merged, 2023, "P-B")) == {
        "recognised": {"residential_area": 1, "commune": 2},
        "mediation": 3,
        "awards": [(1, 1)],
    }


def test_a_successor_scope_lists_the_units_it_inherited(merged: Engine) -> None:
    assert standings(merged, 2023, "P-B")["inherited_from"] == ["P-A", "P-A-T1"]


def test_a_predecessor_scope_still_shows_its_own_history_only(merged: Engine) -> None:
    result = standings(merged, 2023, "P-A")

    assert (counts(result), "inherited_from" in result) == (
        {"recognised": {"residential_area": 1, "commune": 1}, "mediation": 2, "awards": [(1, 1)]},
        False,
    )


def test_the_parent_scope_counts_the_merged_units_once(merged: Engine) -> None:
    assert counts(standings(merged, 2023, "P")) == {
        "recognised": {"residential_area": 1, "commune": 2},
        "mediation": 3,
        "awards": [(1, 1)],
    }


def test_a_merge_not_yet_in_force_on_the_as_of_date_is_not_followed(merged: Engine) -> None:
    result = standings(merged, 2023, "P-B", Point(as_of=date(2023, 12, 31)))

    assert (counts(result), "inherited_from" in result) == (
        {"recognised": {"residential_area": 0, "commune": 1}, "mediation": 1, "awards": []},
        False,
    )


def test_merges_are_followed_through_a_chain_of_successors(
    merged: Engine, ledger: Ledger, clerk: Clerk, projector: Projector
) -> None:
    record(ledger, clerk, UnitMerge(codes=["P-B"], into="P-C", effective_on="2025-01-01"))
    projector.catch_up()

    assert standings(merged, 2023, "P-C")["inherited_from"] == ["P-A", "P-A-T1", "P-B", "P-B-T1"]


def test_a_residential_area_can_be_the_scope(merged: Engine) -> None:
    result = standings(merged, 2023, "P-A-T1")

    assert counts(result) == {
        "recognised": {"residential_area": 1, "commune": 0},
        "mediation": 1,
        "awards": [],
    }


def test_antq_standings_of_a_successor_names_the_inherited_units(
    antq: Antq, merged: Engine
) -> None:
    output = antq.ok("standings", "--year", "2023", "--scope", "P-B")

    assert output.splitlines()[-1] == "Includes inherited history of: P-A, P-A-T1"


def test_antq_standings_of_an_unknown_scope_exits_1_saying_how_to_register_it(
    antq: Antq, merged: Engine
) -> None:
    result = antq("standings", "--year", "2023", "--scope", "P-Z")

    assert (result.exit_code, result.output) == (
        1,
        "Error: unit 'P-Z' is not registered: record it with 'antq unit register'\n",
    )
