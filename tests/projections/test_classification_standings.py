"""Movement classification in the standings and the export bundle: the grade distribution per unit
group (Quảng Nam 2024: 52 organisations, 3 xuất sắc, 45 khá, 4 trung bình), the late
self-assessments, both time axes, and recognition counted apart (tricky case 16: 68 recognised,
52 classified, neither derived from the other)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from ledger.application import Clerk, Ledger
from ledger.commands import (
    ClassificationAnnul,
    ClassificationAppraise,
    ClassificationAssess,
    ClassificationDecide,
    SafetyRecognise,
    SafetyRegister,
)
from projections.runner import Projector
from projections.standings import Point, standings

from .conftest import Antq, dump, moment, rebuilt_elsewhere, record, unit

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="UBND_TINH")
KINDS = ("agency", "enterprise", "school")
GRADES = ["xuat_sac"] * 3 + ["kha"] * 45 + ["trung_binh"] * 4


def classified(code: str, grade: str, *, assessed_on: str = "2024-11-20") -> list:
    return [
        ClassificationAssess(unit=code, year=2024, score=90, proposed_grade=grade,
                             dossier=f"TTr {code}", effective_on=assessed_on),
        ClassificationAppraise(unit=code, year=2024, score=88, proposed_grade=grade,
                               appraiser="Công an tỉnh Quảng Nam", effective_on="2024-12-05"),
        ClassificationDecide(unit=code, year=2024, grade=grade, decision="3000/QĐ-UBND",
                             decided_by="UBND tỉnh Quảng Nam", effective_on="2024-12-20"),
    ]  # fmt: skip


def quang_nam_2024(ledger: Ledger) -> None:
    """68 organisations recognised for the ANTT standard; 52 of them classified 3/45/4, the
    first of those self-assessed late (30/11: the deadline is "trước ngày 30/11")."""
    record(ledger, CLERK, unit("QN", "province"))
    codes = [f"QN-O{n:02d}" for n in range(68)]
    record(ledger, CLERK, *(unit(code, KINDS[n % 3], "QN") for n, code in enumerate(codes)))
    for code in codes:
        record(
            ledger,
            CLERK,
            SafetyRegister(unit=code, year=2024, effective_on="2024-02-01"),
            SafetyRecognise(unit=code, year=2024, decision="2999/QĐ-UBND",
                            effective_on="2024-12-15"),
        )  # fmt: skip
    for n, (code, grade) in enumerate(zip(codes, GRADES, strict=False)):
        record(ledger, CLERK, *classified(code, grade, assessed_on="2024-11-30" if n == 0
                                          else "2024-11-20"))  # fmt: skip


def test_the_quang_nam_distribution_and_recognition_counted_apart(
    ledger: Ledger, projector: Projector
) -> None:
    quang_nam_2024(ledger)
    projector.catch_up()

    result = standings(projector.engine, 2024, "QN")
    organisations = result["classification"]["organisation"]
    assert organisations == {
        "assessed": 52, "xuat_sac": 3, "kha": 45, "trung_binh": 4, "yeu": 0, "decided": 52,
        "late": 1, "written": "3 xuất sắc, 45 khá, 4 trung bình trên tổng số 52",
    }  # fmt: skip
    assert result["classification"]["flags"] == [{"unit": "QN-O00", "rule": "late_self_assessment"}]
    assert result["classification"]["commune"]["decided"] == 0
    assert result["classification"]["commune"]["written"] == "chưa có quyết định xếp loại"
    # Recognition is its own count: 68 recognised, whatever 52 were classified.
    assert result["safety"]["organisation"]["recognised"] == 68
    assert result["safety"]["organisation"]["registered"] == 68


def test_recognition_counts_are_untouched_by_classification(
    ledger: Ledger, projector: Projector
) -> None:
    record(ledger, CLERK, unit("QN", "province"), unit("QN-O1", "school", "QN"))
    record(ledger, CLERK, SafetyRegister(unit="QN-O1", year=2024, effective_on="2024-02-01"))
    projector.catch_up()
    before = standings(projector.engine, 2024, "QN")
    record(ledger, CLERK, *classified("QN-O1", "yeu"))
    projector.catch_up()
    after = standings(projector.engine, 2024, "QN")
    assert {k: v for k, v in after.items() if k != "classification"} == {
        k: v for k, v in before.items() if k != "classification"
    }
    assert before["classification"]["organisation"]["assessed"] == 0
    assert after["classification"]["organisation"]["yeu"] == 1
    # A classified unit is not thereby recognised, nor a recognised one classified.
    assert after["safety"]["organisation"]["recognised"] == 0


def test_both_time_axes_and_an_annulment(ledger: Ledger, projector: Projector) -> None:
    record(ledger, CLERK, unit("QN", "province"), unit("QN-O1", "agency", "QN"))
    record(ledger, CLERK, *classified("QN-O1", "kha"))
    known = moment()
    record(ledger, CLERK, ClassificationAnnul(unit="QN-O1", year=2024, reason="sai sót",
                                              effective_on="2025-01-15"))  # fmt: skip
    projector.catch_up()

    def grades(point: Point) -> tuple[int, int]:
        group = standings(projector.engine, 2024, None, point)["classification"]["organisation"]
        return group["kha"], group["decided"]

    assert grades(Point()) == (0, 0)
    assert grades(Point(known_at=known)) == (1, 1)
    assert grades(Point(as_of=date(2024, 12, 31))) == (1, 1)
    assert grades(Point(as_of=date(2024, 12, 10))) == (0, 0)  # appraised, not yet decided


def test_rebuilding_gives_the_read_model_catching_up_gave(
    ledger: Ledger, projector: Projector, tmp_path: Path
) -> None:
    record(ledger, CLERK, unit("QN", "province"), unit("QN-O1", "agency", "QN"))
    record(ledger, CLERK, *classified("QN-O1", "kha")[:2])
    projector.catch_up()
    for model in projector.models:
        model.forget()  # the decision recalls the record from the log
    record(ledger, CLERK, classified("QN-O1", "kha")[2])
    projector.catch_up()
    here = dump(projector.engine)["read_classification_facts"]
    assert [row["status"] for row in here] == ["assessed", "appraised", "decided"]
    assert rebuilt_elsewhere(ledger, tmp_path)["read_classification_facts"] == here


def test_the_export_has_the_classification_report(antq: Antq, tmp_path: Path) -> None:
    antq.ok("unit", "register", "--code", "QN", "--name", "Tỉnh Quảng Nam", "--kind", "province",
            "--on", "1997-01-01")  # fmt: skip
    antq.ok("unit", "register", "--code", "QN-O1", "--name", "Trường THPT Lê Quý Đôn",
            "--kind", "school", "--parent", "QN", "--on", "1997-01-01")  # fmt: skip
    key = ["--unit", "QN-O1", "--year", "2024"]
    antq.ok("classification", "assess", *key, "--score", "92,5", "--proposed-grade",
            "xuat_sac", "--dossier", "TTr 5", "--on", "2024-12-01")  # fmt: skip
    antq.ok("classification", "appraise", *key, "--score", "90", "--proposed-grade",
            "xuat_sac", "--appraiser", "Công an tỉnh", "--on", "2024-12-05")  # fmt: skip
    antq.ok("classification", "decide", *key, "--grade", "xuat_sac", "--decision",
            "3000/QĐ-UBND", "--decided-by", "UBND tỉnh", "--on", "2024-12-20")  # fmt: skip

    antq.ok("export", "--format", "csv", "--year", "2024", "--out", str(tmp_path / "csv"))
    with (tmp_path / "csv" / "classification.csv").open(encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["Đơn vị", "Năm", "Điểm tự chấm", "Điểm thẩm định", "Xếp loại", "Cơ quan quyết định",
         "Số QĐ", "Nộp đúng hạn"],
        ["QN-O1", "2024", "92,5", "90", "xuất sắc", "UBND tỉnh", "3000/QĐ-UBND", "không"],
    ]  # fmt: skip
    antq.ok("export", "--format", "jsonl", "--year", "2024", "--out", str(tmp_path / "jsonl"))
    lines = (tmp_path / "jsonl" / "classification.jsonl").read_text("utf-8").splitlines()
    row = json.loads(lines[0])
    assert (row["self_score"], row["grade"], row["on_time"]) == ("92.5", "xuat_sac", "no")
    antq.ok("export", "verify", str(tmp_path / "jsonl"))

    summary = antq.json("standings", "--year", "2024")
    assert summary["classification"]["organisation"]["xuat_sac"] == 1
    assert summary["classification"]["flags"] == [{"unit": "QN-O1", "rule": "late_self_assessment"}]
