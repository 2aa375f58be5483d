"""Bulk verbs: import a JSON Lines file (all or nothing, idempotent, dry run) and the demo."""

from __future__ import annotations

import re
from pathlib import Path

from ledger.commands import ACTIONS

from .conftest import Antq, write_jsonl

GOOD = [
    {"action": "unit.register", "code": "TN", "name": "Tỉnh Thử Nghiệm", "kind": "province",
     "effective_on": "2004-01-01"},
    {"action": "unit.register", "code": "X1", "name": "Xã Hòa Bình", "kind": "commune",
     "parent": "TN", "effective_on": "01/01/2004"},
    {"action": "safety.register", "unit": "xã hoà bình", "year": 2023, "effective_on": "2023-02-10",
     "actor": "Lê Văn C", "source": "Đăng ký số 1/ĐK"},
    {"action": "dispute.receive", "unit": "X1", "case": "HG-01", "effective_on": "2023-04-01",
     "summary": "Tranh chấp ranh giới đất"},
]  # fmt: skip
IMPORTED = re.compile(
    r"good\.jsonl: imported 4 lines as (\d+) events in 1 batches; log position (\d+)\n"
)


def test_import_records_every_line(antq: Antq, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "good.jsonl", GOOD)

    output = antq.ok("import", str(file))

    imported = IMPORTED.fullmatch(output)
    assert imported, output
    log = antq.log()
    assert int(imported.group(2)) == log[-1]["position"] == len(log)
    assert [(e["record"], e["event"]) for e in log if not e["record"].startswith("index ")][:4] == [
        ("unit TN", "Registered"),
        ("unit X1", "Registered"),
        ("safety X1 2023", "Registered"),
        ("dispute X1 HG-01", "Received"),
    ]
    assert antq.ok("history", "safety", "X1", "2023") == (
        "v1 10/02/2023 Registered by Lê Văn C (CA_XA) | source=Đăng ký số 1/ĐK, unit=X1, "
        "year=2023, unit_kind=commune\n"
    )


def test_importing_the_same_file_again_writes_nothing(antq: Antq, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "good.jsonl", GOOD)
    antq.ok("import", str(file))
    before = antq.log()

    again = antq.ok("import", str(file))

    assert again == "good.jsonl: already imported (4 lines); nothing new written\n"
    assert antq.log() == before


def test_a_dry_run_validates_and_writes_nothing(antq: Antq, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "good.jsonl", GOOD)

    dry = antq.ok("import", str(file), "--dry-run")

    assert dry == "good.jsonl: 4 lines valid; nothing written (dry run)\n"
    assert antq.log() == []
    assert IMPORTED.fullmatch(antq.ok("import", str(file)))


def test_a_file_with_bad_lines_exits_2_naming_each_line_and_writes_nothing(
    antq: Antq, tmp_path: Path
) -> None:
    file = tmp_path / "bad.jsonl"
    write_jsonl(file, GOOD[:1])
    with file.open("a", encoding="utf-8") as out:
        out.write(
            '{"action": "unit.register", "code": "X1", "name": "Xã Một", "kind": "town", '
            '"parent": "TN", "effective_on": "31/02/2004"}\n'
            "not json\n"
            "\n"
            '{"action": "safety.register", "unit": "X1", "year": "54.307", '
            '"effective_on": "2023-01-10", "colour": "red"}\n'
            '{"action": "safety.approve", "unit": "X1"}\n'
        )

    result = antq("import", str(file))

    assert result.exit_code == 2
    assert result.output == (
        "Error: line 2: effective_on: '31/02/2004' is not a real calendar date\n"
        "line 2: kind: Input should be 'province', 'district', 'commune', 'residential_area', "
        "'agency', 'enterprise' or 'school'\n"
        "line 3: not valid JSON (Expecting value, column 1)\n"
        "line 5: year: '54.307' is not a whole number (write digits only, e.g. 2023)\n"
        "line 5: colour: unknown field\n"
        "line 6: action: unknown action 'safety.approve' (expected one of: "
        f"{', '.join(sorted(ACTIONS))})\n"
        "nothing was written\n"
    )
    assert antq.log() == []


def test_a_line_that_breaks_a_rule_exits_1_and_writes_nothing(antq: Antq, tmp_path: Path) -> None:
    file = write_jsonl(
        tmp_path / "rule.jsonl",
        [*GOOD, {"action": "safety.register", "unit": "NOPE", "year": 2023,
                 "effective_on": "2023-02-01"}],
    )  # fmt: skip

    result = antq("import", str(file))

    assert (result.exit_code, result.output) == (
        1,
        "Error: line 5: unit 'NOPE' is not registered: record it with 'antq unit register'; "
        "nothing was written\n",
    )
    assert antq.log() == []


def test_importing_without_an_actor_exits_2(antq: Antq, tmp_path: Path) -> None:
    file = write_jsonl(tmp_path / "good.jsonl", GOOD[:1])

    result = antq("import", str(file), actor=None)

    assert (result.exit_code, result.output) == (
        2,
        "Error: line 1: actor: required to write: give --actor NAME or set ANTQ_ACTOR\n"
        "nothing was written\n",
    )


def test_importing_a_missing_file_is_a_usage_error(antq: Antq, tmp_path: Path) -> None:
    result = antq("import", str(tmp_path / "missing.jsonl"))

    assert result.exit_code == 2
    assert "Error: Invalid value for 'FILE': File " in result.output


DEMO_FIGURES = [
    "Tỉnh Bình Thuận: 10 districts, 124 communes, 691 residential areas, 809 organisations",
    "An toàn về ANTT 2023: 685/691 thôn, khu phố; 116/124 xã, phường, thị trấn; 795/809 cơ quan, "
    "doanh nghiệp, cơ sở giáo dục",
]


def test_demo_prints_the_seed_figures_and_a_second_run_writes_nothing(antq: Antq) -> None:
    first = antq.ok("demo").splitlines()
    log_size = len(antq.log())
    second = antq.ok("demo").splitlines()

    assert re.fullmatch(
        r"demo: imported (\d+) lines as (\d+) events in (\d+) batches; log position (\d+)", first[0]
    )
    assert first[1:3] == DEMO_FIGURES
    assert re.fullmatch(r"demo: already imported \(\d+ lines\); nothing new written", second[0])
    assert second[1:] == first[1:]
    assert len(antq.log()) == log_size
    assert antq.ok("history", "safety", "BT-PT-PHUTHUY", "2023").startswith("v1 ")
