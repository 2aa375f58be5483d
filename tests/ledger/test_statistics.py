"""Reported statistics: report, correct, withdraw; every refusal names what is wrong; the seed
figures (seeds 002 and 003) import as reported figures, never as personal records."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import (
    StatisticCorrect,
    StatisticReport,
    StatisticWithdraw,
    UnitMerge,
    UnitRegister,
    build,
    parse_action,
)
from ledger.errors import InvalidInput, NotFoundError, RuleViolation
from ledger.imports import import_bytes
from ledger.indicators import Indicator, canonical, parse_number

from .support import events, record, refusal

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed-statistics.jsonl"
SOURCE = "Hội nghị tổng kết 10 năm chương trình phối hợp, 29/5/2023"
KEY = {
    "unit": "KG",
    "indicator": "MEDIATION_SETTLED",
    "period_from": "2013",
    "period_to": "2023",
    "source": SOURCE,
}
HISTORY_KEY = ["KG", "MEDIATION_SETTLED", "2013-01-01", "2023-12-31", SOURCE]


def report(**fields: Any) -> StatisticReport:
    values = {**KEY, "value": "54.307", "reporting_body": "UBMTTQ và Công an tỉnh Kiên Giang",
              "effective_on": "29/05/2023", **fields}  # fmt: skip
    return StatisticReport(**values)


def correct(**fields: Any) -> StatisticCorrect:
    values = {**KEY, "value": "54.370", "reason": "nhầm số", "effective_on": "2023-06-10",
              **fields}  # fmt: skip
    return StatisticCorrect(**values)


def withdraw(**fields: Any) -> StatisticWithdraw:
    return StatisticWithdraw(**{**KEY, "reason": "trùng số liệu", "effective_on": "2023-07-01",
                                **fields})  # fmt: skip


@pytest.fixture
def kien_giang(ledger: Ledger, clerk: Clerk) -> Ledger:
    record(
        ledger,
        clerk,
        UnitRegister(code="KG", name="Tỉnh Kiên Giang", kind="province", effective_on="1976-01-01"),
    )
    return ledger


def test_a_figure_is_reported_corrected_and_withdrawn(kien_giang: Ledger, clerk: Clerk) -> None:
    record(kien_giang, clerk, report(), correct(qualifier="about"), withdraw())

    trail = kien_giang.history("statistic", HISTORY_KEY)
    assert [e["event"] for e in trail] == ["Reported", "Corrected", "Withdrawn"]
    first = trail[0]
    assert (first["value"], first["qualifier"], first["measure"]) == ("54307", "exact", "vụ việc")
    assert (first["period_from"], first["period_to"]) == (date(2013, 1, 1), date(2023, 12, 31))
    assert first["source"] == SOURCE
    assert (trail[1]["value"], trail[1]["qualifier"], trail[1]["reason"]) == (
        "54370",
        "about",
        "nhầm số",
    )


def test_the_key_is_matched_as_typed_years_dates_and_folded_source(
    kien_giang: Ledger, clerk: Clerk
) -> None:
    record(kien_giang, clerk, report())
    typed = ["kg", "mediation_settled", "2013", "31/12/2023", "  hội nghị TỔNG KẾT 10 năm chương "
             "trình phối hợp, 29/5/2023"]  # fmt: skip
    assert events(kien_giang, "statistic", *typed) == ["Reported"]


def test_the_same_document_reports_a_figure_once_another_document_is_another_record(
    kien_giang: Ledger, clerk: Clerk
) -> None:
    record(kien_giang, clerk, report())
    again = refusal(kien_giang, clerk, report(value="54.307"))
    assert again.error is RuleViolation and again.wrote_nothing
    assert "already recorded (54307 (exact), reported)" in again.message
    assert "antq statistic correct" in again.message

    record(kien_giang, clerk, report(source="Báo cáo số 12/BC-CAT, 30/5/2023", value=54300))
    assert events(kien_giang, "statistic", *HISTORY_KEY[:4], "Báo cáo số 12/BC-CAT, 30/5/2023")


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        (lambda: correct(), "correcting a withdrawn figure"),
        (lambda: withdraw(effective_on="2023-08-01"), "withdrawing twice"),
    ],
)
def test_a_withdrawn_figure_is_final(
    kien_giang: Ledger, clerk: Clerk, action: Any, problem: str
) -> None:
    record(kien_giang, clerk, report(), withdraw())
    refused = refusal(kien_giang, clerk, action())
    assert refused.error is RuleViolation and refused.wrote_nothing, problem
    assert "withdrawn" in refused.message


def test_a_correction_must_change_the_figure(kien_giang: Ledger, clerk: Clerk) -> None:
    record(kien_giang, clerk, report())
    refused = refusal(kien_giang, clerk, correct(value="54.307"))
    assert refused.error is RuleViolation and "nothing to correct" in refused.message


def test_a_figure_not_reported_cannot_be_corrected_or_withdrawn(
    kien_giang: Ledger, clerk: Clerk
) -> None:
    for action in (correct(), withdraw()):
        refused = refusal(kien_giang, clerk, action)
        assert refused.error is NotFoundError and "antq statistic report" in refused.message


def test_the_unit_must_exist_during_the_period(kien_giang: Ledger, clerk: Clerk) -> None:
    missing = refusal(kien_giang, clerk, report(unit="XX"))
    assert missing.error is NotFoundError
    record(
        kien_giang,
        clerk,
        UnitRegister(code="AG", name="Tỉnh An Giang", kind="province", effective_on="1976-01-01"),
        UnitMerge(codes=["KG"], into="AG", effective_on="2025-07-01"),
    )
    # After the merge, a figure about the years before it is still a figure of KG ...
    record(kien_giang, clerk, report(effective_on="2025-08-01"))
    # ... but not one about a period after KG ended.
    after = refusal(
        kien_giang, clerk, report(period_from="2026", period_to="2026", effective_on="2026-05-01")
    )
    assert after.error is RuleViolation and "before the period begins" in after.message


def test_a_period_cannot_begin_after_the_report(kien_giang: Ledger, clerk: Clerk) -> None:
    refused = refusal(kien_giang, clerk, report(period_from="2024", period_to="2024"))
    assert refused.error is RuleViolation and "begins later" in refused.message


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"indicator": "MEDIATION_SUCCEEDED"}, "indicator: Input should be 'MEDIATION_RECEIVED'"),
        ({"value": "-5"}, "value: '-5': a reported figure cannot be negative"),
        ({"value": -5}, "value: -5: a reported figure cannot be negative"),
        ({"value": "98.3"}, "value: '98.3' is not a number as Vietnamese writes it"),
        ({"value": "1,000"}, "value: '1,000' is ambiguous"),
        ({"value": "54.30"}, "value: '54.30' is not a number as Vietnamese writes it"),
        ({"value": "nhiều"}, "value: 'nhiều' is not a number"),
        ({"value": "54,5"}, "value: MEDIATION_SETTLED counts vụ việc: give a whole number"),
        ({"indicator": "HOUSEHOLD_COVERAGE_PERCENT", "value": "100,5"}, "value: 100.5 is over 100"),
        ({"period_from": "2023", "period_to": "2013"},
         "period_to: the period ends (2013-12-31) before it starts (2023-01-01)"),
        ({"period_to": "31/02/2023"}, "period_to: '31/02/2023' is not a year or a date"),
        ({"source": None}, "source: Field required"),
        ({"reporting_body": None}, "reporting_body: Field required"),
        ({"qualifier": "thousands", "value": 500}, 'qualifier: "thousands" (hàng nghìn) means'),
        ({"qualifier": "roughly"}, "qualifier: Input should be 'exact'"),
        ({"measure": "%"}, "measure: MEDIATION_SETTLED is measured as a count (vụ việc)"),
        ({"indicator": "HOUSEHOLD_COVERAGE_PERCENT", "value": 99, "measure": "hộ"},
         "measure: HOUSEHOLD_COVERAGE_PERCENT is measured as a percentage (%)"),
    ],
)  # fmt: skip
def test_invalid_reports_are_refused_naming_the_field(fields: dict, problem: str) -> None:
    line = {"action": "statistic.report", **KEY, "value": "54.307", "reporting_body": "UBMTTQ",
            "effective_on": "29/05/2023", **fields}  # fmt: skip
    line = {k: v for k, v in line.items() if v is not None}
    with pytest.raises(InvalidInput) as caught:
        parse_action(json.loads(json.dumps(line)))
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_missing_source_is_refused_on_every_verb() -> None:
    for action in (StatisticReport, StatisticCorrect, StatisticWithdraw):
        with pytest.raises(InvalidInput) as caught:
            build(action, **{k: v for k, v in KEY.items() if k != "source"},
                  value=1, reason="x", reporting_body="x", effective_on="2023-05-29")  # fmt: skip
        assert "source: Field required" in caught.value.problems


@pytest.mark.parametrize(
    ("given", "stored"),
    [("54.307", "54307"), ("1.234.567", "1234567"), ("98,3", "98.3"), ("1.234,50", "1234.50"),
     (54307, "54307"), (98.3, "98.3"), (Decimal("0.1"), "0.1"), ("0", "0")],
)  # fmt: skip
def test_numbers_are_read_the_vietnamese_way_and_kept_exactly(given: object, stored: str) -> None:
    assert canonical(parse_number(given)) == stored


def test_the_seed_figures_import_as_reported_statistics(ledger: Ledger, clerk: Clerk) -> None:
    import_bytes(ledger, SEEDS.name, SEEDS.read_bytes(), clerk)

    lines = [json.loads(line) for line in SEEDS.read_text("utf-8").splitlines()]
    figures = [line for line in lines if line["action"] == "statistic.report"]
    assert {line["indicator"] for line in figures} >= {
        "MEDIATION_SETTLED", "COMMUNITY_MANAGED_DRUG_USERS", "DRUG_USERS_PROGRESSED",
        "VOLUNTARY_SURRENDERS", "TIPS_RECEIVED", "STEERING_BOARDS", "SECURITY_TEAMS",
        "SECURITY_TEAM_MEMBERS", "SOCIAL_SECURITY_TEAMS", "HOUSEHOLD_COVERAGE_PERCENT", "MODELS",
        "UNITS_MEETING_STANDARD_PERCENT",
    }  # fmt: skip
    stored = {}
    for line in figures:
        trail = ledger.history(
            "statistic",
            [line["unit"], line["indicator"], line["period_from"], line["period_to"],
             line["source"]],
        )  # fmt: skip
        assert [e["event"] for e in trail] == ["Reported"]
        stored[line["indicator"]] = (trail[0]["value"], trail[0]["qualifier"])
    assert stored["MEDIATION_SETTLED"] == ("54307", "exact")
    assert stored["SOCIAL_SECURITY_TEAMS"] == ("34931", "exact")
    assert stored["MODELS"] == ("1000", "about")
    assert stored["TIPS_RECEIVED"] == ("1000", "thousands")
    assert stored["UNITS_MEETING_STANDARD_PERCENT"] == ("80", "over")
    # Aggregates only: no personal data was sealed.
    assert not any(entry["record"].startswith("person ") for entry in ledger.log())


def test_the_history_of_a_figure_follows_both_time_axes(kien_giang: Ledger, clerk: Clerk) -> None:
    record(kien_giang, clerk, report())
    between = datetime.now(UTC)
    record(kien_giang, clerk, correct())

    assert events(kien_giang, "statistic", *HISTORY_KEY) == ["Reported", "Corrected"]
    known = kien_giang.history("statistic", HISTORY_KEY, known_at=between)
    assert [e["event"] for e in known] == ["Reported"]
    as_of = kien_giang.history("statistic", HISTORY_KEY, as_of=date(2023, 6, 1))
    assert [e["event"] for e in as_of] == ["Reported"]


def test_every_indicator_has_a_label_and_measure() -> None:
    from ledger.indicators import INDICATORS

    assert set(INDICATORS) == set(Indicator)
    assert all(about.vi and about.en and about.measure for about in INDICATORS.values())


def test_reporting_a_withdrawn_figure_again_says_it_is_final_and_what_to_do(
    kien_giang: Ledger, clerk: Clerk
) -> None:
    record(kien_giang, clerk, report(), withdraw())
    refused = refusal(kien_giang, clerk, report())
    assert "was withdrawn, which is final" in refused.message
    assert "citing the document that restores it" in refused.message
    record(kien_giang, clerk, report(source="Công văn đính chính số 5/CAT"))  # another document


def test_a_count_given_as_a_json_decimal_is_stored_as_the_whole_number(
    kien_giang: Ledger, clerk: Clerk
) -> None:
    from decimal import Decimal

    from ledger.indicators import canonical

    assert canonical(Decimal("54307.0")) == "54307"
    assert canonical(Decimal("98.30")) == "98.30"  # decimals as written
    assert canonical(Decimal("0.0")) == "0"
    assert canonical(Decimal("100")) == "100"
