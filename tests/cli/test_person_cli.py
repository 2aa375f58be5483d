"""antq person show|erase and antq history person: the viewing recorded before the data is
shown, erasure as an event (who, when, why), and what an erased person leaves everywhere else."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from ledger.application import Ledger
from ledger.persons import ERASED, SEALED
from ledger.text import format_date, today

from ..conftest import sqlite_only
from .conftest import CLERK, Antq, recorded

SECRET = "Nguyễn Văn Bí Mật"
OTHER = "Trần Thị Hiển Nhiên"
CORRECTED = "Nguyễn Văn Bí Mật Hai"
PARTY = "Lê Văn Tám"
SUMMARY = f"Ông {PARTY} tranh chấp ranh giới với bà Phạm Thị Chín"
NAMES = [SECRET, OTHER, CORRECTED, PARTY]
AWARD = ["UBND-TN", "2023", "12/QĐ-UBND"]
KEY = ["--issuer", "UBND-TN", "--decision", "12/QĐ-UBND", "--year", "2023"]
DPO = {"actor": "Phạm Văn Bảo Vệ", "role": "DPO"}
REASON = "rút lại sự đồng ý"


@pytest.fixture
def awarded(province: Antq) -> Antq:
    """An award to X1 and two individuals (lines 2 and 3), and a dispute with a sealed summary."""
    province.ok(
        "award", "decide", "--issuer", "UBND-TN", "--decision", "12/QĐ-UBND",
        "--level", "province", "--form", "bang_khen", "--on", "2023-12-15",
        "--collective", "X1", "--individual", f"{SECRET}@X1", "--individual", f"{OTHER}@X2",
    )  # fmt: skip
    province.ok(
        "dispute", "receive", "--unit", "X1", "--case", "HG-01", "--on", "2023-05-01",
        "--category", "đất đai", "--summary", SUMMARY,
    )  # fmt: skip
    return province


def award_lines(antq: Antq, actor: str | None = CLERK) -> list[dict]:
    """The decision's lines as history shows them to ``actor`` (whose viewings it records)."""
    return json.loads(antq.ok("history", "award", *AWARD, "--json", actor=actor))[0]["lines"]


def person_on(antq: Antq, line: int) -> str:
    """The person id history shows for an award line (read with no actor: nothing recorded)."""
    return award_lines(antq, actor=None)[line - 1]["person"]["id"]


def summary_subject(antq: Antq) -> str:
    """The person id of the dispute's sealed summary, read from the stored event (history shows
    it too: see below)."""
    ledger = Ledger(antq.db_url)
    try:
        case = ledger.find("dispute", ["X1", "HG-01"])
        return next(iter(ledger.events.get(case.id, limit=1))).summary_subject
    finally:
        ledger.close()


def key_of(antq: Antq, person: str) -> bytes | None:
    ledger = Ledger(antq.db_url)
    try:
        return ledger.recorder.key_for(UUID(person))
    finally:
        ledger.close()


def erase(antq: Antq, person: str, *more: str) -> list[str]:
    return antq.recorded("person", "erase", person, "--reason", REASON, *more, **DPO)


def erased_message(person: str) -> str:
    return (
        f"Error: person {person} was erased on {format_date(today())} ({REASON}): "
        "their data no longer exists\n"
    )


# --- after erasure the person is unreadable everywhere ---------------------------------------


def test_history_shows_the_erased_marker_on_the_erased_persons_line_only(awarded: Antq) -> None:
    person, other = person_on(awarded, 2), person_on(awarded, 3)

    assert erase(awarded, person) == [f"person {person} Opened", f"person {person} Erased"]
    assert [line.get("person") for line in award_lines(awarded)] == [
        None,
        {"id": person, "name": ERASED, "erased": True},
        {"id": other, "name": OTHER},
    ]
    text = awarded.ok("history", "award", *AWARD)
    assert (ERASED in text, OTHER in text, SECRET in text) == (True, True, False)


def test_show_of_an_erased_person_exits_1_saying_erased_and_when(awarded: Antq) -> None:
    person = person_on(awarded, 2)
    erase(awarded, person)
    before = awarded.log()

    result = awarded("person", "show", person, "--purpose", "xác minh")

    assert (result.exit_code, result.output) == (1, erased_message(person))
    assert awarded.log() == before


