"""Tampering with the SQLite file underneath the ledger: ``verify`` names the first bad position.

Each test edits a copy of a real ledger file with the ``sqlite3`` module, as someone with write
access to the database (and none to the signing key) could.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import scan
from ledger.application import Clerk, Ledger
from ledger.audit import check_proof, issue_checkpoint, prove, verify
from ledger.commands import DisputeReceive
from ledger.errors import IntegrityError
from ledger.imports import import_file
from ledger.merkle import Frontier, Node, leaf_hash
from ledger.signing import Checkpoint, load_or_create_key

from ..conftest import EXAMPLES

CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")
ANTQ = Path(sys.executable).with_name("antq")
HERMETIC_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("ANTQ_")},
    "PYTHONIOENCODING": "utf-8",
}
EVENTS = "stored_events"
COLUMNS = "originator_id, originator_version, topic, state"


def receive(unit: str, case: str) -> DisputeReceive:
    return DisputeReceive(unit=unit, case=case, effective_on="2023-09-01")


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite file (WAL included), rowids kept."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger file: the example province imported, then a few more actions one by one."""
    path = tmp_path_factory.mktemp("prepared") / "antq.db"
    ledger = Ledger(f"sqlite:///{path}")
    try:
        import_file(ledger, EXAMPLES / "small-province.jsonl", CLERK)
        # Enough events for the tree to store interior nodes (complete subtrees of 256 leaves).
        cases = path.with_name("cases.jsonl")
        cases.write_text(
            "".join(
                json.dumps(
                    {
                        "action": "dispute.receive",
                        "unit": "TN-X1",
                        "case": f"HG-B{n}",
                        "effective_on": "2023-08-01",
                    }
                )
                + "\n"
                for n in range(300)
            ),
            "utf-8",
        )
        import_file(ledger, cases, CLERK)
        for n in range(1, 4):
            ledger.execute(receive("TN-X1", f"HG-T{n}"), CLERK)
    finally:
        ledger.close()
    return path


@pytest.fixture
def db(prepared: Path, tmp_path: Path) -> Path:
    return copy_database(prepared, tmp_path / "antq.db")


def verified(path: Path, checkpoint: Checkpoint | None = None):
    """What ``verify`` says of the ledger in ``path`` (opened as ``antq audit verify`` opens it,
    without checking how its first event is stored)."""
    ledger = Ledger(f"sqlite:///{path}", check_key=False)
    try:
        return verify(ledger.recorder, checkpoint)
    finally:
        ledger.close()


def failure(path: Path, checkpoint: Checkpoint | None = None) -> str:
    """The message of the IntegrityError ``verify`` must raise."""
    with pytest.raises(IntegrityError) as caught:
        verified(path, checkpoint)
    return str(caught.value)


def first_bad(message: str) -> int:
    match = re.match(r"position (\d+):", message)
    assert match, message
    return int(match.group(1))


