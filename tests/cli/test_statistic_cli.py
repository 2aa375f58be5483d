"""``antq statistic report|correct|withdraw``: the verbs build the import actions; refusals exit 1
(a domain rule) or 2 (invalid input, naming the option); the policy lets CA_TINH, MTTQ_TINH
record any figure and the commune justice officer only mediation figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Antq, policy_options, refused_as_invalid, refused_by_a_rule

SOURCE = "Hội nghị tổng kết 10 năm, 29/5/2023"
KEY = ["--unit", "TN", "--indicator", "MEDIATION_SETTLED", "--period-from", "2013",
       "--period-to", "2023", "--source", SOURCE]  # fmt: skip
REPORT = ["statistic", "report", *KEY, "--value", "54.307", "--on", "29/05/2023",
          "--reporting-body", "UBMTTQ và Công an tỉnh"]  # fmt: skip
HISTORY = ["history", "statistic", "TN", "MEDIATION_SETTLED", "2013", "2023", SOURCE]
ACTORS = {  # the policy file: each actor's (role, unit)
    "Công an tỉnh": ("CA_TINH", "TN"),
    "Tư pháp xã": ("TU_PHAP_XA", "X1"),
}


def test_a_figure_is_reported_corrected_and_withdrawn(province: Antq) -> None:
    assert province.recorded(*REPORT) == [
        f"statistic TN MEDIATION_SETTLED 2013-01-01 2023-12-31 {SOURCE} Reported"
    ]
    province.ok("statistic", "correct", *KEY, "--value", "54.370", "--qualifier", "about",
                "--reason", "đính chính", "--on", "2023-06-01")  # fmt: skip
    province.ok("statistic", "withdraw", *KEY, "--reason", "trùng", "--on", "2023-07-01")

    trail = json.loads(province.ok(*HISTORY, "--json"))
    assert [(e["event"], e.get("value"), e.get("qualifier")) for e in trail] == [
        ("Reported", "54307", "exact"),
        ("Corrected", "54370", "about"),
        ("Withdrawn", None, None),
    ]
    known = json.loads(province.ok(*HISTORY, "--as-of", "2023-06-15", "--json"))
    assert [e["event"] for e in known] == ["Reported", "Corrected"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--indicator", "TIPS"], "Invalid value for '--indicator'"),
        (["--value", "-3"], "--value: '-3': a reported figure cannot be negative"),
        (["--value", "98.3"], "--value: '98.3' is not a number as Vietnamese writes it"),
        (["--indicator", "UNITS_MEETING_STANDARD_PERCENT", "--value", "101"],
         "--value: 101 is over 100"),
        (["--period-from", "2023", "--period-to", "2013"], "--period-to: the period ends"),
        (["--period-to", "2023-13-01"], "--period-to: '2023-13-01' is not a year or a date"),
    ],
)  # fmt: skip
def test_invalid_input_exits_2_naming_the_option(
    province: Antq, args: list[str], message: str
) -> None:
    # Later options win in click: the bad value replaces the good one in REPORT.
    refused_as_invalid(province, [*REPORT, *args], message, records="statistic ")


def test_a_missing_source_exits_2(province: Antq) -> None:
    args = [a for a in REPORT if a not in ("--source", SOURCE)]
    result = province(*args)
    assert result.exit_code == 2 and "--source" in result.output


@pytest.mark.parametrize(
    ("steps", "last", "message"),
    [
        ([REPORT], REPORT, "is already recorded"),
        ([], ["statistic", "withdraw", *KEY, "--reason", "x", "--on", "2023-07-01"],
         "is recorded: record it with 'antq statistic report'"),
        ([REPORT, ["statistic", "withdraw", *KEY, "--reason", "x", "--on", "2023-07-01"]],
         ["statistic", "withdraw", *KEY, "--reason", "x", "--on", "2023-07-02"],
         "is already withdrawn"),
        ([REPORT, ["statistic", "withdraw", *KEY, "--reason", "x", "--on", "2023-07-01"]],
         ["statistic", "correct", *KEY, "--value", "1", "--reason", "x", "--on", "2023-07-02"],
         "was withdrawn, which is final: it cannot be corrected"),
    ],
)  # fmt: skip
def test_domain_refusals_exit_1(
    province: Antq, steps: list[list[str]], last: list[str], message: str
) -> None:
    refused_by_a_rule(province, steps, last, message)


def test_the_policy_names_who_reports_figures(province: Antq, tmp_path: Path) -> None:
    with_policy = policy_options(tmp_path, ACTORS)

    province.ok(*with_policy, *REPORT, actor="Công an tỉnh", role=None)
    local = [
        "--unit",
        "X1",
        "--period-from",
        "2023",
        "--period-to",
        "2023",
        "--value",
        "12",
        "--on",
        "2023-12-31",
        "--reporting-body",
        "UBND xã",
        "--source",
        "Báo cáo 5/BC",
    ]
    province.ok(
        *with_policy,
        "statistic",
        "report",
        "--indicator",
        "MEDIATION_SETTLED",
        *local,
        actor="Tư pháp xã",
        role=None,
    )
    refused = province(
        *with_policy,
        "statistic",
        "report",
        "--indicator",
        "TIPS_RECEIVED",
        *local,
        actor="Tư pháp xã",
        role=None,
    )
    assert refused.exit_code == 1
    assert "may not record statistic.report of indicator TIPS_RECEIVED" in refused.output
    elsewhere = province(*with_policy, *REPORT, actor="Tư pháp xã", role=None)
    assert elsewhere.exit_code == 1 and "acts for X1, not TN" in elsewhere.output
