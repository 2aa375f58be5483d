"""Schema evolution: the events a ledger stored under an earlier schema still read, unchanged.

tests/data/ledger-v1/ holds a ledger written once by the first schema (make_fixture.py), with
what that code showed for it. Every test works on a copy, never on the committed file.

The change under test: ``MediationCase.Received`` v2 renamed ``category`` to ``field`` and added
``initiation`` (Điều 16 Luật Hòa giải ở cơ sở); v1 events are upcast when read, never rewritten.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eventsourcing import utils
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import TopicError, get_topic, resolve_topic

import ledger
from cli.main import cli
from ledger import topics
from ledger.application import Clerk, Ledger
from ledger.audit import verify
from ledger.commands import DisputeReceive, parse_json_line
from ledger.disputes import MediationCase
from ledger.records import Record
from ledger.values import Entry

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ledger-v1"
RECEIVED = "ledger.disputes:MediationCase.Received"
EVENTS_IN_FIXTURE = 69
HISTORIES = {
    "history-unit-TN-X2.json": ["unit", "TN-X2"],
    "history-unit-TN-X3.json": ["unit", "TN-X3"],
    "history-model-MH-01.json": ["model", "MH-01"],
    "history-award-UBND-TN.json": ["award", "UBND-TN", "2023", "12/QĐ-UBND"],
    "history-safety-TN-X2.json": ["safety", "TN-X2", "2023"],
    "history-dispute-TN-X1-HG-01.json": ["dispute", "TN-X1", "HG-01"],
    "history-dispute-TN-X1-HG-02.json": ["dispute", "TN-X1", "HG-02"],
    "history-dispute-TN-X2-HG-01.json": ["dispute", "TN-X2", "HG-01"],
}
# No setting of the caller's may leak in: no actor (reading records nothing), the key beside
# the copy, the ledger in clear.
HERMETIC = {
    "ANTQ_DB": None,
    "ANTQ_ACTOR": None,
    "ANTQ_ROLE": None,
    "ANTQ_POLICY": None,
    "ANTQ_SIGNING_KEY": None,
    "ANTQ_CIPHER_KEY": None,
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A copy of the v1 ledger and its signing key."""
    copy = tmp_path / "ledger.db"
    shutil.copyfile(FIXTURE / "ledger.db", copy)
    shutil.copyfile(FIXTURE / "ledger.db.signing-key", tmp_path / "ledger.db.signing-key")
    return copy


def antq(db: Path, *args: str, actor: str | None = None) -> str:
    options = ["--db", f"sqlite:///{db}", *(["--actor", actor] if actor else [])]
    result = CliRunner().invoke(cli, [*options, *args], env=HERMETIC, prog_name="antq")
    assert result.exit_code == 0, result.output
    return result.stdout


def committed(name: str) -> Any:
    return json.loads((FIXTURE / name).read_text(encoding="utf-8"))


def stored_rows(db: Path) -> list[tuple]:
    """Every stored event's row, as bytes on disk, in log order."""
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()


def as_v2(entry: dict[str, Any]) -> dict[str, Any]:
    """What v1 code showed for a Received event, as v2 shows it: the intended difference."""
    if entry["event"] != "Received":
        return entry
    shown = {k: v for k, v in entry.items() if k != "category"}
    return {**shown, "field": entry["category"], "initiation": None}


# --- the fixture ------------------------------------------------------------------------------

# Families added after v1, whose events the v1 fixture cannot hold.
AFTER_V1 = ("ledger.programmes:", "ledger.statistics:")
AFTER_V1 += ("ledger.classification:",)  # movement classification (QĐ 510)
AFTER_V1 += ("ledger.security_orgs:",)  # security organisations (ban chỉ đạo, tổ bảo vệ ANTT)


def test_the_fixture_is_one_small_file_holding_every_event_class_of_v1(db: Path) -> None:
    assert not list(FIXTURE.glob("ledger.db-*")), "commit ledger.db alone (no -wal, -shm)"
    assert (FIXTURE / "ledger.db").stat().st_size < 1_000_000
    rows = stored_rows(db)
    assert len(rows) == EVENTS_IN_FIXTURE
    event_topics = {
        topic
        for topic, where in topics.TOPICS.items()
        if issubclass(resolve_topic(topic), CanMutateAggregate) and not topic.startswith(AFTER_V1)
    }
    assert {row[3] for row in rows} == event_topics
    # Written by v1: no Received event carries a class version.
    received = [json.loads(row[4]) for row in rows if row[3] == RECEIVED]
    assert len(received) == 4
    assert all("class_version" not in state and "category" in state for state in received)


# --- reading v1 events with v2 code -----------------------------------------------------------


def test_audit_verify_passes_with_the_committed_key_and_checkpoint(db: Path) -> None:
    public_key = antq(db, "audit", "public-key").split()[0]
    assert public_key == (FIXTURE / "public-key.txt").read_text().strip()
    output = antq(db, "audit", "verify", "--digest", str(FIXTURE / "checkpoint.json"))
    assert output.startswith(f"OK: {EVENTS_IN_FIXTURE} events up to log position 69")


