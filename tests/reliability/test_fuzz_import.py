"""Fuzz of the JSON Lines import: valid lines of every action, mutated. A line that must be
refused ends with exit 2 (or 1 for a rule), ``line N: field: problem``, no traceback, and the
ledger unchanged (same log length, same Merkle root, no import record); a line that must be
accepted (an NFD or mixed-tone spelling of a unit's name, CRLF, a BOM) passes ``--dry-run``.

ANTQ_FUZZ_EXAMPLES=5000 runs every test with that many examples.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from cli.main import cli
from ledger.commands import ACTIONS

from .conftest import NAMED_UNITS, RULE_VALID, TRIED, VALID, Fixed, fuzz_settings

CLERK = "Nguyễn Thị Thư Ký"
RUNNER = CliRunner()
ENUMS = {"kind", "level", "form"}
INTS = {"year", "line"}
# Fields that accept numbers as well as text (figures, scores, counts, period bounds): a
# "wrong type" drawn for text could be a valid figure, so the tests of their own families
# (tests/ledger/test_statistics.py, test_classification.py, test_security_orgs.py) fuzz them.
FIGURES = {"value", "score", "members", "households_covered", "households_in_area",
           "period_from", "period_to"}  # fmt: skip
HUGE = 100_000


def line_of(action: str) -> dict[str, Any]:
    return {"action": action, **copy.deepcopy(VALID[action])}


def encode(line: dict[str, Any] | str) -> bytes:
    return (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)).encode()


def run_import(fixed: Fixed, folder: Path, data: bytes, *options: str) -> Result:
    file = folder / "lô nhập.jsonl"
    file.write_bytes(data)
    return invoke(fixed, "import", str(file), *options)


def invoke(fixed: Fixed, *args: str) -> Result:
    result = RUNNER.invoke(cli, ["--db", fixed.url, "--actor", CLERK, *args], prog_name="antq")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args[:3],
        result.output[:2000],
        result.exc_info,
    )
    assert "Traceback" not in result.output
    return result


@dataclass(frozen=True)
class Refused:
    """What a refused file must say: the exit code and the text naming the line and field."""

    exit_code: int
    names: str


def check_refused(fixed: Fixed, folder: Path, data: bytes, expected: Refused) -> None:
    result = run_import(fixed, folder, data)
    shown = (data[:300], result.output[:1500])
    assert result.exit_code == expected.exit_code, shown
    assert result.output.startswith("Error: "), shown
    assert expected.names in result.output, (expected.names, *shown)
    assert "nothing was written" in result.output, shown
    fixed.assert_unchanged(data[:300])


def check_accepted(fixed: Fixed, folder: Path, data: bytes) -> None:
    result = run_import(fixed, folder, data, "--dry-run")
    assert result.exit_code == 0, (data[:300], result.output[:1500])
    assert "nothing written (dry run)" in result.output, result.output
    fixed.assert_unchanged(data[:300])


def fields_of(action: str) -> list[str]:
    return [field for field in VALID[action] if field not in ("action", *FIGURES)]


def required_of(action: str) -> list[str]:
    model = ACTIONS[action]
    return [name for name, info in model.model_fields.items() if info.is_required()]


# --- strategies ------------------------------------------------------------------------------

actions = st.sampled_from(sorted(VALID))
rule_valid_actions = st.sampled_from(RULE_VALID)
NOT_A_STRING = [0, 12, -1, 3.5, True, False, [], ["a"], {}, {"a": 1}]
NOT_A_WHOLE_NUMBER = ["54.307", 54.307, "54,307", "2023x", "", " ", "2023.0", 2023.0, True,
                      [2023], {"year": 2023}, "٢٠٢٣", "２０２３", "1e3", 1e3, "-2023",
                      None]  # fmt: skip
OUT_OF_RANGE_YEARS = [0, 1, 1944, 2101, 54307, -2023, 10**20, "1944", "2101", "0"]
BAD_DATES = ["31/02/2024", "30/02/2024", "29/02/2023", "31/04/2024", "29/5", "29/5/", "5/2024",
             "2024-02-30", "2023-13-01", "2023-00-10", "00/01/2024", "32/01/2024", "20.12.2023",
             "2023/12/20", "2023-1-1", "20-12-2023", "12/20/2023", "", " ", "hôm nay", "2023",
             "2023-12", "2023-12-20T00:00", "２０２３-１２-２０", "٢٠٢٣-١٢-٢٠", "29/02/1900",
             20231220, 2023.12, True, ["2023-12-20"], {"d": 1}, None]  # fmt: skip
# Characters that must be refused inside text (the outer ends are trimmed, so only inside).
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x80",
            "\x9b", "\x9f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
            "\u2068", "\u2069"]  # fmt: skip
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\x28",
                b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80"]  # fmt: skip


@st.composite
def dropped_field(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    field = draw(st.sampled_from([f for f in required_of(action) if f != "action"]))
    line.pop(field, None)
    TRIED["import: required field dropped"] += 1
    return encode(line), Refused(2, f"line 1: {field}: Field required")


def wrong_values(field: str, value: Any) -> list[Any]:
    """Values of the wrong type for ``field`` whose valid value is ``value``."""
    if field == "effective_on":
        return BAD_DATES
    if field in INTS:
        return NOT_A_WHOLE_NUMBER
    if isinstance(value, list):
        return ["TN-X1", 1, {"unit": "TN-X1"}, [], None, True]
    if isinstance(value, dict):
        return ["TN-X1", 1, [], {}, None, {"unit": "TN-X1", "person": {"name": "A", "unit": "B"}}]
    wrong = [*NOT_A_STRING, None, "", "   "]
    if field in ENUMS:
        wrong += ["Province", "xã", "bằng_khen", "com mune", "unknown"]
    if field == "person":
        wrong += ["0" * 31, "g" * 32, "0" * 33, "xyz"]
    return wrong


@st.composite
def wrong_type(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    field = draw(st.sampled_from(fields_of(action)))
    wrong = wrong_values(field, line[field])
    if field not in required_of(action):  # null leaves an optional field out
        wrong = [value for value in wrong if value is not None]
    line[field] = draw(st.sampled_from(wrong))
    TRIED["import: wrong type or value"] += 1
    return encode(line), Refused(2, f"line 1: {field}")


@st.composite
def nested_wrong_type(draw: st.DrawFn) -> tuple[bytes, Refused]:
    """A wrong value inside a recipient: the message names the nested path."""
    action = draw(st.sampled_from(["award.decide", "award.correct"]))
    line = line_of(action)
    person = line["recipients"][1]["person"] if action == "award.decide" else None
    person = person or line["recipient"]["person"]
    field = draw(st.sampled_from(["name", "unit", "birth_year", "position"]))
    bad = NOT_A_WHOLE_NUMBER if field == "birth_year" else [*NOT_A_STRING, "", "x" * HUGE]
    if field == "birth_year":
        bad = [b for b in bad if b is not None] + [1899, 2101]
    person[field] = draw(st.sampled_from(bad))
    path = "recipients[1].person" if action == "award.decide" else "recipient.person"
    TRIED["import: wrong value in a recipient"] += 1
    return encode(line), Refused(2, f"line 1: {path}.{field}")


field_names = st.text(min_size=0, max_size=20).filter(lambda k: k not in ("action",))


@st.composite
def unknown_field(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    key = draw(field_names.filter(lambda k: k not in ACTIONS[action].model_fields))
    line[key] = draw(st.sampled_from(["x", 1, None, [], {}]))
    TRIED["import: unknown field"] += 1
    named = key if key.isprintable() and key.strip() == key and key else repr(key)
    return encode(line), Refused(2, f"line 1: {named}: unknown field")


@st.composite
def huge_string(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    field = draw(st.sampled_from(["action", *fields_of(action)]))
    letter = draw(st.sampled_from(["x", "ệ", "Ư", " a", "1"]))
    line[field] = (letter * HUGE)[:HUGE]
    if isinstance(VALID.get(action, {}).get(field), list):
        line[field] = [line[field]]
    TRIED["import: huge string (100k)"] += 1
    return encode(line), Refused(2, f"line 1: {field}")


def text_fields(action: str) -> list[str]:
    return [f for f, v in VALID[action].items() if isinstance(v, str)]


@st.composite
def control_character(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    field = draw(st.sampled_from(text_fields(action)))
    value = line[field]
    at = draw(st.integers(1, len(value) - 1))
    line[field] = value[:at] + draw(st.sampled_from(CONTROLS)) + value[at:]
    TRIED["import: control character inside text"] += 1
    return encode(line), Refused(2, f"line 1: {field}")


@st.composite
def lone_surrogate(draw: st.DrawFn) -> tuple[bytes, Refused]:
    """A JSON escape of a lone UTF-16 surrogate: valid JSON, not valid text."""
    action = draw(actions)
    line = line_of(action)
    field = draw(st.sampled_from(text_fields(action)))
    line[field] = "\x01MARK\x01"
    escape = draw(st.sampled_from(["\\ud800", "\\udfff", "\\udcff", "\\ud83d"]))
    data = json.dumps(line, ensure_ascii=False).replace("\\u0001MARK\\u0001", f"a{escape}b")
    TRIED["import: lone surrogate escape"] += 1
    return data.encode(), Refused(2, f"line 1: {field}")


@st.composite
def invalid_utf8(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    field = draw(st.sampled_from(text_fields(action)))
    line[field] = "\x01MARK\x01"
    raw = json.dumps(line, ensure_ascii=False).encode()
    data = raw.replace(b"\\u0001MARK\\u0001", b"a" + draw(st.sampled_from(INVALID_UTF8)) + b"b")
    TRIED["import: invalid UTF-8 bytes"] += 1
    return data, Refused(2, "line 1: not valid UTF-8 text")


@st.composite
def bad_number(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(st.sampled_from([a for a in VALID if INTS & set(VALID[a])]))
    line = line_of(action)
    field = draw(st.sampled_from(sorted(INTS & set(VALID[action]))))
    choices = [v for v in NOT_A_WHOLE_NUMBER if v is not None]
    if field == "year":
        choices += OUT_OF_RANGE_YEARS
    else:
        choices += [0, -1, "0", "-3"]
    line[field] = draw(st.sampled_from(choices))
    TRIED["import: '54.307' numbers, years out of range"] += 1
    return encode(line), Refused(2, f"line 1: {field}")


@st.composite
def bad_date(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    day, month = draw(st.sampled_from([(31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11),
                                       (32, 1), (0, 1), (1, 0), (1, 13)]))  # fmt: skip
    year = draw(st.integers(1945, 2100))
    generated = draw(
        st.sampled_from(
            [f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}", f"{day}/{month}"]
        )
    )
    if year % 4:  # 29 February of a common year
        generated = draw(st.sampled_from([generated, f"29/02/{year}", f"{year}-02-29"]))
    line["effective_on"] = draw(st.sampled_from([generated, *BAD_DATES]))
    TRIED["import: impossible or partial date"] += 1
    return encode(line), Refused(2, "line 1: effective_on")


@st.composite
def unknown_action(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(actions)
    line = line_of(action)
    line["action"] = draw(
        st.one_of(
            st.text(max_size=30).filter(lambda a: a not in ACTIONS),
            st.sampled_from(
                [None, 1, 1.5, True, [], ["unit.register"], {"x": 1}, "Unit.Register",
                 "unit.register ", "unit_register", "unit", "unit.", ".register", "unit.delete"]
            ),
        )
    )  # fmt: skip
    if "action" in line and draw(st.booleans()):
        line.pop("action")
    TRIED["import: unknown action"] += 1
    return encode(line), Refused(2, "line 1: action")


@st.composite
def not_an_object(draw: st.DrawFn) -> tuple[bytes, Refused]:
    data = draw(
        st.sampled_from(
            [b"[]", b"null", b"1", b'"unit.register"', b"true", b"[" * 100_000, b"{" * 100_000,
             b'{"action": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", b"{", b"{}", b'{"a": NaN}',
             b"{'action': 'unit.register'}", b"\x00", b"\x1b[31m", b'{"action": "unit.register"}}',
             b'{"action": "safety.register", "unit": "TN-X1", "year": ' + b"1" * 5000 + b"}",
             b'{"action": "safety.register", "year": ' + b"9" * 100_000 + b".5}",
             b'{"action": "award.correct", "line": -' + b"1" * 4301 + b"}"]
        )
    )  # fmt: skip
    TRIED["import: not a JSON object, or nested too deeply"] += 1
    return data, Refused(2, "line 1: ")


@st.composite
def unknown_unit(draw: st.DrawFn) -> tuple[bytes, Refused]:
    action = draw(st.sampled_from([a for a in RULE_VALID if "unit" in VALID[a]]))
    line = line_of(action)
    line["unit"] = draw(
        st.one_of(
            st.sampled_from(["TN-X9", "Xã Hoa Bình", "Xã Hòa Bình 2", "Phường Phú Thụy", "TN X1"]),
            st.from_regex(r"[A-Z]{2}-[A-Z0-9]{1,6}", fullmatch=True).filter(
                lambda c: c not in {"TN-X1", "TN-X2", "TN-S1"} and not c.startswith("TN-X")
            ),
        )
    )
    TRIED["import: unknown unit"] += 1
    return encode(line), Refused(1, "line 1: unit")


def spellings(name: str) -> list[str]:
    """Spellings of ``name`` the ledger must take for the same unit."""
    moved = (name.replace("òa", "oà").replace("ủy", "uỷ").replace("Hòa", "Hoà")
             .replace("Thủy", "Thuỷ"))  # fmt: skip
    return [
        unicodedata.normalize("NFD", name),
        unicodedata.normalize("NFD", moved),
        moved,
        name.upper(),
        name.lower(),
        unicodedata.normalize("NFD", name.casefold()),
        "  " + name.replace(" ", "   ") + " ",
        name.replace(" ", "\t"),
    ]


@st.composite
def valid_spelling(draw: st.DrawFn) -> bytes:
    """A rule-valid line naming its unit by an NFD or mixed-tone spelling of its name."""
    action = draw(st.sampled_from([a for a in RULE_VALID if VALID[a].get("unit") in NAMED_UNITS]))
    line = line_of(action)
    line["unit"] = draw(st.sampled_from(spellings(NAMED_UNITS[line["unit"]])))
    TRIED["import: NFD / mixed-tone unit name (accepted)"] += 1
    return encode(line)


@st.composite
def valid_variants(draw: st.DrawFn) -> bytes:
    """Rule-valid lines with text in NFD, CRLF line ends, blank lines, or a leading BOM."""
    action = draw(rule_valid_actions)
    line = line_of(action)
    for field in text_fields(action):
        if field not in ENUMS and field != "person" and draw(st.booleans()):
            line[field] = unicodedata.normalize("NFD", line[field])
    end = draw(st.sampled_from([b"\n", b"\r\n", b""]))
    data = draw(st.sampled_from([b"", b"\n", b"\r\n", b"  \n"])) + encode(line) + end
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    TRIED["import: NFD text, CRLF, blank lines, BOM (accepted)"] += 1
    return data


REFUSED = st.one_of(
    dropped_field(),
    wrong_type(),
    nested_wrong_type(),
    unknown_field(),
    huge_string(),
    control_character(),
    lone_surrogate(),
    invalid_utf8(),
    bad_number(),
    bad_date(),
    unknown_action(),
    not_an_object(),
)


# --- tests -----------------------------------------------------------------------------------


def test_every_valid_line_is_valid_against_the_base_ledger(fixed: Fixed, tmp_path: Path) -> None:
    """The templates the fuzz mutates are themselves accepted (rule-valid ones by the rules)."""
    assert set(VALID) == set(ACTIONS)
    for action in RULE_VALID:
        check_accepted(fixed, tmp_path, encode(line_of(action)))


@fuzz_settings(300)
@given(case=REFUSED)
def test_a_bad_line_is_refused_naming_its_field(fixed: Fixed, tmp_path: Path, case) -> None:
    data, expected = case
    check_refused(fixed, tmp_path, data, expected)


@fuzz_settings(60)
@given(case=unknown_unit())
def test_an_unknown_unit_is_refused_by_the_rules(fixed: Fixed, tmp_path: Path, case) -> None:
    data, expected = case
    check_refused(fixed, tmp_path, data, expected)


@fuzz_settings(100)
@given(
    good=st.lists(rule_valid_actions, min_size=1, max_size=3),
    blanks=st.lists(st.sampled_from([b"", b"   ", b"\t"]), max_size=2),
    bad=st.one_of(REFUSED, unknown_unit()),
    crlf=st.booleans(),
)
def test_a_bad_line_after_valid_ones_writes_nothing(
    fixed: Fixed, tmp_path: Path, good: list[str], blanks: list[bytes], bad, crlf: bool
) -> None:
    """All or nothing: valid lines before a bad one are not written; the bad line is named by
    its number in the file (blank lines count)."""
    data, expected = bad
    if expected.exit_code == 1:  # a rule: earlier lines must not break one first
        good = good[:1]
    lines = [encode(line_of(action)) for action in good] + blanks
    number = len(lines) + 1
    end = b"\r\n" if crlf else b"\n"
    names = expected.names.replace("line 1:", f"line {number}:")
    TRIED["import: valid lines, then a bad one"] += 1
    check_refused(
        fixed, tmp_path, end.join([*lines, data]) + end, Refused(expected.exit_code, names)
    )


@fuzz_settings(80)
@given(data=st.one_of(valid_spelling(), valid_variants()))
def test_nfd_and_mixed_tone_spellings_are_accepted(fixed: Fixed, tmp_path: Path, data) -> None:
    check_accepted(fixed, tmp_path, data)


@fuzz_settings(80)
@given(data=st.binary(max_size=2000))
def test_a_binary_file_is_refused(fixed: Fixed, tmp_path: Path, data: bytes) -> None:
    TRIED["import: binary file"] += 1
    result = run_import(fixed, tmp_path, data)
    if not any(line.strip() for line in data.removeprefix(b"\xef\xbb\xbf").splitlines()):
        assert result.exit_code == 0 and "no lines to import" in result.output, result.output
    else:
        assert result.exit_code == 2, (data, result.output)
        assert result.output.startswith("Error: line "), result.output
        assert result.output.endswith("nothing was written\n"), result.output
    fixed.assert_unchanged(data)


def test_an_empty_file_writes_nothing(fixed: Fixed, tmp_path: Path) -> None:
    for data in (b"", b"\n\n", b"   \r\n\t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"):
        result = run_import(fixed, tmp_path, data)
        assert (result.exit_code, result.output) == (
            0,
            "lô nhập.jsonl: no lines to import; nothing written\n",
        )
        fixed.assert_unchanged(data)


def test_a_folder_or_a_missing_file_is_refused(fixed: Fixed, tmp_path: Path) -> None:
    for path, problem in ((tmp_path, "is a directory"), (tmp_path / "không có.jsonl", "not exist")):
        result = invoke(fixed, "import", str(path))
        assert result.exit_code == 2, result.output
        assert "Invalid value for 'FILE'" in result.output and problem in result.output
        fixed.assert_unchanged(path)
