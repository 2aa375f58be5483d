"""Grassroots mediation cases: the logbook's states, resumption and the sealed summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    DisputeAssign,
    DisputeClose,
    DisputeFail,
    DisputeReceive,
    DisputeRefer,
    DisputeResume,
    DisputeSettle,
)
from ledger.errors import AlreadyRecordedError, NotFoundError, RuleViolation

from ..conftest import sqlite_only
from .support import Refusal, events, record, refusal

CASE = {"unit": "TN-X1", "case": "HG-01"}
RECEIVE = DisputeReceive(**CASE, effective_on="2023-05-01", category="đất đai")


def assign(on: str = "2023-05-02") -> DisputeAssign:
    return DisputeAssign(**CASE, team="Tổ hòa giải thôn 1", effective_on=on)


def settle(on: str = "2023-05-10") -> DisputeSettle:
    return DisputeSettle(**CASE, effective_on=on)


def fail(on: str = "2023-05-10") -> DisputeFail:
    return DisputeFail(**CASE, effective_on=on, reason="các bên không thống nhất")


def resume(on: str = "2023-06-01") -> DisputeResume:
    return DisputeResume(**CASE, effective_on=on)


def refer(on: str = "2023-06-01") -> DisputeRefer:
    return DisputeRefer(**CASE, to="UBND xã", effective_on=on)


def close(on: str = "2023-07-01") -> DisputeClose:
    return DisputeClose(**CASE, effective_on=on)


def test_receiving_a_case_number_twice_in_a_commune_is_refused(
    province: Ledger, clerk: Clerk
) -> None:
    record(province, clerk, RECEIVE)
    again = DisputeReceive(unit="Xã Hòa Bình", case="hg-01", effective_on="2023-05-03")

    assert refusal(province, clerk, again) == Refusal(
        AlreadyRecordedError, "dispute TN-X1 HG-01 is already recorded", True
    )


def test_the_same_case_number_in_another_commune_is_another_case(
    province: Ledger, clerk: Clerk
) -> None:
    record(
        province,
        clerk,
        RECEIVE,
        DisputeReceive(unit="TN-X2", case="HG-01", effective_on="2023-05-03"),
    )

    assert events(province, "dispute", "TN-X2", "HG-01") == ["Received"]


@pytest.mark.parametrize(
    "action", [settle(), fail(), assign(), resume(), refer(), close()], ids=lambda a: a.ACTION
)
def test_a_case_that_was_not_received_is_not_found(province: Ledger, clerk: Clerk, action) -> None:
    assert refusal(province, clerk, action) == Refusal(
        NotFoundError,
        "dispute TN-X1 HG-01 is not recorded: record it with 'antq dispute receive'",
        True,
    )


@pytest.mark.parametrize(
    ("history", "state"),
    [([settle()], "settled"), ([fail()], "failed"), ([refer()], "referred"), ([close()], "closed")],
    ids=["settled", "failed", "referred", "closed"],
)
def test_settling_a_case_that_is_not_open_is_refused(
    province: Ledger, clerk: Clerk, history: list, state: str
) -> None:
    record(province, clerk, RECEIVE, *history)

    assert refusal(province, clerk, settle("2023-07-02")) == Refusal(
        RuleViolation, f"dispute TN-X1 HG-01 is {state}: it cannot be settled", True
    )


@pytest.mark.parametrize(
    ("history", "state"),
    [([], "open"), ([assign()], "open"), ([settle()], "settled"), ([refer()], "referred")],
    ids=["received", "assigned", "settled", "referred"],
)
def test_only_a_failed_mediation_resumes(
    province: Ledger, clerk: Clerk, history: list, state: str
) -> None:
    record(province, clerk, RECEIVE, *history)

    assert refusal(province, clerk, resume("2023-07-02")) == Refusal(
        RuleViolation,
        f"dispute TN-X1 HG-01 is {state}: it cannot be resumed (only a failed mediation resumes)",
        True,
    )


def test_a_failed_mediation_resumes_and_settles(province: Ledger, clerk: Clerk) -> None:
    record(province, clerk, RECEIVE, assign(), fail(), resume(), settle("2023-06-05"))

    assert events(province, "dispute", "TN-X1", "HG-01") == [
        "Received",
        "Assigned",
        "Failed",
        "Resumed",
        "Settled",
    ]


@pytest.mark.parametrize(
    ("action", "doing"),
    [
        (assign("2023-07-02"), "assigned"),
        (settle("2023-07-02"), "settled"),
        (fail("2023-07-02"), "recorded as failed"),
        (resume("2023-07-02"), "resumed (only a failed mediation resumes)"),
        (refer("2023-07-02"), "referred"),
        (close("2023-07-02"), "closed"),
    ],
    ids=lambda value: getattr(value, "ACTION", ""),
)
def test_a_closed_case_is_final(province: Ledger, clerk: Clerk, action, doing: str) -> None:
    record(province, clerk, RECEIVE, settle(), close())

    assert refusal(province, clerk, action) == Refusal(
        RuleViolation, f"dispute TN-X1 HG-01 is closed: it cannot be {doing}", True
    )


@sqlite_only  # scans the database file's bytes
def test_the_summary_is_sealed_in_storage_and_readable_in_history(
    province: Ledger, clerk: Clerk, tmp_path: Path
) -> None:
    summary = "Ông Lê Văn Tám tranh chấp ranh giới với bà Phạm Thị Chín"
    record(
        province,
        clerk,
        DisputeReceive(**CASE, effective_on="2023-05-01", category="đất đai", summary=summary),
    )
    shown = province.history("dispute", ["TN-X1", "HG-01"])[0]["summary"]
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("antq.db*"))

    assert (shown, "Lê Văn Tám".encode() in stored, "đất đai".encode() in stored) == (
        summary,
        False,
        True,
    )
