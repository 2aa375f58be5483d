"""JSON Lines import: all or nothing per file, every bad line named, idempotent, resumable."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import imports
from ledger.application import Clerk, Ledger
from ledger.commands import ACTIONS
from ledger.errors import AlreadyRecordedError, InvalidInput, LedgerError, RuleViolation
from ledger.imports import ImportReport, import_bytes, import_file

from ..conftest import EXAMPLES

EXAMPLE = EXAMPLES / "small-province.jsonl"
ROOT = Path(__file__).resolve().parents[2]


def jsonl(lines: list[dict]) -> bytes:
    return b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)


def example_lines() -> list[dict]:
    return [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]


def events_per_record(ledger: Ledger) -> Counter[str]:
    """How many events each business record holds (lookup indexes and import runs left out)."""
    return Counter(
        entry["record"]
        for entry in ledger.log()
        if entry["record"].split()[0] not in ("index", "import")
    )


def refused_import(ledger: Ledger, clerk: Clerk, data: bytes) -> tuple[LedgerError, bool]:
    """Import ``data``, which must be refused; return the error and whether nothing was written."""
    before = ledger.recorder.max_notification_id()
    with pytest.raises(LedgerError) as caught:
        import_bytes(ledger, "lô-nhập.jsonl", data, clerk)
    return caught.value, ledger.recorder.max_notification_id() == before


def test_the_small_province_example_imports_every_line(ledger: Ledger, clerk: Clerk) -> None:
    report = import_file(ledger, EXAMPLE, clerk)

    assert (report.lines, report.written_lines, events_per_record(ledger)) == (
        40,
        40,
        {
            **{f"unit {code}": 1 for code in ("TN", "TN-X1", "TN-X2", "TN-S1")},
            **{f"unit {code}": 1 for code in ("TN-X1-T1", "TN-X1-T2", "TN-X2-K1", "TN-X2-K2")},
            "safety TN-X1-T1 2023": 2,
            "safety TN-X1-T2 2023": 3,
            "safety TN-X2-K1 2023": 2,
            "safety TN-X2-K2 2023": 2,
            "safety TN-X1 2023": 2,
            "safety TN-X2 2023": 2,
            "safety TN-S1 2023": 2,
            "model MH-CAM": 3,
            "model MH-LG": 1,
            "model MH-CB": 2,
            "award UBND-TN 2023 12/QĐ-UBND": 1,
            "dispute TN-X1 HG-01": 3,
            "dispute TN-X1 HG-02": 4,
            "dispute TN-X2 HG-01": 2,
            "dispute TN-X2 HG-02": 1,
        },
    )


def test_imported_events_carry_the_clerk_and_a_timezone_aware_recording_time(
    ledger: Ledger, clerk: Clerk
) -> None:
    import_file(ledger, EXAMPLE, clerk)
    provenance = {
        (entry["actor"], entry["role"], entry["recorded_at"].utcoffset() is not None)
        for entry in ledger.log()
    }

    assert provenance == {("Nguyễn Thị Thư Ký", "CA_XA", True)}


def test_re_importing_a_file_writes_nothing(ledger: Ledger, clerk: Clerk) -> None:
    import_file(ledger, EXAMPLE, clerk)
    position = ledger.recorder.max_notification_id()
    again = import_file(ledger, EXAMPLE, clerk)

    assert (again, ledger.recorder.max_notification_id()) == (
        ImportReport(lines=40, already_committed=40),
        position,
    )


def test_a_dry_run_validates_the_whole_file_and_writes_nothing(
    ledger: Ledger, clerk: Clerk
) -> None:
    report = import_file(ledger, EXAMPLE, clerk, dry_run=True)

    assert (report, ledger.recorder.max_notification_id()) == (ImportReport(lines=40), None)


def test_a_file_with_one_invalid_line_writes_nothing_and_names_the_line(
    ledger: Ledger, clerk: Clerk
) -> None:
    lines = example_lines()
    lines[8]["year"] = "54.307"

    error, wrote_nothing = refused_import(ledger, clerk, jsonl(lines))

    assert (type(error), error.problems, wrote_nothing) == (
        InvalidInput,
        [
            "line 9: year: '54.307' is not a whole number (write digits only, e.g. 2023)",
            "nothing was written",
        ],
        True,
    )


def test_every_invalid_line_of_a_file_is_named(ledger: Ledger, clerk: Clerk) -> None:
    lines = example_lines()
    lines[2]["colour"] = "đỏ"
    lines[15]["effective_on"] = "31/02/2023"
    lines[29]["recipients"][1]["person"].pop("name")
    raw = jsonl(lines).splitlines(keepends=True)
    raw[14] = b'{"action": "safety.register", "year": }\n'
    data = b"".join(raw)

    error, wrote_nothing = refused_import(ledger, clerk, data)

    assert (error.problems, wrote_nothing) == (
        [
            "line 3: colour: unknown field",
            "line 15: not valid JSON (Expecting value, column 39)",
            "line 16: effective_on: '31/02/2023' is not a real calendar date",
            "line 30: recipients[1].person.name: Field required",
            "nothing was written",
        ],
        True,
    )


KNOWN_ACTIONS = ", ".join(sorted(ACTIONS))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"[1, 2]", 'line 2: line must be a JSON object with an "action" field'),
        (
            b'{"action": "safety.approve"}',
            f"line 2: action: unknown action 'safety.approve' (expected one of: {KNOWN_ACTIONS})",
        ),
        (
            b'{"action": "unit.dissolve", "code": "\xff", "effective_on": "2023-01-01"}',
            "line 2: not valid UTF-8 text",
        ),
        (
            b'{"action": "unit.dissolve", "code": "X"',
            "line 2: not valid JSON (Expecting ',' delimiter, column 40)",
        ),
    ],
    ids=["not-an-object", "unknown-action", "not-utf8", "cut-short"],
)
def test_a_line_that_is_not_an_action_is_named(
    ledger: Ledger, clerk: Clerk, line: bytes, problem: str
) -> None:
    data = EXAMPLE.read_bytes().split(b"\n", 1)[0] + b"\n" + line + b"\n"

    error, wrote_nothing = refused_import(ledger, clerk, data)

    assert (error.problems, wrote_nothing) == ([problem, "nothing was written"], True)


def test_blank_lines_are_skipped_but_keep_the_line_numbers(ledger: Ledger, clerk: Clerk) -> None:
    lines = example_lines()[:3]
    lines[2]["kind"] = "village"
    data = jsonl(lines[:2]) + b"\n  \n" + jsonl(lines[2:])

    error, _ = refused_import(ledger, clerk, data)

    assert error.problems[0].startswith("line 5: kind: Input should be 'province', 'district'")


def test_a_line_that_breaks_a_rule_writes_nothing_and_names_the_line(
    ledger: Ledger, clerk: Clerk
) -> None:
    recognise_denied = {
        "action": "safety.recognise",
        "unit": "TN-X2-K2",
        "year": 2023,
        "effective_on": "2023-12-01",
    }

    error, wrote_nothing = refused_import(
        ledger, clerk, jsonl([*example_lines(), recognise_denied])
    )

    assert (type(error), str(error), wrote_nothing) == (
        RuleViolation,
        "line 41: safety TN-X2-K2 2023 was already denied on 05/11/2023; annul that decision "
        "first; nothing was written",
        True,
    )


def test_a_line_repeating_an_earlier_line_of_the_file_is_refused(
    ledger: Ledger, clerk: Clerk
) -> None:
    lines = example_lines()

    error, wrote_nothing = refused_import(ledger, clerk, jsonl([*lines[:10], lines[8]]))

    assert (type(error), str(error), wrote_nothing) == (
        AlreadyRecordedError,
        "line 11: safety TN-X1-T1 2023 is already recorded; nothing was written",
        True,
    )


def dispute_file(cases: int, assign_every: int = 2) -> list[dict]:
    """Two units, then ``cases`` mediation cases received (and every n-th one assigned)."""
    lines = example_lines()[:2]
    for n in range(1, cases + 1):
        case = {"unit": "TN-X1", "case": f"HG-{n:04}"}
        lines.append({"action": "dispute.receive", **case, "effective_on": "2023-04-01"})
        if n % assign_every == 0:
            lines.append(
                {"action": "dispute.assign", **case, "team": "Tổ 1", "effective_on": "2023-04-02"}
            )
    return lines


def test_a_rule_broken_after_several_batches_writes_no_batch(
    ledger: Ledger, clerk: Clerk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_EVENTS", 50)
    lines = dispute_file(300)
    settle_unknown = {
        "action": "dispute.settle",
        "unit": "TN-X1",
        "case": "HG-9999",
        "effective_on": "2023-05-01",
    }

    error, wrote_nothing = refused_import(ledger, clerk, jsonl([*lines, settle_unknown]))

    assert (str(error), wrote_nothing) == (
        f"line {len(lines) + 1}: dispute TN-X1 HG-9999 is not recorded: record it with "
        "'antq dispute receive'; nothing was written",
        True,
    )


# --- idempotency as a property: any subset of independent lines, in any order --------------

UNITS = example_lines()[:8]
INDEPENDENT = [
    *(
        {"action": "safety.register", "unit": unit, "year": year, "effective_on": f"15/02/{year}"}
        for unit in ("TN-X1", "TN-X2", "TN-X1-T1", "TN-X2-K2", "TN-S1")
        for year in (2021, 2022, 2023)
    ),
    *(
        {"action": "dispute.receive", "unit": unit, "case": f"HG-{n}", "effective_on": "2023-04-01"}
        for unit in ("TN-X1", "Phường Phú Thủy")
        for n in range(1, 5)
    ),
    *(
        {
            "action": "model.register",
            "code": f"MH-{n}",
            "name": f"Mô hình {n}",
            "field": "an ninh trật tự",
            "unit": "TN-X1-T2",
            "effective_on": "2023-03-01",
        }
        for n in range(1, 5)
    ),
]


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(INDEPENDENT), unique_by=json.dumps, min_size=1))
def test_any_valid_file_imports_each_line_once_and_again_writes_nothing(chosen: list[dict]) -> None:
    clerk = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
    data = jsonl([*UNITS, *chosen])
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(f"sqlite:///{folder}/antq.db")
        try:
            first = import_bytes(ledger, "lô.jsonl", data, clerk)
            position = ledger.recorder.max_notification_id()
            again = import_bytes(ledger, "lô.jsonl", data, clerk)
            counts = Counter(events_per_record(ledger).values())
            outcome = (
                first.written_lines,
                again.already_imported,
                ledger.recorder.max_notification_id() == position,
                counts,
            )
        finally:
            ledger.close()

    assert outcome == (len(UNITS) + len(chosen), True, True, {1: len(UNITS) + len(chosen)})


# --- resuming after a real crash ------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path

    from ledger import imports
    from ledger.application import Ledger, Clerk

    imports.BATCH_EVENTS = 400  # several batches from a file of a few thousand lines
    ledger = Ledger(sys.argv[1])

    def crash(through_line):
        os._exit(9)  # no clean-up, no flush: as if the machine lost power after the commit

    imports.import_file(ledger, Path(sys.argv[2]), Clerk(actor="Máy nhập"), progress=crash)
    sys.exit(0)
    """
)
CASES = 1600