@contextmanager
def edit(path: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction on the file, outside the ledger."""
    with closing(sqlite3.connect(path)) as connection, connection:
        yield connection


def count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {EVENTS}").fetchone()[0]


def row(c: sqlite3.Connection, position: int) -> tuple:
    return c.execute(f"SELECT {COLUMNS} FROM {EVENTS} WHERE rowid = ?", (position,)).fetchone()


def last_position(c: sqlite3.Connection) -> int:
    return c.execute(f"SELECT MAX(rowid) FROM {EVENTS}").fetchone()[0]


def make_room(c: sqlite3.Connection, position: int) -> None:
    """Move every event from ``position`` on one rowid up, leaving ``position`` free."""
    for (rowid,) in c.execute(
        f"SELECT rowid FROM {EVENTS} WHERE rowid >= ? ORDER BY rowid DESC", (position,)
    ).fetchall():
        c.execute(f"UPDATE {EVENTS} SET rowid = rowid + 1 WHERE rowid = ?", (rowid,))


def drop_unique_key(c: sqlite3.Connection) -> None:
    """Rebuild the events table without its (record, version) key, rowids kept: what it takes
    to store the same event twice."""
    c.execute(f"ALTER TABLE {EVENTS} RENAME TO old_events")
    c.execute(
        f"CREATE TABLE {EVENTS} (originator_id TEXT, originator_version INTEGER, topic TEXT, "
        "state BLOB)"
    )
    c.execute(f"INSERT INTO {EVENTS} (rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM old_events")
    c.execute("DROP TABLE old_events")


def flip_byte(value: bytes, at: int, new: int | None = None) -> bytes:
    changed = bytearray(value)
    changed[at] = changed[at] ^ 0x01 if new is None else new
    return bytes(changed)


def rebuild_tree(c: sqlite3.Connection) -> None:
    """Recompute every leaf and node from the events as they now stand (an attacker who knows
    the tree's public construction)."""
    c.execute("DELETE FROM integrity_leaves")
    c.execute("DELETE FROM integrity_nodes")
    frontier, nodes, positions = Frontier(), list[Node](), []
    for rowid, record_id, version, topic, state in c.execute(
        f"SELECT rowid, {COLUMNS} FROM {EVENTS} ORDER BY rowid"
    ).fetchall():
        frontier.append(leaf_hash(rowid, record_id, version, topic, state), nodes)
        positions.append(rowid)
    c.executemany(
        "INSERT INTO integrity_leaves (idx, position, hash) VALUES (?, ?, ?)",
        [(idx, positions[idx], value) for level, idx, value in nodes if level == 0],
    )
    c.executemany(
        "INSERT INTO integrity_nodes (level, idx, hash) VALUES (?, ?, ?)",
        [node for node in nodes if node[0] > 0],
    )


# --- an untouched ledger --------------------------------------------------------------------


def test_an_untouched_ledger_verifies_with_one_leaf_per_event(db: Path) -> None:
    result = verified(db)

    assert (result.tree_size, result.log_position, result.checkpoints) == (
        count(db),
        count(db),
        0,
    )


# --- events changed, deleted, inserted, duplicated, moved -----------------------------------

MIDDLE = 20


def test_one_changed_byte_of_an_events_state_is_named_by_position(db: Path) -> None:
    with edit(db) as c:
        state = row(c, MIDDLE)[3]
        c.execute(
            f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?",
            (flip_byte(state, len(state) // 2), MIDDLE),
        )

    assert first_bad(failure(db)) == MIDDLE


def test_a_changed_topic_is_named_by_position(db: Path) -> None:
    with edit(db) as c:
        c.execute(
            f"UPDATE {EVENTS} SET topic = topic || 'x' WHERE rowid = ?",
            (MIDDLE,),
        )

    assert first_bad(failure(db)) == MIDDLE


def test_a_changed_version_is_named_by_position(db: Path) -> None:
    with edit(db) as c:
        c.execute(
            f"UPDATE {EVENTS} SET originator_version = originator_version + 1000 WHERE rowid = ?",
            (MIDDLE,),
        )

    assert first_bad(failure(db)) == MIDDLE


def test_an_event_moved_to_another_record_is_named_by_position(db: Path) -> None:
    with edit(db) as c:
        c.execute(f"UPDATE {EVENTS} SET originator_id = ? WHERE rowid = ?", ("00" * 16, MIDDLE))

    assert first_bad(failure(db)) == MIDDLE


def test_a_deleted_event_in_the_middle_is_named_as_missing(db: Path) -> None:
    with edit(db) as c:
        c.execute(f"DELETE FROM {EVENTS} WHERE rowid = ?", (MIDDLE,))

    message = failure(db)

    assert (first_bad(message), "missing" in message) == (MIDDLE, True)


def test_the_deleted_last_event_is_named_as_missing(db: Path) -> None:
    with edit(db) as c:
        last = last_position(c)
        c.execute(f"DELETE FROM {EVENTS} WHERE rowid = ?", (last,))

    message = failure(db)

    assert (first_bad(message), "missing" in message) == (last, True)


def test_an_event_appended_around_the_ledger_is_named_as_not_covered(db: Path) -> None:
    with edit(db) as c:
        last = last_position(c)
        record_id, version, topic, state = row(c, MIDDLE)
        c.execute(
            f"INSERT INTO {EVENTS} (rowid, {COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            (last + 1, record_id, version + 1000, topic, state),
        )

    message = failure(db)

    assert (first_bad(message), "does not cover" in message) == (last + 1, True)


def test_an_event_slipped_into_the_middle_is_named_at_its_position(db: Path) -> None:
    with edit(db) as c:
        record_id, version, topic, state = row(c, 5)
        make_room(c, MIDDLE)
        c.execute(
            f"INSERT INTO {EVENTS} (rowid, {COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            (MIDDLE, record_id, version + 1000, topic, state),
        )

    assert first_bad(failure(db)) == MIDDLE


def test_an_event_stored_twice_at_the_end_is_named_at_the_copy(db: Path) -> None:
    with edit(db) as c:
        drop_unique_key(c)
        last = last_position(c)
        c.execute(
            f"INSERT INTO {EVENTS} (rowid, {COLUMNS}) SELECT ?, {COLUMNS} FROM {EVENTS} "
            "WHERE rowid = ?",
            (last + 1, MIDDLE),
        )

    assert first_bad(failure(db)) == last + 1


def test_an_event_stored_twice_in_a_row_is_named_at_the_copy(db: Path) -> None:
    with edit(db) as c:
        drop_unique_key(c)
        make_room(c, MIDDLE + 1)
        c.execute(
            f"INSERT INTO {EVENTS} (rowid, {COLUMNS}) SELECT ?, {COLUMNS} FROM {EVENTS} "
            "WHERE rowid = ?",
            (MIDDLE + 1, MIDDLE),
        )

    assert first_bad(failure(db)) == MIDDLE + 1


def test_two_events_swapped_are_named_at_the_earlier(db: Path) -> None:
    later = MIDDLE + 7
    with edit(db) as c:
        first, second = row(c, MIDDLE), row(c, later)
        # Park one row out of the way: (record, version) is unique.
        c.execute(f"UPDATE {EVENTS} SET rowid = -1 WHERE rowid = ?", (MIDDLE,))
        c.execute(f"UPDATE {EVENTS} SET rowid = ? WHERE rowid = ?", (MIDDLE, later))
        c.execute(f"UPDATE {EVENTS} SET rowid = ? WHERE rowid = -1", (later,))
        assert (row(c, MIDDLE), row(c, later)) == (second, first)

    assert first_bad(failure(db)) == MIDDLE


def test_two_events_states_swapped_are_named_at_the_earlier(db: Path) -> None:
    later = MIDDLE + 7
    with edit(db) as c:
        first, second = row(c, MIDDLE)[3], row(c, later)[3]
        assert first != second
        c.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?", (second, MIDDLE))
        c.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?", (first, later))

    assert first_bad(failure(db)) == MIDDLE


def test_an_event_changed_with_its_leaf_recomputed_fails_on_the_trees_nodes(db: Path) -> None:
    # The leaf alone rewritten to match: the stored node above it still commits to the old bytes.
    with edit(db) as c:
        record_id, version, topic, state = row(c, MIDDLE)
        state = flip_byte(state, 0)
        c.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?", (state, MIDDLE))
        c.execute(
            "UPDATE integrity_leaves SET hash = ? WHERE position = ?",
            (leaf_hash(MIDDLE, record_id, version, topic, state), MIDDLE),
        )

    assert "was altered" in failure(db)


# --- every single-field change of every event --------------------------------------------


@st.composite
def mutations(draw: st.DrawFn, size: int) -> tuple[int, str, object]:
    """A position, a column, and how to change it (always to a different value)."""
    position = draw(st.integers(1, size), label="position")
    column = draw(st.sampled_from(["originator_version", "topic", "state"]), label="column")
    if column == "originator_version":
        # Far from any real version: (record, version) stays unique.
        return position, column, draw(st.integers(1000, 2**40))
    return position, column, (draw(st.floats(0, 1, exclude_max=True)), draw(st.integers(1, 255)))


def mutate(c: sqlite3.Connection, position: int, column: str, how: object) -> None:
    value = c.execute(f"SELECT {column} FROM {EVENTS} WHERE rowid = ?", (position,)).fetchone()[0]
    if column == "originator_version":
        new = value + how
    else:
        where, delta = how
        raw = value.encode() if column == "topic" else bytes(value)
        at = int(where * len(raw))
        if column == "topic":
            # Stay within ASCII so the topic stays valid text.
            new = flip_byte(raw, at, (raw[at] + delta) % 128 or 1).decode()
            if new == value:
                new = flip_byte(raw, at, (raw[at] + 1) % 128 or 2).decode()
        else:
            new = flip_byte(raw, at, (raw[at] + delta) % 256)
    assert new != value
    c.execute(f"UPDATE {EVENTS} SET {column} = ? WHERE rowid = ?", (new, position))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_every_change_to_any_stored_event_is_detected_at_its_position(
    prepared: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    position, column, how = data.draw(mutations(count(prepared)))
    db = copy_database(prepared, tmp_path_factory.mktemp("mutated") / "antq.db")
    with edit(db) as c:
        mutate(c, position, column, how)

    assert first_bad(failure(db)) == position


# --- signed checkpoints: truncation and rewrites with every hash recomputed ----------------


@pytest.fixture
def key(tmp_path: Path):
    return load_or_create_key(tmp_path / "antq.db.signing-key")


@pytest.fixture
def kept(db: Path, key) -> Checkpoint:
    """A checkpoint an inspector kept, after which the ledger recorded more events."""
    ledger = Ledger(f"sqlite:///{db}")
    try:
        checkpoint = issue_checkpoint(ledger.recorder, key)
        for n in range(1, 6):
            ledger.execute(receive("TN-X2", f"HG-K{n}"), CLERK)
    finally:
        ledger.close()
    return checkpoint


def truncate(c: sqlite3.Connection, size: int) -> None:
    """Keep the first ``size`` events, and the tree exactly as it was at that size."""
    c.execute(f"DELETE FROM {EVENTS} WHERE rowid > ?", (size,))
    c.execute("DELETE FROM integrity_leaves WHERE idx >= ?", (size,))
    c.execute("DELETE FROM integrity_nodes WHERE ((idx + 1) << level) > ?", (size,))


def forget_checkpoints(c: sqlite3.Connection) -> None:
    c.execute("DELETE FROM integrity_checkpoints")


def test_the_log_grown_after_a_checkpoint_still_extends_it(db: Path, kept: Checkpoint) -> None:
    result = verified(db, kept)

    assert (result.tree_size, result.checkpoints) == (kept.tree_size + 5, 1)


def test_a_truncation_below_a_checkpoint_is_caught_by_the_stored_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    with edit(db) as c:
        truncate(c, kept.tree_size - 3)

    message = failure(db)

    assert (first_bad(message), "truncated" in message) == (kept.log_position, True)


def test_a_truncation_with_the_checkpoints_deleted_is_caught_by_the_kept_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    with edit(db) as c:
        truncate(c, kept.tree_size - 3)
        forget_checkpoints(c)

    message = failure(db, kept)

    assert (first_bad(message), "truncated" in message) == (kept.log_position, True)


def test_a_truncation_with_the_checkpoints_deleted_passes_without_a_kept_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    # What the kept checkpoint is for: the shorter log is consistent in itself.
    with edit(db) as c:
        truncate(c, kept.tree_size - 3)
        forget_checkpoints(c)

    assert verified(db).tree_size == kept.tree_size - 3


def test_a_truncation_after_the_checkpoint_still_extends_it(db: Path, kept: Checkpoint) -> None:
    with edit(db) as c:
        truncate(c, kept.tree_size + 2)

    assert verified(db, kept).tree_size == kept.tree_size + 2


def rewrite_early_event(c: sqlite3.Connection) -> None:
    state = row(c, 3)[3]
    c.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = 3", (flip_byte(state, 0),))
    rebuild_tree(c)


def test_a_rewrite_with_every_hash_recomputed_is_caught_by_the_stored_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    with edit(db) as c:
        rewrite_early_event(c)

    assert "history was rewritten" in failure(db)


def test_a_rewrite_with_the_checkpoints_deleted_is_caught_by_the_kept_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    with edit(db) as c:
        rewrite_early_event(c)
        forget_checkpoints(c)

    assert "history was rewritten" in failure(db, kept)


def test_a_rewrite_with_the_checkpoints_deleted_passes_without_a_kept_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    with edit(db) as c:
        rewrite_early_event(c)
        forget_checkpoints(c)

    assert verified(db).tree_size == kept.tree_size + 5


def test_a_rebuilt_tree_over_untouched_events_still_extends_the_checkpoint(
    db: Path, kept: Checkpoint
) -> None:
    # The rebuild itself is faithful: only the changed event made the roots differ above.
    with edit(db) as c:
        rebuild_tree(c)

    assert verified(db, kept).checkpoints == 1


def test_a_stored_checkpoint_with_a_forged_root_fails_its_signature(
    db: Path, kept: Checkpoint
) -> None:
    with edit(db) as c:
        rewrite_early_event(c)
        c.execute("UPDATE integrity_checkpoints SET root = ?", (bytes(32),))

    assert "signature does not match" in failure(db)


def test_a_kept_checkpoint_signed_by_another_key_fails_when_the_ledger_key_is_trusted(
    db: Path, kept: Checkpoint, key, tmp_path: Path
) -> None:
    from ledger.signing import public_bytes

    other = load_or_create_key(tmp_path / "other.signing-key")
    ledger = Ledger(f"sqlite:///{db}")
    try:
        forged = issue_checkpoint(ledger.recorder, other)
        with pytest.raises(IntegrityError, match="not by this ledger's key"):
            verify(ledger.recorder, forged, public_bytes(key))
    finally:
        ledger.close()


# --- two processes recording into one file --------------------------------------------------


def write_cases(path: Path, unit: str, prefix: str, cases: int) -> Path:
    lines = [
        {"action": "dispute.receive", "unit": unit, "case": f"{prefix}-{n:04d}",
         "effective_on": "2023-03-01"}
        for n in range(cases)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return path


def test_processes_recording_at_once_leave_a_tree_that_covers_every_event(
    db: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{db}"
    files = [
        write_cases(tmp_path / "a.jsonl", "TN-X1", "PA", 300),
        write_cases(tmp_path / "b.jsonl", "TN-X2", "PB", 300),
    ]
    commands = [
        ["import", str(files[0])],
        ["import", str(files[1])],
        *(
            ["dispute", "receive", "--unit", "TN-X1", "--case", f"PC-{n}", "--on", "2023-09-01"]
            for n in range(2)
        ),
    ]
    processes = [
        subprocess.Popen(
            [str(ANTQ), "--db", url, "--actor", "x", "--role", "CA_XA", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=HERMETIC_ENV,
        )
        for args in commands
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * len(commands), outputs

    result = verified(db)

    assert (result.tree_size, result.log_position) == (count(db), count(db))
    assert count(db) >= 60 + 600 + 2


# --- the scan in two processes ------------------------------------------------------------


@pytest.fixture
def in_two_parts():
    """Scan anything of 64 leaves or more in two processes (the first 2**k leaves here)."""
    with mock.patch.object(scan, "PARALLEL_FROM", 64):
        yield


def test_a_scan_in_two_processes_gives_the_same_root_and_checkpoint_roots(
    db: Path, key, in_two_parts
) -> None:
    kept = issue_checkpoint_at(db, key, through=300)  # inside the second part
    with mock.patch.object(scan, "PARALLEL_FROM", 10**9):
        alone = verified(db, kept)

    assert verified(db, kept) == alone


@pytest.mark.parametrize("where", ["first part", "second part"])
def test_a_scan_in_two_processes_names_the_first_bad_position(
    db: Path, in_two_parts, where: str
) -> None:
    position = 10 if where == "first part" else 280  # 256 leaves in the first part
    with edit(db) as c:
        (state,) = c.execute(f"SELECT state FROM {EVENTS} WHERE rowid = ?", (position,)).fetchone()
        c.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?", (flip_byte(state, 3), position))

    assert first_bad(failure(db)) == position


def test_a_scan_in_two_processes_sees_the_last_events_of_the_first_part_deleted(
    db: Path, in_two_parts
) -> None:
    with edit(db) as c:
        c.execute(f"DELETE FROM {EVENTS} WHERE rowid IN (255, 256)")

    assert first_bad(failure(db)) == 255


def issue_checkpoint_at(db: Path, key, through: int) -> Checkpoint:
    ledger = Ledger(f"sqlite:///{db}")
    try:
        return issue_checkpoint(ledger.recorder, key, through=through)
    finally:
        ledger.close()


def test_a_proof_over_stored_and_recomputed_nodes_checks_offline(db: Path, key) -> None:
    # The last events sit past the first complete 256-leaf subtree: the proof reads that stored
    # node and recomputes the smaller ones from leaves.
    ledger = Ledger(f"sqlite:///{db}")
    try:
        record = ledger.find("dispute", ["TN-X1", "HG-T3"])
        document = prove(ledger.recorder, record.id, key)
    finally:
        ledger.close()

    assert document["events"][0]["leaf_index"] >= 256
    assert check_proof(document).tree_size == document["checkpoint"]["tree_size"]