def test_an_erased_dispute_summary_shows_as_erased(awarded: Antq) -> None:
    subject = summary_subject(awarded)
    assert json.loads(awarded.ok("history", "dispute", "X1", "HG-01", "--json"))[0]["summary"] == (
        SUMMARY
    )

    erase(awarded, subject)

    assert json.loads(awarded.ok("history", "dispute", "X1", "HG-01", "--json"))[0]["summary"] == (
        ERASED
    )
    assert PARTY not in awarded.ok("history", "dispute", "X1", "HG-01")


def test_history_shows_the_person_id_of_a_dispute_summary(awarded: Antq) -> None:
    assert summary_subject(awarded) in awarded.ok("history", "dispute", "X1", "HG-01", "--json")


def report_files(folder: Path) -> dict[str, bytes]:
    """An export's reports (the manifest names the log position, which an erasure moves)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exports_and_standings_hold_no_name_and_keep_their_figures_after_erasure(
    awarded: Antq, tmp_path: Path, fmt: str
) -> None:
    awarded.ok("award", "correct", *KEY, "--line", "2", "--unit", "X1", "--name", CORRECTED,
               "--reason", "đính chính", "--on", "2023-12-20")  # fmt: skip
    standings = ["standings", "--year", "2023", "--json"]
    awarded.ok("export", "--format", fmt, "--out", str(tmp_path / "before"))
    before = awarded.ok(*standings)

    erase(awarded, person_on(awarded, 2))
    erase(awarded, summary_subject(awarded))
    awarded.ok("export", "--format", fmt, "--out", str(tmp_path / "after"))
    after = awarded.ok(*standings)

    exported = report_files(tmp_path / "before")
    everything = b"".join([*exported.values(), before.encode()])
    assert json.loads(before)["awards"] == [
        {"level": "province", "form": "bang_khen", "collective": 1, "individual": 2}
    ]
    assert (json.loads(after), report_files(tmp_path / "after")) == (json.loads(before), exported)
    assert [name for name in NAMES if name.encode() in everything] == []


def test_audit_verify_passes_after_erasure_and_extends_a_digest_taken_before(
    awarded: Antq, tmp_path: Path
) -> None:
    digest = tmp_path / "digest.json"
    awarded.ok("audit", "digest", "--out", str(digest))

    erase(awarded, person_on(awarded, 2))

    assert awarded.ok("audit", "verify").startswith("OK: ")
    assert awarded.ok("audit", "verify", "--digest", str(digest)).startswith("OK: ")


# --- erasure and viewing are events: who, when, why ------------------------------------------


def test_history_person_shows_opened_viewed_and_erased_with_actor_role_and_reason(
    awarded: Antq,
) -> None:
    person = person_on(awarded, 2)
    awarded.ok("person", "show", person, "--purpose", "xác minh hồ sơ", role="TD_KT")
    erase(awarded, person, "--source", "Đơn yêu cầu số 12/2026")

    trail = json.loads(awarded.ok("history", "person", person, "--json"))
    assert [
        (e["event"], e["actor"], e["role"], e["effective_on"], e.get("purpose"), e.get("reason"))
        for e in trail
    ] == [
        ("Opened", CLERK, "TD_KT", today().isoformat(), None, None),
        ("Viewed", CLERK, "TD_KT", today().isoformat(), "xác minh hồ sơ", None),
        ("Erased", DPO["actor"], "DPO", today().isoformat(), None, REASON),
    ]
    assert trail[-1]["source"] == "Đơn yêu cầu số 12/2026"
    text = awarded.ok("history", "person", person).splitlines()
    assert text[-1].endswith(f"Erased by {DPO['actor']} (DPO) | "
                             f"source=Đơn yêu cầu số 12/2026, reason={REASON}")  # fmt: skip


def test_the_log_holds_the_erasure(awarded: Antq) -> None:
    person = person_on(awarded, 2)
    erase(awarded, person)

    last = awarded.log()[-2:]
    assert [(e["record"], e["event"], e["actor"], e["role"]) for e in last] == [
        (f"person {person}", "Opened", DPO["actor"], "DPO"),
        (f"person {person}", "Erased", DPO["actor"], "DPO"),
    ]
    assert f"person {person} Erased by {DPO['actor']} (DPO)" in awarded.ok("log")


# --- history opens personal data only for a reader whose viewing it records -----------------


def test_history_without_an_actor_shows_personal_data_sealed_and_records_nothing(
    awarded: Antq,
) -> None:
    before = awarded.log()

    lines = award_lines(awarded, actor=None)

    assert [line.get("person", {}).get("name") for line in lines] == [None, SEALED, SEALED]
    assert SECRET not in awarded.ok("history", "award", *AWARD, actor=None)
    assert awarded.log() == before


def test_history_for_an_actor_records_a_viewing_of_each_person_it_opens(awarded: Antq) -> None:
    person, other = person_on(awarded, 2), person_on(awarded, 3)

    lines = award_lines(awarded)

    assert [line.get("person", {}).get("name") for line in lines] == [None, SECRET, OTHER]
    viewed = [(e["record"], e["event"], e["actor"]) for e in awarded.log()[-4:]]
    assert sorted(viewed) == sorted(
        (f"person {p}", event, CLERK) for p in (person, other) for event in ("Opened", "Viewed")
    )
    purposes = [
        e.get("purpose") for e in json.loads(awarded.ok("history", "person", person, "--json"))
    ]
    assert purposes == [None, f"history award {' '.join(AWARD)}"]


def test_history_for_an_actor_the_policy_does_not_let_view_shows_data_sealed(
    awarded: Antq, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[actors."Thanh tra Nguyễn"]\nroles = ["INSPECTOR"]\n', "utf-8")
    before = awarded.log()

    shown = json.loads(
        awarded.ok(
            "history",
            "award",
            *AWARD,
            "--json",
            actor="Thanh tra Nguyễn",
            role=None,
            env={"ANTQ_POLICY": str(policy)},
        )
    )[0]["lines"]

    assert [line.get("person", {}).get("name") for line in shown] == [None, SEALED, SEALED]
    assert awarded.log() == before


# --- person show: the viewing is recorded, then each place is printed ------------------------


def test_show_records_the_viewing_then_prints_each_place_opened(awarded: Antq) -> None:
    person = person_on(awarded, 2)
    awarded.ok("award", "correct", *KEY, "--line", "2", "--unit", "X1", "--name", CORRECTED,
               "--birth-year", "1980", "--reason", "đính chính", "--on", "2023-12-20")  # fmt: skip
    decided, corrected = (
        e["position"] for e in awarded.log() if e["record"] == "award " + " ".join(AWARD)
    )

    output = awarded.ok("person", "show", person, "--purpose", "xác minh")

    lines = output.splitlines()
    assert recorded("\n".join(lines[:2])) == [f"person {person} Opened", f"person {person} Viewed"]
    assert lines[2:] == [
        f"#{decided} award UBND-TN 2023 12/QĐ-UBND Decided line 2: name={SECRET}",
        f"#{corrected} award UBND-TN 2023 12/QĐ-UBND LineCorrected line 2: "
        f"birth_year=1980, name={CORRECTED}",
    ]
    viewed = awarded.log()[-1]
    assert (viewed["record"], viewed["event"], f"#{viewed['position']}" in lines[1]) == (
        f"person {person}",
        "Viewed",
        True,
    )
    purposes = [
        e.get("purpose") for e in json.loads(awarded.ok("history", "person", person, "--json"))
    ]
    assert purposes == [None, "xác minh"]


def test_show_of_a_dispute_summary_prints_it_opened(awarded: Antq) -> None:
    subject = summary_subject(awarded)
    received = next(e["position"] for e in awarded.log() if e["event"] == "Received")

    output = awarded.ok("person", "show", subject)

    assert output.splitlines()[2:] == [
        f"#{received} dispute X1 HG-01 Received summary: summary={SUMMARY}"
    ]


def test_show_json_is_an_array_of_places_and_still_records_the_viewing(awarded: Antq) -> None:
    person = person_on(awarded, 2)
    before = len(awarded.log())

    shown = json.loads(awarded.ok("person", "show", person, "--json", "--purpose", "xác minh"))
    again = json.loads(awarded.ok("person", "show", person, "--json"))

    decided = next(e["position"] for e in awarded.log() if e["event"] == "Decided")
    assert (
        shown
        == again
        == [
            {
                "position": decided,
                "record": "award UBND-TN 2023 12/QĐ-UBND",
                "event": "Decided",
                "where": "line 2",
                "name": SECRET,
            }
        ]
    )
    assert [e["event"] for e in awarded.log()[before:]] == ["Opened", "Viewed", "Viewed"]


# --- refusals: the exit code and message, and the log untouched ------------------------------

UNKNOWN = "0123456789abcdef0123456789abcdef"


def refusals(person: str) -> dict[str, tuple[list[str], int, str]]:
    """Refusals, on a ledger where ``person`` (award line 2) was erased today."""
    return {
        "show an unknown id": (
            ["person", "show", UNKNOWN],
            1,
            f"Error: person {UNKNOWN}: no personal data is recorded under this id\n",
        ),
        "erase an unknown id": (
            ["person", "erase", UNKNOWN, "--reason", REASON],
            1,
            f"Error: person {UNKNOWN}: no personal data is recorded under this id\n",
        ),
        "show a malformed id": (
            ["person", "show", "xyz"],
            2,
            "Error: person: 'xyz' is not a person id (32 hex digits, as history shows)\n",
        ),
        "erase a malformed id": (
            ["person", "erase", person[:-1], "--reason", REASON],
            2,
            f"Error: person: '{person[:-1]}' is not a person id (32 hex digits, as history "
            "shows)\n",
        ),
        "erase twice": (
            ["person", "erase", person, "--reason", "lần nữa"], 1, erased_message(person)
        ),
        "erase without --reason": (
            ["person", "erase", person],
            2,
            "Missing option '--reason'",
        ),
        "show an erased person": (["person", "show", person], 1, erased_message(person)),
        "correct an erased person's line with a new name": (
            ["award", "correct", *KEY, "--line", "2", "--unit", "X1", "--name", "Tên Mới",
             "--reason", "đính chính", "--on", "2023-12-20"],
            1,
            f"Error: person {person} was erased: their data cannot be recorded again\n",
        ),
    }  # fmt: skip


REFUSALS = list(refusals("f" * 32))


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refusal_exits_with_its_code_and_message_and_writes_nothing(
    awarded: Antq, case: str
) -> None:
    person = person_on(awarded, 2)
    erase(awarded, person)
    args, code, message = refusals(person)[case]
    before = awarded.log()

    result = awarded(*args)

    assert result.exit_code == code, result.output
    if code == 2 and message.startswith("Missing"):
        assert message in result.output
    else:
        assert result.output == message
    assert awarded.log() == before
    assert key_of(awarded, person) is None


def test_a_backdated_erasure_after_a_viewing_is_refused_and_keeps_the_key(awarded: Antq) -> None:
    person = person_on(awarded, 2)
    awarded.ok("person", "show", person)  # the viewing is dated today
    key = key_of(awarded, person)
    before = awarded.log()

    result = awarded("person", "erase", person, "--reason", REASON, "--on", "2024-01-01", **DPO)

    assert (result.exit_code, result.output) == (
        1,
        f"Error: person {person} began on {format_date(today())}: an event cannot take "
        "effect before that (01/01/2024)\n",
    )
    assert (awarded.log(), key_of(awarded, person)) == (before, key)
    assert key is not None


# --- storage: no personal field in clear text, the key row emptied ---------------------------


@sqlite_only  # scans the database file's bytes
def test_no_personal_field_is_in_the_database_files_before_or_after_erasure(
    awarded: Antq, tmp_path: Path
) -> None:
    db = tmp_path / "antq.db"
    person, subject = person_on(awarded, 2), summary_subject(awarded)

    def in_files() -> list[str]:
        stored = b"".join(path.read_bytes() for path in tmp_path.glob("antq.db*"))
        return [text for text in [*NAMES, SUMMARY, CLERK] if text.encode() in stored]

    shown = awarded.ok("person", "show", person) + awarded.ok("person", "show", subject)
    # The clerk's name is stored in clear text: it proves the search finds what is there.
    assert (SECRET in shown, SUMMARY in shown, in_files()) == (True, True, [CLERK])

    erase(awarded, person)
    erase(awarded, subject)

    with sqlite3.connect(db) as connection:
        keys = dict(connection.execute("SELECT subject_id, key FROM subject_keys"))
    assert in_files() == [CLERK]
    assert (keys[person], keys[subject], len(keys[person_on(awarded, 3)])) == (None, None, 32)
