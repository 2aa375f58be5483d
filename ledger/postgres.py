"""The ledger on PostgreSQL: the eventsourcing PostgreSQL recorder, with subject keys and the
integrity tree written in the transaction that stores the events.

That transaction holds the events table's EXCLUSIVE lock (taken by eventsourcing before it
inserts), so log positions are issued in commit order: a reader tailing the log never passes a
position that a slower writer fills in later. Positions may have gaps (a transaction that failed
after drawing from the sequence); the tree's leaves are numbered without gaps and each records
its event's position.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import Connection, Cursor
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from ledger.errors import StorageError, one_line
from ledger.recorder import LedgerRecorder, LogTable

LOCK_TIMEOUT_SECONDS = 60  # how long a writer waits for another's transaction
CONNECT_TIMEOUT_SECONDS = 10
EVENTS_TABLE = "antq_events"  # eventsourcing names it after the application
# Advisory lock taken while creating the schema: processes starting at once on a new database
# would otherwise race on CREATE TYPE / CREATE OR REPLACE FUNCTION ("tuple concurrently updated").
SCHEMA_LOCK = 0x616E7471  # "antq"

TREE_TABLES = (
    "CREATE TABLE IF NOT EXISTS subject_keys (subject_id TEXT PRIMARY KEY, key BYTEA)",
    "CREATE TABLE IF NOT EXISTS integrity_leaves "
    "(idx BIGINT PRIMARY KEY, position BIGINT NOT NULL UNIQUE, hash BYTEA NOT NULL)",
    "CREATE TABLE IF NOT EXISTS integrity_nodes "
    "(level INTEGER, idx BIGINT, hash BYTEA NOT NULL, PRIMARY KEY (level, idx))",
    "CREATE TABLE IF NOT EXISTS integrity_checkpoints "
    "(tree_size BIGINT PRIMARY KEY, log_position BIGINT NOT NULL, root BYTEA NOT NULL, "
    "created_at TEXT NOT NULL, public_key BYTEA NOT NULL, signature BYTEA NOT NULL)",
)


def environment_for_postgres(url: str) -> dict[str, str]:
    """The eventsourcing environment of ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE``."""
    parsed = urlparse(url)
    database = unquote(parsed.path.lstrip("/"))
    if not database or parsed.query:
        raise StorageError(
            f"--db {url!r}: write postgresql://USER@HOST[:PORT]/DATABASE, "
            "e.g. postgresql://postgres@127.0.0.1:5432/antq"
        )
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": parsed.hostname or "localhost",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
        "POSTGRES_LOCK_TIMEOUT": str(LOCK_TIMEOUT_SECONDS),
        "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
        # A command needs one connection at a time, now and then two: open one, allow five, so
        # that many clerks' processes fit in the server's max_connections.
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "4",
        "APPLICATION_RECORDER_TOPIC": "ledger.postgres:LedgerPostgresRecorder",
        # Pinned against the process environment, which eventsourcing also reads: the insert
        # function would skip the tree and subject keys, and the ledger's own SQL names its
        # tables in the default schema.
        **{
            f"{prefix}{name}": value
            for name, value in (
                ("POSTGRES_ENABLE_DB_FUNCTIONS", "n"),
                ("POSTGRES_SCHEMA", "public"),
            )
            for prefix in ("", "ANTQ_")
        },
    }


def check_reachable(url: str) -> None:
    """Connect once, to say why a server cannot be used (the pool would only time out)."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS).close()
    except psycopg.Error as error:
        raise StorageError(f"--db {url!r}: cannot open the database: {one_line(error)}") from None


def insert_arrays(
    c: Any, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[Any]
) -> None:
    """Insert ``rows`` with one statement: a column at a time, as arrays that psycopg sends in
    binary (many times faster than a statement per row)."""
    arrays = [list(column) for column in zip(*rows, strict=True)]
    if arrays:
        names = ", ".join(name for name, _ in columns)
        unnest = ", ".join(f"?::{kind}[]" for _, kind in columns)
        c.execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({unnest})", arrays)