def as_v1(standings: dict) -> dict:
    """Standings as v1 showed them: later versions add keys (programmes, reported statistics)
    and must keep v1's keys and values."""
    v1_keys = committed("standings-2023.json").keys()
    assert v1_keys <= standings.keys()
    return {key: standings[key] for key in v1_keys}


def test_the_log_and_standings_show_what_v1_showed(db: Path) -> None:
    assert json.loads(antq(db, "log", "--json")) == committed("log.json")
    for year in (2023, 2025):
        shown = json.loads(antq(db, "standings", "--year", str(year), "--json"))
        assert as_v1(shown) == committed(f"standings-{year}.json")


@pytest.mark.parametrize("name", HISTORIES)
def test_histories_show_what_v1_showed_but_the_renamed_field(db: Path, name: str) -> None:
    shown = json.loads(antq(db, "history", *HISTORIES[name], "--json"))
    assert shown == [as_v2(entry) for entry in committed(name)]


def test_a_v1_received_event_reads_as_v2(db: Path) -> None:
    ledger = Ledger(f"sqlite:///{db}")
    try:
        case_id = MediationCase.id_for("TN-X1", "HG-01")
        received = next(iter(ledger.events.get(case_id, limit=1)))
        assert type(received) is MediationCase.Received
        assert (received.field, received.initiation) == ("đất đai", None)
        assert "category" not in vars(received)
        case = ledger.repository.get(case_id)
        assert (case.field, case.initiation, case.status) == ("đất đai", None, "closed")
        unrecorded = ledger.find("dispute", ["TN-X2", "HG-01"])
        assert (unrecorded.field, unrecorded.initiation) == (None, None)
    finally:
        ledger.close()


def test_the_upcaster_turns_a_hand_built_v1_state_into_v2(db: Path) -> None:
    v1 = {"unit": "TN-X1", "case": "HG-99", "category": "đất đai", "summary_subject": None}
    MediationCase.Received.upcast_v1_v2(v1)
    assert v1 == {
        "unit": "TN-X1",
        "case": "HG-99",
        "field": "đất đai",
        "summary_subject": None,
        "initiation": None,
    }
    # Through the ledger's mapper: a stored v1 state (no class_version) reads as v2.
    ledger = Ledger(f"sqlite:///{db}")
    try:
        state = {
            "timestamp": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
            "originator_topic": "ledger.disputes:MediationCase",
            "actor": "Hoàng Văn E",
            "role": "HOA_GIAI_VIEN",
            "effective_on": date(2023, 8, 1),
            "source": None,
            "note": None,
            "unit": "TN-X1",
            "case": "HG-99",
            "category": "hôn nhân và gia đình",
            "summary_subject": None,
            "sealed_summary": None,
        }
        stored = StoredEvent(
            originator_id=MediationCase.id_for("TN-X1", "HG-99"),
            originator_version=1,
            topic=RECEIVED,
            state=ledger.mapper.transcoder.encode(state),
        )
        event = ledger.mapper.to_domain_event(stored)
        assert (event.field, event.initiation) == ("hôn nhân và gia đình", None)
        assert event.mutate(None).field == "hôn nhân và gia đình"
    finally:
        ledger.close()


def test_rebuilt_read_models_give_the_expected_standings(db: Path) -> None:
    antq(db, "standings", "--year", "2023")  # projected once...
    antq(db, "projections", "rebuild")  # ...then rebuilt from the v1 log
    shown = json.loads(antq(db, "standings", "--year", "2023", "--json"))
    assert as_v1(shown) == committed("standings-2023.json")


# --- writing v2 events beside v1 events -------------------------------------------------------


def test_v2_events_append_to_the_v1_log_and_it_still_verifies(db: Path) -> None:
    before = stored_rows(db)
    antq(
        db, "dispute", "receive", "--unit", "TN-X1", "--case", "HG-03", "--on", "2024-05-02",
        "--category", "đất đai", "--initiation", "mediator", actor="Hoàng Văn E",
    )  # fmt: skip
    line = {"action": "dispute.receive", "unit": "TN-X2", "case": "HG-03", "category": "dân sự",
            "initiation": "proposal", "effective_on": "2024-05-03"}  # fmt: skip
    ledger = Ledger(f"sqlite:///{db}")
    try:
        ledger.execute(parse_json_line(json.dumps(line).encode()), Clerk("Hoàng Văn E"))
        ledger.execute(DisputeReceive(unit="TN-X2", case="HG-04", effective_on="2024-05-04"),
                       Clerk("Hoàng Văn E"))  # fmt: skip
    finally:
        ledger.close()

    after = stored_rows(db)
    assert after[: len(before)] == before  # the v1 rows, byte for byte
    new = [json.loads(row[4]) for row in after[len(before) :] if row[3] == RECEIVED]
    assert [(s["class_version"], s["field"], s["initiation"]) for s in new] == [
        (2, "đất đai", "mediator"),
        (2, "dân sự", "proposal"),
        (2, None, None),
    ]
    assert not any("category" in state for state in new)

    shown = json.loads(antq(db, "history", "dispute", "TN-X1", "HG-03", "--json"))
    assert (shown[0]["field"], shown[0]["initiation"]) == ("đất đai", "mediator")
    shown = json.loads(antq(db, "history", "dispute", "TN-X1", "HG-01", "--json"))
    assert (shown[0]["field"], shown[0]["initiation"]) == ("đất đai", None)
    output = antq(db, "audit", "verify", "--digest", str(FIXTURE / "checkpoint.json"))
    assert output.startswith(f"OK: {EVENTS_IN_FIXTURE + 3} events")


