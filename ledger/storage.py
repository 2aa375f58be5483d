"""Storage selection from a ``--db`` URL, and the recorder that keeps subject keys beside events."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.errors import IntegrityError, StorageError
from ledger.merkle import (
    STORED_LEVEL,
    Frontier,
    Node,
    complete_root,
    frontier_nodes,
    leaf_hash,
)

DEFAULT_URL = "sqlite:///antq.db"
# Seconds a writer waits for another process's transaction before giving up.
LOCK_TIMEOUT_SECONDS = 60
ID_QUERY_CHUNK = 500
BACKFILL_BATCH = 10_000  # events covered per step when a pre-tree ledger is first opened


def environment_for(url: str) -> dict[str, str]:
    """The eventsourcing environment that stores the ledger at ``url``.

    Raises StorageError for a URL the ledger cannot use.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise StorageError(f"--db {url!r}: write sqlite:///FILE, e.g. {DEFAULT_URL}")
        folder = Path(path).parent
        if not folder.is_dir():
            raise StorageError(f"--db {url!r}: folder {str(folder)!r} does not exist")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
            "APPLICATION_RECORDER_TOPIC": "ledger.storage:LedgerSQLiteRecorder",
        }
    if parsed.scheme in ("postgresql", "postgres"):
        raise StorageError(f"--db {url!r}: PostgreSQL storage is not available in this version")
    raise StorageError(f"--db {url!r}: unknown storage; use sqlite:///FILE")


TREE_TABLES = (
    # Leaf i covers the i-th event of the log, at ``position``.
    "CREATE TABLE IF NOT EXISTS integrity_leaves "
    "(idx INTEGER PRIMARY KEY, position INTEGER NOT NULL UNIQUE, hash BLOB NOT NULL)",
    # The root of every complete subtree of 2**STORED_LEVEL leaves or more.
    "CREATE TABLE IF NOT EXISTS integrity_nodes "
    "(level INTEGER, idx INTEGER, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
    # Signed checkpoints the ledger has issued (antq audit digest, exports, proofs).
    "CREATE TABLE IF NOT EXISTS integrity_checkpoints "
    "(tree_size INTEGER PRIMARY KEY, log_position INTEGER NOT NULL, root BLOB NOT NULL, "
    "created_at TEXT NOT NULL, public_key BLOB NOT NULL, signature BLOB NOT NULL)",
)


def tree_size(c: Any) -> int:
    """How many leaves the stored tree has."""
    c.execute("SELECT MAX(idx) FROM integrity_leaves")
    last = c.fetchone()[0]
    return 0 if last is None else last + 1


def stored_node(c: Any, level: int, index: int) -> bytes:
    """A complete subtree's root (a leaf at level 0): stored, or recomputed from its leaves
    below ``STORED_LEVEL``."""
    if 0 < level < STORED_LEVEL:
        first = index << level
        c.execute(
            "SELECT hash FROM integrity_leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
            (first, first + (1 << level)),
        )
        leaves = [bytes(row[0]) for row in c.fetchall()]
        found = complete_root(leaves) if len(leaves) == 1 << level else None
    else:
        if level == 0:
            c.execute("SELECT hash FROM integrity_leaves WHERE idx = ?", (index,))
        else:
            c.execute(
                "SELECT hash FROM integrity_nodes WHERE level = ? AND idx = ?", (level, index)
            )
        row = c.fetchone()
        found = None if row is None else bytes(row[0])
    if found is None:
        raise IntegrityError(
            f"the integrity tree lacks node {level}/{index}: run antq audit verify"
        )
    return found


def stored_frontier(c: Any, size: int | None = None) -> Frontier:
    """The stored tree (of ``size`` leaves, by default all of it), ready to grow or give its
    root."""
    size = tree_size(c) if size is None else size
    return Frontier(size, [stored_node(c, lvl, idx) for lvl, idx in frontier_nodes(size)])


