"""antq migrate: a ledger copied between SQLite and PostgreSQL keeps its events at their log
positions, its integrity root, checkpoints and subject keys; a copy resumes, and a target that
holds anything else is refused and left unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

import ledger.recorder
from ledger.application import Ledger
from ledger.audit import verify
from ledger.migrate import Migration, display_url
from tests.cli.conftest import Antq
from tests.conftest import EXAMPLES

SMALL_PROVINCE = str(EXAMPLES / "small-province.jsonl")
SKIP_A_POSITION = "SELECT nextval(pg_get_serial_sequence('antq_events', 'notification_id'))"


def migrate(source: str, target: str) -> Any:
    return Antq(source)("migrate", "--from", source, "--to", target)


def migrated(source: str, target: str) -> str:
    result = migrate(source, target)
    assert result.exit_code == 0, result.output
    return result.output


def register(antq: Antq, code: str, name: str) -> None:
    antq.ok(
        "unit",
        "register",
        "--code",
        code,
        "--name",
        name,
        "--kind",
        "province",
        "--on",
        "2004-01-01",
    )


def notifications(url: str) -> list[tuple[Any, ...]]:
    app = Ledger(url)
    try:
        found = app.recorder.select_notifications(start=None, limit=1_000_000)
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in found
        ]
    finally:
        app.close()


def verified(url: str) -> Any:
    app = Ledger(url)
    try:
        return verify(app.recorder)
    finally:
        app.close()


def subject_keys(url: str) -> list[tuple[str, bytes]]:
    app = Ledger(url)
    try:
        with app.recorder.cursor() as c:
            c.execute("SELECT subject_id, key FROM subject_keys ORDER BY subject_id")
            return [(subject, bytes(key)) for subject, key in c.fetchall()]
    finally:
        app.close()


@pytest.fixture
def source(tmp_path: Path) -> str:
    """An SQLite ledger holding the small province and a signed checkpoint of it."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    antq = Antq(url)
    antq.ok("import", SMALL_PROVINCE)
    antq.ok("audit", "digest")
    return url


def test_a_round_trip_through_postgres_keeps_the_history_exactly(
    source: str, postgres_url: str, tmp_path: Path
) -> None:
    back = f"sqlite:///{tmp_path / 'back.db'}"
    output = migrated(source, postgres_url)
    events = notifications(source)
    assert f"copied {len(events)} events (log position {events[-1][0]})" in output
    root = verified(source).root
    assert f"integrity root {root.hex()} is the same on both" in output
    migrated(postgres_url, back)

    assert notifications(postgres_url) == events
    assert notifications(back) == events
    keys = subject_keys(source)
    assert keys and subject_keys(postgres_url) == keys == subject_keys(back)
    standings = [
        json.loads(Antq(url).ok("standings", "--year", "2023", "--json"))
        for url in (source, postgres_url, back)
    ]
    assert standings[0] == standings[1] == standings[2]
    for url in (postgres_url, back):
        result = verified(url)
        assert (result.root, result.checkpoints) == (root, 1)
        assert "extends 1 signed checkpoint(s)" in Antq(url).ok("audit", "verify")


def test_an_interrupted_copy_leaves_whole_batches_and_resumes(
    source: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_to_tree, calls = ledger.recorder.append_to_tree, []

    def failing_third_batch(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        append_to_tree(*args)

    source_app, target_app = Ledger(source), Ledger(db_url)
    with monkeypatch.context() as patch:
        patch.setattr(ledger.recorder, "append_to_tree", failing_third_batch)
        with pytest.raises(KeyboardInterrupt), Migration(source_app, target_app, batch=10) as run:
            run.run()
    source_app.close()
    target_app.close()
    events = notifications(source)
    assert notifications(db_url) == events[:20]  # two whole batches, not a part of the third
    assert verified(db_url).tree_size == 20

    output = migrated(source, db_url)
    assert f"copied {len(events) - 20} events, after the 20 the target held" in output
    assert notifications(db_url) == events
    assert verified(db_url).root == verified(source).root
    assert "target already holds all" in migrated(source, db_url)


def test_a_target_holding_other_events_is_refused_and_unchanged(source: str, db_url: str) -> None:
    target = Antq(db_url)
    register(target, "TN", "Tỉnh Khác")
    before = notifications(db_url)

    result = migrate(source, db_url)
    assert result.exit_code == 1
    assert "not the start of the source's log" in result.output
    assert notifications(db_url) == before
    target.ok("audit", "verify")


def test_a_target_holding_more_than_the_source_is_refused(source: str, db_url: str) -> None:
    migrated(source, db_url)
    register(Antq(db_url), "TX", "Tỉnh Mới")
    result = migrate(source, db_url)
    assert result.exit_code == 1
    assert "not the start of the source's log" in result.output


def test_copying_a_ledger_onto_itself_is_invalid_input(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'antq.db'}"
    result = migrate(url, f"sqlite:///{tmp_path / '.' / 'antq.db'}")
    assert result.exit_code == 2
    assert "is the ledger given as --from" in result.output


def test_events_recorded_after_a_migration_come_after_the_copied_ones(
    source: str, db_url: str
) -> None:
    migrated(source, db_url)
    last = notifications(source)[-1][0]
    target = Antq(db_url)
    register(target, "TX", "Tỉnh Mới")
    after = [position for position, *_ in notifications(db_url)]
    assert after[-1] > last and after == sorted(after)
    assert verified(db_url).tree_size == len(after)
    assert "OK:" in target.ok("audit", "verify")


def test_gaps_in_postgres_positions_are_kept(postgres_url: str, tmp_path: Path) -> None:
    antq = Antq(postgres_url)
    for code in ("A", "B", "C"):
        register(antq, code, f"Tỉnh {code}")
        with psycopg.connect(postgres_url) as connection:  # what a failed insert leaves
            connection.execute(SKIP_A_POSITION)
    events = notifications(postgres_url)
    positions = [n[0] for n in events]
    assert positions != list(range(1, len(positions) + 1))

    target = f"sqlite:///{tmp_path / 'gaps.db'}"
    migrated(postgres_url, target)
    assert notifications(target) == events
    register(Antq(target), "D", "Tỉnh D")
    assert notifications(target)[-1][0] > positions[-1]
    assert verified(target).tree_size == len(notifications(target))


def test_urls_are_printed_without_passwords() -> None:
    assert display_url("postgresql://antq:secret@db/antq") == "postgresql://antq:***@db/antq"
    assert display_url("sqlite:///a@b.db") == "sqlite:///a@b.db"
