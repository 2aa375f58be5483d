"""Reported figures in the standings, the export bundle and the inspector's page: listed with
their period, qualifier and source, each beside the figure the ledger counts for the same
indicator, and always saying which kind it is. Both time axes apply; a rebuild gives the same
read model as catching up."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from ledger.application import Clerk, Ledger
from ledger.commands import (
    DisputeReceive,
    DisputeSettle,
    StatisticCorrect,
    StatisticReport,
    StatisticWithdraw,
)
from ledger.imports import import_bytes
from projections.runner import Projector
from projections.standings import Point, standings
from projections.statistics import written

from .conftest import Antq, dump, moment, rebuilt_elsewhere, record, unit

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed-statistics.jsonl"
CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_TINH")
SOURCE = "Hội nghị tổng kết 10 năm chương trình phối hợp, 29/5/2023 (TTXVN)"
KEY = {
    "unit": "KG",
    "indicator": "MEDIATION_SETTLED",
    "period_from": "2013",
    "period_to": "2023",
    "source": SOURCE,
}


def kien_giang_2023(ledger: Ledger) -> None:
    """The seed figures, and two mediation cases of a Kiên Giang commune in 2023 (one settled)."""
    import_bytes(ledger, SEEDS.name, SEEDS.read_bytes(), CLERK)
    record(
        ledger,
        CLERK,
        unit("KG-C01", "commune", "KG"),
        DisputeReceive(unit="KG-C01", case="HG-1", effective_on="2023-03-01"),
        DisputeReceive(unit="KG-C01", case="HG-2", effective_on="2023-04-01"),
        DisputeSettle(unit="KG-C01", case="HG-1", effective_on="2023-03-15"),
    )


def by_kind(result: dict[str, Any], indicator: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"reported": [], "counted": []}
    for item in result["reported"]:
        if item["indicator"] == indicator:
            found[item["kind"]].append(item)
    return found


def test_standings_list_reported_figures_beside_counted_ones(
    ledger: Ledger, projector: Projector
) -> None:
    kien_giang_2023(ledger)
    projector.catch_up()
    result = standings(projector.engine, 2023, "KG")

    assert result["mediation"]["settled"] == 1  # the existing keys are as they were
    mediation = by_kind(result, "MEDIATION_SETTLED")
    assert [(i["value"], i["qualifier"], i["written"]) for i in mediation["reported"]] == [
        ("54307", "exact", "54.307")
    ]
    reported = mediation["reported"][0]
    assert reported["period"] == {"from": "2013-01-01", "to": "2023-12-31"}
    assert reported["source"] == SOURCE
    assert reported["reporting_body"] == "Ủy ban MTTQ và Công an tỉnh Kiên Giang"
    assert mediation["counted"] == [
        {
            "kind": "counted",
            "indicator": "MEDIATION_SETTLED",
            "unit": "KG",
            "period": {"from": "2023-01-01", "to": "2023-12-31"},
            "value": "1",
            "qualifier": "exact",
            "written": "1",
            "measure": "vụ việc",
            "basis": "mediation.settled",
        }
    ]
    kinds = [(i["indicator"], i["kind"]) for i in result["reported"]]
    # Each indicator's reported figures come first, then the ledger's own count, if any.
    assert kinds.index(("MEDIATION_SETTLED", "counted")) == 1 + kinds.index(
        ("MEDIATION_SETTLED", "reported")
    )
    assert ("VOLUNTARY_SURRENDERS", "counted") not in kinds  # the ledger counts no surrenders
    # Thanh Hóa's figures are outside Kiên Giang, and 2025's stock figures outside 2023.
    assert {i["unit"] for i in result["reported"]} == {"KG"}
    assert standings(projector.engine, 2030, "KG")["reported"] == []


def test_a_percentage_beside_the_counted_ratio_and_vague_figures(
    ledger: Ledger, projector: Projector
) -> None:
    kien_giang_2023(ledger)
    projector.catch_up()
    result = standings(projector.engine, 2024, "TH")
    percent = by_kind(result, "UNITS_MEETING_STANDARD_PERCENT")
    assert percent["reported"][0]["written"] == "trên 80%"
    assert percent["counted"][0]["value"] is None  # nothing registered in TH in 2024
    assert by_kind(result, "TIPS_RECEIVED")["reported"][0]["written"] == "hàng nghìn (từ 1.000)"
    assert written("1000", "about", "mô hình", "vi") == "gần 1.000"
    assert written("98.3", "under", "%", "en") == "under 98.3%"


def test_corrections_withdrawals_and_both_time_axes(ledger: Ledger, projector: Projector) -> None:
    kien_giang_2023(ledger)
    before_correction = moment()
    record(
        ledger,
        CLERK,
        StatisticCorrect(
            **KEY, value="54.000", qualifier="over", reason="làm tròn", effective_on="2024-01-10"
        ),
    )
    before_withdrawal = moment()
    record(ledger, CLERK, StatisticWithdraw(**KEY, reason="trùng", effective_on="2024-03-01"))
    projector.catch_up()

    def figure(point: Point) -> list[tuple[str, str]]:
        found = by_kind(standings(projector.engine, 2023, "KG", point), "MEDIATION_SETTLED")
        return [(i["written"], i["status"]) for i in found["reported"]]

    assert figure(Point()) == []  # withdrawn: no longer shown
    assert figure(Point(known_at=before_withdrawal)) == [("trên 54.000", "corrected")]
    assert figure(Point(known_at=before_correction)) == [("54.307", "reported")]
    assert figure(Point(as_of=date(2023, 12, 31))) == [("54.307", "reported")]
    assert figure(Point(as_of=date(2024, 2, 1))) == [("trên 54.000", "corrected")]
    assert figure(Point(as_of=date(2023, 5, 1))) == []  # not yet reported on that date


def test_a_merged_units_figures_show_in_its_successors_scope(
    ledger: Ledger, projector: Projector
) -> None:
    kien_giang_2023(ledger)
    from ledger.commands import UnitMerge

    record(
        ledger,
        CLERK,
        unit("AG", "province"),
        UnitMerge(codes=["KG"], into="AG", effective_on="2025-07-01"),
    )
    projector.catch_up()
    found = by_kind(standings(projector.engine, 2023, "AG"), "MEDIATION_SETTLED")
    assert [i["value"] for i in found["reported"]] == ["54307"]


def test_rebuilding_gives_the_read_model_catching_up_gave(
    ledger: Ledger, projector: Projector, tmp_path: Path
) -> None:
    import_bytes(ledger, SEEDS.name, SEEDS.read_bytes(), CLERK)
    projector.catch_up()  # part of the log, then the rest: forgotten records are recalled
    for model in projector.models:
        model.forget()
    kien_giang_2023_rest = [
        StatisticCorrect(**KEY, value="54.310", reason="đính chính", effective_on="2023-06-01"),
        StatisticReport(
            **{**KEY, "source": "Báo cáo 7/BC-CAT"},
            value=54000,
            qualifier="about",
            reporting_body="Công an tỉnh Kiên Giang",
            effective_on="2023-06-02",
        ),
        StatisticWithdraw(**KEY, reason="trùng", effective_on="2023-07-01"),
    ]
    record(ledger, CLERK, *kien_giang_2023_rest)
    projector.catch_up()

    mine, rebuilt = dump(projector.engine), rebuilt_elsewhere(ledger, tmp_path)
    assert mine == rebuilt
    statuses = [row["status"] for row in mine["read_statistic_facts"]]
    assert statuses[-3:] == ["corrected", "reported", "withdrawn"]
    # The audit trail holds every statistic event once.
    assert len(mine["read_statistic_facts"]) == 13 + 3


def test_the_export_and_the_page_tell_reported_from_counted(antq: Antq, tmp_path: Path) -> None:
    antq.ok("import", str(SEEDS))
    antq.ok(
        "unit",
        "register",
        "--code",
        "KG-C01",
        "--name",
        "Xã Một",
        "--kind",
        "commune",
        "--parent",
        "KG",
        "--on",
        "2004-01-01",
    )
    antq.ok("dispute", "receive", "--unit", "KG-C01", "--case", "HG-1", "--on", "2023-03-01")
    antq.ok("dispute", "settle", "--unit", "KG-C01", "--case", "HG-1", "--on", "2023-03-02")
    antq.ok(
        "statistic",
        "report",
        "--unit",
        "TH",
        "--indicator",
        "MODELS",
        "--period-from",
        "2023",
        "--period-to",
        "2023",
        "--value",
        "1.000",
        "--qualifier",
        "about",
        "--on",
        "2024-01-15",
        "--reporting-body",
        "Công an tỉnh",
        "--source",
        "Báo cáo 1/BC",
    )

    antq.ok("export", "--format", "csv", "--year", "2023", "--out", str(tmp_path / "csv"))
    with (tmp_path / "csv" / "statistics.csv").open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    settled = [r for r in rows if r["Mã chỉ tiêu"] == "MEDIATION_SETTLED"]
    assert [(r["Loại số liệu"], r["Số liệu"]) for r in settled] == [
        ("số liệu báo cáo (không đếm từ sổ cái)", "54.307"),
        ("đếm từ sổ cái", "1"),
    ]
    models = [r for r in rows if r["Mã chỉ tiêu"] == "MODELS"]
    assert [(r["Loại số liệu"], r["Số liệu"], r["Mức chính xác"]) for r in models] == [
        ("số liệu báo cáo (không đếm từ sổ cái)", "gần 1.000", "gần"),
        ("đếm từ sổ cái", "0", "chính xác"),
    ]
    antq.ok("export", "--format", "jsonl", "--year", "2023", "--out", str(tmp_path / "jsonl"))
    lines = (tmp_path / "jsonl" / "statistics.jsonl").read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    assert (first["kind"], first["figure"], first["qualifier"]) == ("reported", "54307", "exact")
    antq.ok("export", "verify", str(tmp_path / "jsonl"))

    page = tmp_path / "page.html"
    antq.ok("report", "--year", "2023", "--scope", "KG", "--out", str(page))
    text = page.read_text("utf-8")
    assert "Số liệu báo cáo (không phải đếm từ sổ cái)" in text
    assert '<tr data-kind="reported" data-indicator="MEDIATION_SETTLED">' in text
    assert '<tr data-kind="counted" data-indicator="MEDIATION_SETTLED">' in text
    again = tmp_path / "again.html"
    antq.ok("report", "--year", "2023", "--scope", "KG", "--out", str(again))
    assert again.read_bytes() == page.read_bytes()  # deterministic


def test_standings_json_from_the_cli_has_the_reported_key(antq: Antq) -> None:
    antq.ok("import", str(SEEDS))
    result = antq.json("standings", "--year", "2023", "--scope", "KG")
    assert {"safety", "models", "awards", "mediation", "reported"} <= set(result)
    assert {item["kind"] for item in result["reported"]} == {"reported", "counted"}