# --- explicit topics --------------------------------------------------------------------------


class RenamedReceived(MediationCase.Received):
    """MediationCase.Received as if renamed and moved to another module."""


def test_a_moved_class_reads_and_writes_under_its_frozen_topic(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The move, as a maintainer records it: the topic stays, its class lives elsewhere.
    monkeypatch.setitem(topics.TOPICS, RECEIVED, topics.location(RenamedReceived))
    monkeypatch.delitem(utils._topic_cache, RECEIVED)
    monkeypatch.setitem(utils._type_cache, RenamedReceived, "")  # undone after the test
    topics.register_topics(RenamedReceived)

    ledger = Ledger(f"sqlite:///{db}")
    try:
        case_id = MediationCase.id_for("TN-X1", "HG-01")
        received = next(iter(ledger.events.get(case_id, limit=1)))
        assert type(received) is RenamedReceived
        assert (received.field, received.initiation) == ("đất đai", None)
        assert ledger.history("dispute", ["TN-X1", "HG-01"])[0]["event"] == "RenamedReceived"

        entry = Entry(actor="Hoàng Văn E", role="HOA_GIAI_VIEN", effective_on=date(2024, 6, 1))
        case = MediationCase._start(
            RenamedReceived,
            MediationCase.id_for("TN-X1", "HG-05"),
            entry,
            unit="TN-X1",
            case="HG-05",
            field="đất đai",
            initiation="request",
            summary_subject=None,
            sealed_summary=None,
        )
        ledger.store(case.collect_events(), {})
        assert stored_rows(db)[-1][3] == RECEIVED  # the frozen topic, not the new location
        assert type(next(iter(ledger.events.get(case.id)))) is RenamedReceived
        assert verify(ledger.recorder).tree_size == EVENTS_IN_FIXTURE + 1
    finally:
        ledger.close()


def _ledger_classes() -> list[type]:
    """Every record class (and every event class its body defines) and every module-level
    event class under ledger/, found by importing each module."""
    found: list[type] = []
    for info in pkgutil.iter_modules(ledger.__path__):
        module = importlib.import_module(f"ledger.{info.name}")
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if issubclass(value, Aggregate) and not inspect.isabstract(value):
                inherited = {n for base in value.__mro__[1:] for n in vars(base)}
                found.append(value)
                found.extend(
                    nested
                    for name, nested in vars(value).items()
                    if isinstance(nested, type)
                    and issubclass(nested, CanMutateAggregate)
                    and name not in inherited
                )
            elif issubclass(value, CanMutateAggregate):
                found.append(value)
    return found


def test_every_event_class_has_exactly_one_explicit_topic() -> None:
    classes = _ledger_classes()
    locations = [topics.location(cls) for cls in classes]
    missing = [where for where in locations if where not in topics.TOPICS.values()]
    assert not missing, f"add each to TOPICS in ledger/topics.py (topic = location): {missing}"
    shared = [where for where, n in Counter(topics.TOPICS.values()).items() if n > 1]
    assert not shared, f"classes given more than one topic in ledger/topics.py: {shared}"
    stale = sorted(set(topics.TOPICS.values()) - set(locations))
    assert not stale, f"ledger/topics.py names classes that are not there (moved?): {stale}"
    for topic, where in topics.TOPICS.items():
        cls = classes[locations.index(where)]
        assert get_topic(cls) == topic
        assert resolve_topic(topic) is cls
    # v1: 8 record classes, 34 event classes; then programmes: 1 record class, 4 event classes;
    # statistics: 1 record class, 3 event classes.
    # classification: 1 record class, 4 event classes.
    # security organisations: 1 record class, 3 event classes.
    assert len(classes) == len(topics.TOPICS) == 42 + 5 + 4 + 5 + 4


def test_a_record_class_without_an_explicit_topic_cannot_be_defined() -> None:
    with pytest.raises(TopicError, match=r"Stray has no explicit topic: add .* ledger/topics.py"):

        class Stray(Record):
            KIND = "stray"

            class Happened(Record.Created):
                pass

            @property
            def key(self) -> tuple[str, ...]:
                return ()