class QmarkCursor:
    """A psycopg cursor spoken to in SQLite's dialect: ``?`` placeholders, tuple rows (the
    ledger's own SQL has no literal question marks). Parameters go in binary (``%b``), which
    psycopg converts in C."""

    def __init__(self, cursor: Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> QmarkCursor:
        self._cursor.execute(sql.replace("?", "%b"), params)  # type: ignore[arg-type]
        return self

    def executemany(self, sql: str, rows: Any) -> None:
        self._cursor.executemany(sql.replace("?", "%b"), list(rows))  # type: ignore[arg-type]

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def fetchmany(self, size: int) -> list[Any]:
        return self._cursor.fetchmany(size)


class QmarkConnection:
    """A psycopg connection spoken to in SQLite's dialect (see QmarkCursor)."""

    def __init__(self, connection: Connection[Any]) -> None:
        self._connection = connection

    def cursor(self) -> QmarkCursor:
        return QmarkCursor(self._connection.cursor(row_factory=tuple_row))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> QmarkCursor:
        return self.cursor().execute(sql, params)


def _same(record_id: UUID) -> UUID:
    return record_id


class LedgerPostgresRecorder(LedgerRecorder, PostgresApplicationRecorder):
    """Events in ``antq_events``; subject keys and the integrity tree beside them."""

    log = LogTable(EVENTS_TABLE, "notification_id", _same, operator.attrgetter("bytes"))
    insert_rows = staticmethod(insert_arrays)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql_create_statements.extend(SQL(statement) for statement in TREE_TABLES)  # type: ignore[arg-type]
        self.insert_arrays_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Store events with their subject keys and tree leaves in one transaction, and return
        their positions once they are on disk."""
        if not stored_events:
            return []
        positions = self._insert_in_transaction(stored_events, **kwargs)
        with self.datastore.get_connection() as connection:
            # A transaction that writes to the write-ahead log commits only once the log is
            # flushed through it, hence through the events' commit before it. A transactional
            # logical-decoding message is the smallest such write; concurrent writers' flushes
            # are shared. (Not retried with the insert: that is committed already.)
            connection.execute("SELECT pg_logical_emit_message(true, 'antq', '')")
        return positions

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_in_transaction(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        """The insert transaction. Unlike eventsourcing's own, which commits even when a step
        after the insert raised (it re-raises after the transaction ends), any failure rolls
        everything back."""
        with (
            self.datastore.get_connection() as connection,
            connection.pipeline() as pipeline,
            connection.transaction(),
            connection.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            pipeline.sync()  # a version conflict raises here (IntegrityError: retried)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs) or []

    def _insert_events(
        self, curs: Cursor[Any], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # The first statement of the insert transaction. It holds the events table's lock until
        # it commits (so positions become visible in commit order); committing without waiting
        # for the disk releases the lock a flush sooner. Only ``insert_events`` acknowledges
        # the events, after the flush; until then a crash can lose them, and nothing read them
        # durably: anything written after them (read models, checkpoints) is later in the log.
        curs.execute("SET LOCAL synchronous_commit = off")
        if self.first_event_check is not None:
            # Before the insert; the lock keeps the log's first event as it is read until the
            # commit.
            self._lock_table(curs)
            with curs.connection.cursor(row_factory=tuple_row) as c:
                self._check_first_event(QmarkCursor(c))

    def _insert_stored_events(
        self, curs: Cursor[Any], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """Lock, notify and insert as eventsourcing does, but send the events as four arrays in
        binary, which psycopg converts in C (an array of a composite type, or any array in text,
        is converted in Python)."""
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_arrays_statement,
            [
                [event.originator_id for event in stored_events],
                [event.originator_version for event in stored_events],
                [event.topic for event in stored_events],
                [event.state for event in stored_events],
            ],
        )

    def create_table(self) -> None:
        with self.datastore.get_connection() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            try:
                super().create_table()
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[Any],
        stored_events: Sequence[StoredEvent],
        *,
        subject_keys: dict[UUID, bytes | None] | None = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs) or []
        with curs.connection.cursor(row_factory=tuple_row) as c:
            self._store_extras(QmarkCursor(c), stored_events, positions, subject_keys)
        return positions

    @contextmanager
    def cursor(self, commit: bool = False) -> Iterator[QmarkCursor]:
        with (
            self.datastore.transaction(commit=commit) as c,
            c.connection.cursor(row_factory=tuple_row) as tuples,
        ):
            yield QmarkCursor(tuples)

    @contextmanager
    def _appending(self) -> Iterator[QmarkCursor]:
        # The lock eventsourcing takes to insert events: positions are issued in commit order.
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)  # wake followers when it commits
            with curs.connection.cursor(row_factory=tuple_row) as tuples:
                yield QmarkCursor(tuples)

    def _continue_after(self, c: Any, position: int) -> None:
        # The last step of a copy, as setval is not undone by a rollback: should the commit
        # still fail, later events skip the positions the copy would have filled (a gap).
        c.execute(
            "SELECT setval(pg_get_serial_sequence(?, 'notification_id'), ?)",
            (EVENTS_TABLE, position),
        )

    def purge_erased_keys(self) -> None:
        # Rewrite the key table without the old row versions (plain VACUUM only marks their
        # space free). The server's write-ahead log segments keep them until recycled.
        with self.datastore.get_connection() as connection:  # an autocommit connection
            connection.execute("VACUUM FULL subject_keys")

    @contextmanager
    def snapshot(self) -> Iterator[QmarkConnection]:
        with self.datastore.get_connection() as connection:  # an autocommit connection
            connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield QmarkConnection(connection)
            finally:
                connection.execute("ROLLBACK")