@dataclass
class Resumed:
    crash_exit: int
    positions_after_crash: int
    resumed: ImportReport
    third: ImportReport
    position_after_resume: int
    position_after_third: int
    events_per_record: Counter[str]


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory) -> Resumed:
    folder = tmp_path_factory.mktemp("crash")
    url, path = f"sqlite:///{folder / 'antq.db'}", folder / "lô-lớn.jsonl"
    path.write_bytes(jsonl(dispute_file(CASES)))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(path)], cwd=ROOT, capture_output=True, timeout=120
    )
    clerk = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
    ledger = Ledger(url)
    try:
        after_crash = ledger.recorder.max_notification_id() or 0
        report = import_file(ledger, path, clerk)
        after_resume = ledger.recorder.max_notification_id()
        third = import_file(ledger, path, clerk)
        return Resumed(
            crash_exit=child.returncode,
            positions_after_crash=after_crash,
            resumed=report,
            third=third,
            position_after_resume=after_resume,
            position_after_third=ledger.recorder.max_notification_id(),
            events_per_record=events_per_record(ledger),
        )
    finally:
        ledger.close()


@pytest.mark.slow
def test_the_crashed_import_committed_its_first_batch_only(resumed: Resumed) -> None:
    lines = 2 + CASES + CASES // 2

    assert (resumed.crash_exit, 400 <= resumed.positions_after_crash < lines) == (9, True)


@pytest.mark.slow
def test_a_resumed_import_records_every_line_exactly_once(resumed: Resumed) -> None:
    expected = Counter({"unit TN": 1, "unit TN-X1": 1})
    for n in range(1, CASES + 1):
        expected[f"dispute TN-X1 HG-{n:04}"] = 2 if n % 2 == 0 else 1

    assert resumed.events_per_record == expected


@pytest.mark.slow
def test_a_resumed_import_reports_the_lines_already_committed(resumed: Resumed) -> None:
    report = resumed.resumed

    assert (
        report.already_committed > 0,
        report.already_committed + report.written_lines,
    ) == (True, report.lines)


@pytest.mark.slow
def test_a_third_import_of_the_resumed_file_writes_nothing(resumed: Resumed) -> None:
    assert (resumed.third.already_imported, resumed.position_after_third) == (
        True,
        resumed.position_after_resume,
    )
