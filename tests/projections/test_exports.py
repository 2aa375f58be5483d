"""Exports for inspectors: files read back equal the standings; manifests verify offline."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ledger.application import Clerk, Ledger
from ledger.imports import import_file

from ..conftest import EXAMPLES
from .conftest import Antq

GROUPS = ["residential_area", "commune", "organisation"]
COUNTS = ["registered", "recognised", "denied", "annulled"]


@pytest.fixture
def antq_province(antq: Antq, ledger: Ledger, clerk: Clerk) -> Antq:
    import_file(ledger, EXAMPLES / "small-province.jsonl", clerk)
    return antq


def standings_counts(antq: Antq) -> list[list[int]]:
    safety = antq.json("standings", "--year", "2023", "--scope", "TN")["safety"]
    return [[safety[group][count] for count in COUNTS] for group in GROUPS]


def export(antq: Antq, fmt: str, out: Path, *extra: str) -> dict[str, Any]:
    antq.ok("export", "--format", fmt, "--out", str(out), "--year", "2023", "--scope", "TN", *extra)
    return json.loads((out / "manifest.json").read_text("utf-8"))


def test_csv_standings_read_back_equal_the_standings(antq_province: Antq, tmp_path: Path) -> None:
    export(antq_province, "csv", tmp_path / "csv")

    with (tmp_path / "csv" / "standings.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))

    assert rows[0] == ["Năm", "Nhóm đơn vị", "Đăng ký", "Đạt", "Không đạt", "Bị hủy", "Tỷ lệ đạt"]
    assert [[int(v) for v in row[2:6]] for row in rows[1:]] == standings_counts(antq_province)
    assert [row[6] for row in rows[1:]] == ["50,00%", "100,00%", "100,00%"]


def test_csv_in_english_has_english_headers_and_codes(antq_province: Antq, tmp_path: Path) -> None:
    export(antq_province, "csv", tmp_path / "en", "--lang", "en")

    with (tmp_path / "en" / "safety.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))

    t2 = next(row for row in rows if row["Unit code"] == "TN-X1-T2")
    assert (t2["Status"], t2["Unit name"]) == ("annulled", "Thôn 2")


def test_jsonl_is_for_programs_with_iso_dates_and_raw_ratios(
    antq_province: Antq, tmp_path: Path
) -> None:
    export(antq_province, "jsonl", tmp_path / "jsonl")

    lines = (tmp_path / "jsonl" / "standings.jsonl").read_text("utf-8").splitlines()
    standings = [json.loads(line) for line in lines]
    safety_text = (tmp_path / "jsonl" / "safety.jsonl").read_text("utf-8")
    safety = [json.loads(line) for line in safety_text.splitlines()]

    assert [[row[c] for c in COUNTS] for row in standings] == standings_counts(antq_province)
    assert standings[0]["ratio"] == 0.5
    x2 = next(row for row in safety if row["unit"] == "TN-X2")
    assert (x2["status"], x2["decided_on"], x2["decision"]) == (
        "recognised",
        "2023-12-20",
        "56/QĐ-UBND",
    )


def test_xlsx_opens_with_one_sheet_per_report_and_reads_back_the_standings(
    antq_province: Antq, tmp_path: Path
) -> None:
    manifest = export(antq_province, "xlsx", tmp_path / "xlsx")

    workbook = load_workbook(tmp_path / "xlsx" / manifest["files"][0]["name"])
    sheet = workbook["Kết quả An toàn về ANTT"]
    rows = list(sheet.iter_rows(values_only=True))

    assert workbook.sheetnames == [
        "Kết quả An toàn về ANTT",
        "Danh sách đơn vị",
        "Cảnh báo",
        "Mô hình tự phòng, tự quản",
        "Khen thưởng",
        "Hòa giải ở cơ sở",
        "Sắp xếp đơn vị hành chính",
        "Chương trình phối hợp",
        "Số liệu báo cáo",
        "Tổ chức bảo vệ ANTT",
        "Phân loại phong trào",
    ]
    assert [list(row[2:6]) for row in rows[1:]] == standings_counts(antq_province)
    assert [row[6] for row in rows[1:]] == [0.5, 1.0, 1.0]
    flags = list(workbook["Cảnh báo"].iter_rows(values_only=True))[1:]
    assert [row[1] for row in flags] == ["TN-X1", "TN-X2"]


def test_the_manifest_lists_every_file_with_its_hash_and_the_log_position(
    antq_province: Antq, ledger: Ledger, tmp_path: Path
) -> None:
    manifest = export(antq_province, "csv", tmp_path / "csv")

    assert manifest["log_position"] == ledger.recorder.max_notification_id()
    assert sorted(entry["name"] for entry in manifest["files"]) == [
        "awards.csv", "classification.csv", "flags.csv", "lineage.csv", "mediation.csv",
        "models.csv", "programmes.csv", "safety.csv", "security_orgs.csv", "standings.csv",
        "statistics.csv",
    ]  # fmt: skip
    assert (manifest["years"], manifest["scope"], manifest["format"]) == ([2023], "TN", "csv")


def test_export_verify_passes_on_an_untouched_bundle_without_a_database(
    antq_province: Antq, tmp_path: Path
) -> None:
    export(antq_province, "csv", tmp_path / "csv")
    elsewhere = Antq(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")

    result = elsewhere("export", "verify", str(tmp_path / "csv"))

    assert (result.exit_code, result.output.startswith("OK: 11 files match")) == (0, True)


@pytest.mark.parametrize("tamper", ["change", "delete"])
def test_export_verify_exits_3_naming_a_changed_or_missing_file(
    antq_province: Antq, tmp_path: Path, tamper: str
) -> None:
    export(antq_province, "csv", tmp_path / "csv")
    target = tmp_path / "csv" / "awards.csv"
    if tamper == "change":
        target.write_bytes(target.read_bytes().replace(b"2023", b"2024", 1))
    else:
        target.unlink()

    result = antq_province("export", "verify", str(tmp_path / "csv"))

    assert result.exit_code == 3
    assert str(target) in result.output


def test_export_without_format_or_folder_is_a_usage_error(antq_province: Antq) -> None:
    result = antq_province("export", "--year", "2023")

    assert (result.exit_code, "give --format csv|jsonl|xlsx and --out DIR" in result.output) == (
        2,
        True,
    )


def test_the_lineage_report_lists_merges_into_the_scope(
    antq_province: Antq, tmp_path: Path
) -> None:
    antq_province.ok("unit", "merge", "--codes", "TN-X1", "--into", "TN-X2", "--on", "2025-07-01")
    export(antq_province, "jsonl", tmp_path / "jsonl")

    lines = (tmp_path / "jsonl" / "lineage.jsonl").read_text("utf-8").splitlines()

    assert [json.loads(line) for line in lines] == [
        {"unit": "TN-X1", "change": "merged", "effective_on": "2025-07-01", "name": None,
         "successor": "TN-X2"},
    ]  # fmt: skip


def test_the_safety_register_shows_a_unit_by_its_name_at_the_report_point(
    antq_province: Antq, tmp_path: Path
) -> None:
    antq_province.ok("unit", "rename", "--code", "TN-X2", "--name", "Phường Phú Thủy Mới",
                     "--on", "2024-06-01")  # fmt: skip
    export(antq_province, "jsonl", tmp_path / "now")
    export(antq_province, "jsonl", tmp_path / "then", "--as-of", "2023-12-31")

    def name_in(folder: str) -> str:
        text = (tmp_path / folder / "safety.jsonl").read_text("utf-8")
        return next(r["name"] for r in map(json.loads, text.splitlines()) if r["unit"] == "TN-X2")

    assert (name_in("now"), name_in("then")) == ("Phường Phú Thủy Mới", "Phường Phú Thủy")


def test_export_verify_refuses_a_manifest_that_is_not_one(
    antq_province: Antq, tmp_path: Path
) -> None:
    export(antq_province, "csv", tmp_path / "csv")
    (tmp_path / "csv" / "manifest.json").write_text("[1, 2]", "utf-8")

    result = antq_province("export", "verify", str(tmp_path / "csv"))

    assert (result.exit_code, "not a manifest" in result.output) == (3, True)


def test_export_into_a_folder_that_cannot_be_made_exits_2_naming_it(
    antq_province: Antq, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")

    result = antq_province("export", "--format", "csv", "--out", str(blocker / "out"))

    assert result.exit_code == 2
    assert str(blocker) in result.output
    assert "Traceback" not in result.output