def append_to_tree(
    c: Any, events: Sequence[tuple[UUID | str, int, str, bytes]], positions: Sequence[int]
) -> None:
    """Add a leaf for each new event (record id, version, topic, state) at its position, and
    the stored nodes the leaves complete, in the caller's write transaction."""
    frontier = stored_frontier(c)
    frontier.collect_from = STORED_LEVEL
    first = frontier.size
    hashes = [
        leaf_hash(position, record_id, version, topic, state)
        for (record_id, version, topic, state), position in zip(events, positions, strict=True)
    ]
    nodes: list[Node] = []
    frontier.extend(hashes, nodes)
    c.executemany(
        "INSERT INTO integrity_leaves (idx, position, hash) VALUES (?, ?, ?)",
        zip(range(first, first + len(hashes)), positions, hashes, strict=True),
    )
    if nodes:
        c.executemany("INSERT INTO integrity_nodes (level, idx, hash) VALUES (?, ?, ?)", nodes)


def _hex(record_id: UUID | str) -> str:
    return record_id.hex if isinstance(record_id, UUID) else record_id


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """Stores events and, in the same transaction, the keys of new personal-data subjects and
    the Merkle tree's new leaves and nodes (``ledger.merkle``)."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS subject_keys (subject_id TEXT PRIMARY KEY, key BLOB)",
            *TREE_TABLES,
        ]

    def _create_table(self, c: SQLiteCursor) -> None:
        c.execute("SELECT 1 FROM sqlite_master WHERE name = 'integrity_leaves'")
        tree_is_new = c.fetchone() is None
        super()._create_table(c)
        if tree_is_new:
            # A ledger written before the tree existed: cover what it holds, once. Later, an
            # event without a leaf can only have been written around the ledger.
            self._cover_existing_events(c)

    def _cover_existing_events(self, c: SQLiteCursor) -> None:
        after = 0
        while True:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (after, BACKFILL_BATCH),
            )
            rows = c.fetchall()
            if not rows:
                return
            append_to_tree(c, [tuple(row)[1:] for row in rows], [row[0] for row in rows])
            after = rows[-1][0]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        subject_keys: dict[UUID, bytes] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if subject_keys:
            c.executemany(
                "INSERT INTO subject_keys (subject_id, key) VALUES (?, ?)",
                [(subject.hex, key) for subject, key in subject_keys.items()],
            )
        c.executemany(
            self.insert_events_statement,
            [
                (_hex(s.originator_id), s.originator_version, s.topic, s.state)
                for s in stored_events
            ],
        )
        # Rowids are max + 1 for each insert, and this transaction holds the write lock, so the
        # new rows are the contiguous block ending at the maximum.
        c.execute(self.select_max_notification_id_statement)
        last = c.fetchone()[0]
        positions = list(range(last - len(stored_events) + 1, last + 1))
        append_to_tree(
            c,
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
            positions,
        )
        return positions

    def existing_ids(self, record_ids: Sequence[UUID]) -> set[UUID]:
        """Which of these record ids have events (one query per few hundred ids)."""
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(record_ids), ID_QUERY_CHUNK):
                chunk = [_hex(i) for i in record_ids[start : start + ID_QUERY_CHUNK]]
                marks = ",".join("?" * len(chunk))
                c.execute(
                    f"SELECT DISTINCT originator_id FROM {self.events_table_name} "
                    f"WHERE originator_id IN ({marks})",
                    chunk,
                )
                found.update(UUID(row[0]) for row in c.fetchall())
        return found

    def notifications_of(self, record_ids: Sequence[str], before: int) -> list[Notification]:
        """The events of these records (hex ids) logged before position ``before``, in log
        order: what a read model replays to recall records it no longer remembers."""
        found: list[Notification] = []
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(record_ids), ID_QUERY_CHUNK):
                chunk = list(record_ids[start : start + ID_QUERY_CHUNK])
                c.execute(
                    f"SELECT rowid, originator_id, originator_version, topic, state "
                    f"FROM {self.events_table_name} WHERE originator_id IN "
                    f"({','.join('?' * len(chunk))}) AND rowid < ?",
                    [*chunk, before],
                )
                found.extend(
                    Notification(
                        id=row[0],
                        originator_id=UUID(row[1]),
                        originator_version=row[2],
                        topic=row[3],
                        state=row[4],
                    )
                    for row in c.fetchall()
                )
        found.sort(key=lambda notification: notification.id)
        return found

    def key_for(self, subject_id: UUID) -> bytes | None:
        """The subject's key, or None if it has none."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT key FROM subject_keys WHERE subject_id = ?", (subject_id.hex,))
            row = c.fetchone()
        return None if row is None else bytes(row["key"])
