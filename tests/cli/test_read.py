"""Reading verbs: one record's history (text, JSON, cut by date or version) and the global log."""

from __future__ import annotations

import json

import pytest

from .conftest import Antq

REGISTERED = "v1 10/02/2023 Registered by Lê Văn C (CA_XA) | unit=X1, year=2023, unit_kind=commune"
RECOGNISED = (
    "v2 20/12/2023 Recognised by Lê Văn C (UBND_XA) | decision=55/QĐ-UBND, "
    'flags=["commune_below_70_percent"]'
)
ANNULLED = "v3 15/01/2024 Annulled by Nguyễn Thị Thư Ký (CA_XA) | reason=Kết quả không đúng"


@pytest.fixture
def recognised(province: Antq) -> Antq:
    """X1's 2023 record: registered, recognised (flagged), then annulled."""
    province.ok(
        "safety", "register", "--unit", "X1", "--year", "2023", "--on", "10/02/2023",
        actor="Lê Văn C",
    )  # fmt: skip
    province.ok(
        "safety", "recognise", "--unit", "X1", "--year", "2023", "--on", "20/12/2023",
        "--decision", "55/QĐ-UBND", actor="Lê Văn C", role="UBND_XA",
    )  # fmt: skip
    province.ok(
        "safety", "annul", "--unit", "X1", "--year", "2023", "--on", "2024-01-15",
        "--reason", "Kết quả không đúng",
    )  # fmt: skip
    return province


def test_history_prints_one_line_per_event_oldest_first(recognised: Antq) -> None:
    assert recognised.ok("history", "safety", "X1", "2023") == "\n".join(
        [REGISTERED, RECOGNISED, ANNULLED, ""]
    )


def test_history_finds_a_unit_by_its_name_in_any_tone_placement(recognised: Antq) -> None:
    by_name = recognised.ok("history", "safety", "xã hoà  bình", "2023")

    assert by_name == recognised.ok("history", "safety", "X1", "2023")


def test_history_json_is_utf8_with_vietnamese_as_written(recognised: Antq) -> None:
    output = recognised.ok("history", "safety", "X1", "2023", "--json")
    trail = json.loads(output)

    assert "\\u" not in output
    assert "Lê Văn C" in output and "55/QĐ-UBND" in output
    assert [
        {k: v for k, v in event.items() if k != "recorded_at"} for event in trail
    ] == [
        {"version": 1, "event": "Registered", "actor": "Lê Văn C", "role": "CA_XA",
         "effective_on": "2023-02-10", "source": None, "note": None, "unit": "X1", "year": 2023,
         "unit_kind": "commune", "flags": []},
        {"version": 2, "event": "Recognised", "actor": "Lê Văn C", "role": "UBND_XA",
         "effective_on": "2023-12-20", "source": None, "note": None, "decision": "55/QĐ-UBND",
         "flags": ["commune_below_70_percent"]},
        {"version": 3, "event": "Annulled", "actor": "Nguyễn Thị Thư Ký", "role": "CA_XA",
         "effective_on": "2024-01-15", "source": None, "note": None,
         "reason": "Kết quả không đúng"},
    ]  # fmt: skip
    recorded_at = [event["recorded_at"] for event in trail]
    assert recorded_at == sorted(recorded_at)


def test_history_keeps_names_as_written_and_nfc(province: Antq) -> None:
    province.ok("unit", "rename", "--code", "X2", "--name", "Xã Thuỷ An", "--on", "2020-01-01")

    trail = json.loads(province.ok("history", "unit", "X2", "--json"))

    assert [event.get("name") for event in trail] == ["Xã Thủy An", "Xã Thuỷ An"]


def test_history_shows_an_individual_recipient_unsealed(province: Antq) -> None:
    province.ok(
        "award", "decide", "--issuer", "UBND-TN", "--decision", "12/QĐ-UBND", "--level",
        "province", "--form", "bang_khen", "--on", "15/12/2023", "--individual",
        "Nguyễn Văn An@X1",
    )  # fmt: skip

    (decided,) = json.loads(
        province.ok("history", "award", "UBND-TN", "2023", "12/QĐ-UBND", "--json")
    )

    (line,) = decided["lines"]
    assert line["person"]["name"] == "Nguyễn Văn An"
    assert (line["line"], line["unit"], line["recipient"]) == (1, "X1", "individual")


