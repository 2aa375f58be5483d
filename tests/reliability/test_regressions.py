"""Plain regression tests for the defects the fuzz found (one test per defect, its input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.application import Clerk
from ledger.errors import InvalidInput
from ledger.imports import read_lines

from .conftest import VALID, Fixed
from .test_fuzz_cli import run
from .test_fuzz_import import run_import

CLERK = Clerk(actor="Nguyễn Thị Thư Ký")
REVIEW = {"action": "model.review", "code": "MH-CAM", "effective_on": "2024-01-01"}


def problems(data: bytes) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_lines(data, CLERK)
    return caught.value.problems


def test_an_action_that_is_not_a_string_is_named() -> None:
    # was: TypeError (unhashable type: 'list') and a traceback
    assert problems(b'{"action": ["unit.register"]}')[0].startswith(
        "line 1: action: unknown action ['unit.register']"
    )
    assert problems(b'{"action": {"a": 1}}')[0].startswith("line 1: action: unknown action")


def test_json_nested_too_deeply_is_refused() -> None:
    # was: RecursionError and a traceback
    assert problems(b"[" * 100_000) == [
        "line 1: not valid JSON (nested too deeply)",
        "nothing was written",
    ]


def test_a_number_of_over_4300_digits_is_refused() -> None:
    # was: ValueError (Exceeds the limit (4300 digits) for integer string conversion)
    data = b'{"action": "safety.register", "unit": "TN-X1", "year": ' + b"1" * 5000 + b"}"
    assert problems(data)[0] == "line 1: not valid JSON (a number has too many digits)"


def test_a_byte_order_mark_is_not_part_of_the_first_line() -> None:
    # was: line 1: not valid JSON (Unexpected UTF-8 BOM (decode using utf-8-sig), column 1)
    data = b"\xef\xbb\xbf" + json.dumps(REVIEW).encode() + b"\r\n"
    _, lines = read_lines(data, CLERK)
    assert [line.number for line in lines] == [1]


@pytest.mark.parametrize("mark", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_bidirectional_controls_are_refused(mark: str) -> None:
    # was: accepted, so "Xã \u202eHòa Bình" was recorded and shown reversed
    line = {**REVIEW, "finding": f"sơ {mark}kết"}
    assert problems(json.dumps(line).encode())[0] == (
        "line 1: finding: must not contain control characters"
    )


@pytest.mark.parametrize(("key", "named"), [("", "''"), (" a", "' a'"), ("a\nb", "'a\\nb'")])
def test_an_unknown_field_is_named_even_when_blank_or_unprintable(key: str, named: str) -> None:
    # was: "line 1: line: unknown field" for "", and a message broken over two lines for "a\nb"
    data = json.dumps({**REVIEW, key: 1}).encode()
    assert problems(data)[0] == f"line 1: {named}: unknown field"


@pytest.mark.parametrize("line", [True, 2.0, "3.0", "54.307"])
def test_an_award_correction_line_is_a_whole_number(line: object) -> None:
    # was: true and 2.0 accepted as lines 1 and 2
    data = json.dumps({"action": "award.correct", **VALID["award.correct"], "line": line}).encode()
    assert problems(data)[0].startswith("line 1: line: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["history", "unit", "TN\udcff"], "unit 'TN\\udcff': not valid text"),
        (["standings", "--year", "2023", "--scope", "T\udcffN"], "unit 'T\\udcffN': not valid"),
        (["audit", "prove", "model", "MH\udcff"], "model 'MH\\udcff': not valid text"),
    ],
)
def test_a_key_of_invalid_utf8_is_refused(fixed: Fixed, args: list[str], message: str) -> None:
    # was: UnicodeEncodeError ('surrogates not allowed') and a traceback
    result = run(fixed, *args)
    assert result.exit_code == 2 and message in result.output, result.output
    fixed.assert_unchanged()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--actor", "Lê\x00Văn", "actor: must not contain control characters"),
        ("--actor", "x" * 100_000, "actor: String should have at most 500 characters"),
        ("--role", "CA\x1b[31m", "role: must not contain control characters"),
        ("--role", "CA\u202eXA", "role: must not contain control characters"),
        ("--actor", "a\udcffb", "actor: Input should be a valid string"),
    ],
)
def test_a_bad_actor_or_role_is_refused(
    fixed: Fixed, option: str, value: str, message: str
) -> None:
    # was: exit 0 and the value recorded on the event as written
    args = ["model", "review", "--code", "MH-CAM", "--on", "2024-01-01"]
    result = run(fixed, option, value, *args, actor=CLERK.actor if option == "--role" else None)
    assert result.exit_code == 2 and f"Error: {message}" in result.output, result.output
    fixed.assert_unchanged()


def test_a_blank_actor_is_no_actor_and_a_blank_role_the_default(fixed: Fixed) -> None:
    args = ["model", "review", "--code", "MH-CAM", "--on", "2024-01-01"]
    result = run(fixed, "--actor", "   ", *args, actor=None)
    assert result.exit_code == 2 and "actor: required to write" in result.output
    assert run(fixed, "--role", "", *args).exit_code == 0


@pytest.mark.parametrize("verb", [["audit", "digest"], ["audit", "prove", "unit", "TN"]])
def test_an_out_file_in_a_missing_folder_signs_nothing(
    fixed: Fixed, tmp_path: Path, verb: list[str]
) -> None:
    # was: the checkpoint signed and stored (and a signing key created), then exit 2 on writing
    result = run(fixed, *verb, "--out", str(tmp_path / "không có" / "x.json"))
    assert result.exit_code == 2 and "no such folder" in result.output, result.output
    fixed.assert_unchanged()
    assert not Path(f"{fixed.path}.signing-key").exists()


def test_a_bom_file_imports_through_the_cli(fixed: Fixed, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + json.dumps(REVIEW).encode() + b"\r\n"
    result = run_import(fixed, tmp_path, data)
    assert result.exit_code == 0 and "imported 1 lines" in result.output, result.output
