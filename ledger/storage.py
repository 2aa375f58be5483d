"""Storage selection from a ``--db`` URL, and the ledger in an SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.errors import StorageError
from ledger.recorder import LedgerRecorder, LogTable, hex_id
from ledger.tree_tables import TREE_TABLES, append_to_tree

DEFAULT_URL = "sqlite:///antq.db"
# Seconds a writer waits for another process's transaction before giving up.
LOCK_TIMEOUT_SECONDS = 60
BACKFILL_BATCH = 10_000  # events covered per step when a pre-tree ledger is first opened


def environment_for(url: str) -> dict[str, str]:
    """The eventsourcing environment that stores the ledger at ``url``.

    Raises StorageError for a URL the ledger cannot use, or a server that cannot be reached.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = sqlite_file(url)
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
        from ledger.postgres import check_reachable, environment_for_postgres

        environment = environment_for_postgres(url)
        check_reachable(url)
        return environment
    raise StorageError(
        f"--db {url!r}: unknown storage; use sqlite:///FILE or postgresql://USER@HOST/DATABASE"
    )


def sqlite_file(url: str) -> str | None:
    """The file of an ``sqlite:///FILE`` URL (None for any other URL)."""
    return url[len("sqlite:///") :] if url.startswith("sqlite:///") else None


def display_url(url: str) -> str:
    """The URL without its password, to print."""
    head, at, tail = url.rpartition("@")
    if not at or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{tail}"


class LedgerSQLiteRecorder(LedgerRecorder, SQLiteApplicationRecorder):
    """The ledger in an SQLite file: events, and in the same transaction the keys of new
    personal-data subjects and the Merkle tree's new leaves and nodes (``ledger.merkle``)."""

    log = LogTable("stored_events", "rowid", hex_id, bytes.fromhex)

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
        subject_keys: dict[UUID, bytes | None] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        c.executemany(
            self.insert_events_statement,
            [
                (hex_id(s.originator_id), s.originator_version, s.topic, s.state)
                for s in stored_events
            ],
        )
        # Rowids are max + 1 for each insert, and this transaction holds the write lock, so the
        # new rows are the contiguous block ending at the maximum.
        c.execute(self.select_max_notification_id_statement)
        last = c.fetchone()[0]
        positions = list(range(last - len(stored_events) + 1, last + 1))
        self._check_first_event(c, positions[0])
        if subject_keys and None in subject_keys.values():
            c.execute("PRAGMA secure_delete = ON")  # a destroyed key's bytes are zeroed
        self._store_extras(c, stored_events, positions, subject_keys)
        return positions

    @contextmanager
    def cursor(self, commit: bool = False) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as c:
            yield c

    @contextmanager
    def _appending(self) -> Iterator[Any]:
        # SQLite has one writer at a time; a later rowid is always the largest one plus 1.
        with self.cursor(commit=True) as c:
            yield c

    def _continue_after(self, c: Any, position: int) -> None:
        pass  # a new row's rowid is the largest plus one: it comes after the copied ones

    def purge_erased_keys(self) -> None:
        # The page that held the key is zeroed (secure_delete) in the database file once the
        # write-ahead log is checkpointed; truncating the log drops its copy there.
        with closing(sqlite3.connect(self.datastore.pool.db_name, timeout=60)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(f"file:{self.datastore.pool.db_name}?mode=ro", uri=True)
        try:
            connection.execute("BEGIN")  # one snapshot, even while writers commit
            yield connection
        finally:
            connection.close()
