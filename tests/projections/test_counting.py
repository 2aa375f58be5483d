"""The DESIGN's counting rules, one at a time: each record counts once, by its state."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.commands import (
    Action,
    AwardCorrect,
    AwardDecide,
    DisputeClose,
    DisputeFail,
    DisputeReceive,
    DisputeResume,
    DisputeSettle,
    SafetyAnnul,
    SafetyDeny,
    SafetyRecognise,
    SafetyRegister,
)
from projections.runner import Projector
from projections.standings import Point, standings

from .conftest import moment, record, unit

PROVINCE = (
    unit("P", "province"),
    unit("P-X1", "commune", "P"),
    unit("P-X2", "commune", "P"),
    unit("P-X1-T1", "residential_area", "P-X1"),
    unit("P-X1-T2", "residential_area", "P-X1"),
    unit("P-X1-T3", "residential_area", "P-X1"),
    unit("P-X1-CQ", "agency", "P-X1"),
    unit("P-X1-DN", "enterprise", "P-X1"),
    unit("P-X1-TR", "school", "P-X1"),
)


@pytest.fixture
def province(ledger: Ledger, clerk: Clerk) -> Ledger:
    record(ledger, clerk, *PROVINCE)
    return ledger


def register(code: str) -> SafetyRegister:
    return SafetyRegister(unit=code, year=2023, effective_on="2023-02-10")


def recognise(code: str) -> SafetyRecognise:
    return SafetyRecognise(unit=code, year=2023, effective_on="2023-11-05")


def deny(code: str) -> SafetyDeny:
    return SafetyDeny(unit=code, year=2023, effective_on="2023-11-05")


def annul(code: str) -> SafetyAnnul:
    return SafetyAnnul(unit=code, year=2023, effective_on="2024-03-01", reason="sai sót")


def standings_after(
    ledger: Ledger, clerk: Clerk, projector: Projector, *actions: Action
) -> dict[str, Any]:
    record(ledger, clerk, *actions)
    projector.catch_up()
    return standings(projector.engine, 2023, "P")


def test_a_registration_without_a_decision_counts_once_as_registered(
    province: Ledger, clerk: Clerk, projector: Projector
) -> None:
    result = standings_after(province, clerk, projector, register("P-X1-T1"))

    assert result["safety"]["residential_area"] == {
        "registered": 1, "recognised": 0, "denied": 0, "annulled": 0, "ratio": 0.0,
    }  # fmt: skip


def test_an_annulled_denial_is_pending_again(
    province: Ledger, clerk: Clerk, projector: Projector
) -> None:
    actions = (register("P-X1-T1"), deny("P-X1-T1"), annul("P-X1-T1"))
    result = standings_after(province, clerk, projector, *actions)

    assert result["safety"]["residential_area"] == {
        "registered": 1, "recognised": 0, "denied": 0, "annulled": 0, "ratio": 0.0,
    }  # fmt: skip


def test_the_ratio_is_recognised_over_registered_to_four_decimals(
    province: Ledger, clerk: Clerk, projector: Projector
) -> None:
    actions = (*map(register, ("P-X1-T1", "P-X1-T2", "P-X1-T3")), recognise("P-X1-T1"))
    result = standings_after(province, clerk, projector, *actions)

    assert result["safety"]["residential_area"]["ratio"] == 0.3333


def test_agencies_enterprises_and_schools_count_together_as_organisations(
    province: Ledger, clerk: Clerk, projector: Projector
) -> None:
    codes = ("P-X1-CQ", "P-X1-DN", "P-X1-TR")
    result = standings_after(
        province, clerk, projector, *map(register, codes), recognise("P-X1-CQ"), deny("P-X1-DN")
    )

    assert result["safety"]["organisation"] == {
        "registered": 3, "recognised": 1, "denied": 1, "annulled": 0, "ratio": 0.3333,
    }  # fmt: skip


@pytest.fixture
def flag_raised_later(province: Ledger, clerk: Clerk, projector: Projector) -> tuple[Engine, Any]:
    """P-X1 recognised with 2 of its 2 registered areas recognised; one area's recognition is
    annulled afterwards. Returns the engine and a moment before the annulment was recorded."""
    areas = ("P-X1-T1", "P-X1-T2")
    record(
        province, clerk, *map(register, areas), *map(recognise, areas),
        register("P-X1"), SafetyRecognise(unit="P-X1", year=2023, effective_on="2023-12-20"),
    )  # fmt: skip
    before = moment()
    record(province, clerk, annul("P-X1-T2"))
    projector.catch_up()
    return projector.engine, before


def test_an_annulment_raises_the_communes_flag_later(flag_raised_later: tuple) -> None:
    engine, _ = flag_raised_later

    assert standings(engine, 2023, "P")["safety"]["flags"] == [
        {"unit": "P-X1", "rule": "commune_below_70_percent"}
    ]


def test_the_flag_is_not_raised_as_known_before_the_annulment(flag_raised_later: tuple) -> None:
    engine, before = flag_raised_later

    assert standings(engine, 2023, "P", Point(known_at=before))["safety"]["flags"] == []


def test_a_case_that_failed_resumed_and_settled_counts_once_as_settled(
    province: Ledger, clerk: Clerk, projector: Projector
) -> None:
    case = {"unit": "P-X1", "case": "HG-01"}
    result = standings_after(
        province, clerk, projector,
        DisputeReceive(**case, effective_on="2023-03-01"),
        DisputeFail(**case, effective_on="2023-03-10"),
        DisputeResume(**case, effective_on="2023-04-01"),
        DisputeSettle(**case, effective_on="2023-04-10"),
        DisputeClose(**case, effective_on="2023-04-11"),
    )  # fmt: skip

    assert result["mediation"] == {
        "received": 1, "settled": 1, "failed": 0, "referred": 0, "open": 0,
    }  # fmt: skip


def test_a_corrected_award_line_counts_in_the_scope_of_its_new_unit(
    province: Ledger, clerk: Clerk, projector: Projector
) -> None:
    key = {"issuer": "UBND-P", "decision": "5/QĐ-UBND"}
    record(
        province, clerk,
        AwardDecide(**key, level="province", form="bang_khen", effective_on="2023-06-01",
                    recipients=[{"unit": "P-X1"}]),
        AwardCorrect(**key, year=2023, line=1, recipient={"unit": "P-X2"},
                     effective_on="2023-06-20", reason="ghi nhầm đơn vị"),
    )  # fmt: skip
    projector.catch_up()
    engine = projector.engine

    assert (
        standings(engine, 2023, "P-X1")["awards"],
        standings(engine, 2023, "P-X2")["awards"],
    ) == (
        [],
        [{"level": "province", "form": "bang_khen", "collective": 1, "individual": 0}],
    )