@pytest.mark.parametrize(
    "cut, lines",
    [
        (["--as-of", "2023-12-19"], [REGISTERED]),
        (["--as-of", "20/12/2023"], [REGISTERED, RECOGNISED]),
        (["--as-of", "2022-12-31"], []),
        (["--version", "1"], [REGISTERED]),
        (["--version", "2"], [REGISTERED, RECOGNISED]),
        (["--version", "9"], [REGISTERED, RECOGNISED, ANNULLED]),
        (["--version", "2", "--as-of", "2023-06-30"], [REGISTERED]),
    ],
)
def test_as_of_and_version_cut_the_trail(
    recognised: Antq, cut: list[str], lines: list[str]
) -> None:
    output = recognised.ok("history", "safety", "X1", "2023", *cut)

    assert output.splitlines() == lines


@pytest.mark.parametrize(
    "key, message",
    [
        (["X1"], "Error: KEY: safety is named by UNIT YEAR\n"),
        (["X1", "2023", "extra"], "Error: KEY: safety is named by UNIT YEAR\n"),
        (["UBND-TN", "2023"], "Error: KEY: award is named by ISSUER YEAR DECISION\n"),
    ],
)
def test_history_with_the_wrong_number_of_key_parts_exits_2(
    recognised: Antq, key: list[str], message: str
) -> None:
    kind = "award" if "UBND-TN" in key else "safety"

    result = recognised("history", kind, *key)

    assert (result.exit_code, result.output) == (2, message)


def test_history_rejects_a_bad_kind_or_date_as_usage_errors(recognised: Antq) -> None:
    bad_kind = recognised("history", "household", "X1")
    bad_date = recognised("history", "safety", "X1", "2023", "--as-of", "2023-02-31")

    assert bad_kind.exit_code == bad_date.exit_code == 2
    assert (
        "'household' is not one of 'unit', 'model', 'award', 'safety', 'dispute', 'person'"
        in bad_kind.output
    )
    assert bad_date.output.endswith(
        "Error: Invalid value for '--as-of': '2023-02-31' is not a real calendar date\n"
    )


def test_history_of_a_record_not_recorded_exits_1(recognised: Antq) -> None:
    result = recognised("history", "safety", "X1", "2030")

    assert (result.exit_code, result.output) == (1, "Error: safety X1 2030 is not recorded\n")


def test_history_of_an_unknown_unit_exits_1(recognised: Antq) -> None:
    result = recognised("history", "unit", "NOPE")

    assert (result.exit_code, result.output) == (
        1,
        "Error: unit 'NOPE' is not registered: record it with 'antq unit register'\n",
    )


def test_log_json_is_an_array_in_increasing_positions(recognised: Antq) -> None:
    output = recognised.ok("log", "--json")
    log = json.loads(output)

    assert "\\u" not in output
    assert [entry["position"] for entry in log] == list(range(1, len(log) + 1))
    assert [(e["record"], e["event"]) for e in log if e["record"].startswith("safety")] == [
        ("safety X1 2023", "Registered"),
        ("safety X1 2023", "Recognised"),
        ("safety X1 2023", "Annulled"),
    ]
    assert set(log[0]) == {"position", "record", "event", "version", "recorded_at", "actor",
                           "role", "effective_on", "source", "note"}  # fmt: skip
    assert log[0]["record"] == "unit TN"
    assert log[0]["actor"] == "Nguyễn Thị Thư Ký"


def test_log_since_and_limit_page_through_the_log(recognised: Antq) -> None:
    everything = recognised.log()

    assert recognised.log("--since", "3") == everything[3:]
    assert recognised.log("--limit", "2") == everything[:2]
    assert recognised.log("--since", "3", "--limit", "4") == everything[3:7]
    assert recognised.log("--since", str(len(everything))) == []


def test_log_text_has_one_line_per_event(recognised: Antq) -> None:
    lines = recognised.ok("log", "--since", "1", "--limit", "2").splitlines()

    assert len(lines) == 2
    assert lines[0].startswith("#2 01/01/2004 ")
    assert lines[1].startswith("#3 01/01/2004 unit X1 Registered by Nguyễn Thị Thư Ký (CA_XA)")


def test_an_empty_log_is_an_empty_json_array(antq: Antq) -> None:
    assert antq.log() == []
    assert antq.ok("log") == ""


def test_log_rejects_a_limit_below_1(antq: Antq) -> None:
    result = antq("log", "--limit", "0")

    assert result.exit_code == 2
    assert "Invalid value for '--limit'" in result.output
