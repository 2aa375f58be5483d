"""The ledger's database opened for reading only, and the check that it opens.

A ``Store`` runs queries in SQLite's dialect (``?`` placeholders, tuple rows) on either storage
and knows where the log is kept. It cannot write: an SQLite file is opened with ``mode=rw``
(never created) and ``query_only``, a PostgreSQL database in read-only transactions.
``check_storage`` opens one, or says in plain words why it does not open and what to do.
"""

from __future__ import annotations

import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ledger.doctor.findings import FAIL, OK, WARN, Finding, amount
from ledger.errors import StorageError, one_line
from ledger.recorder import LogTable
from ledger.storage import display_url, sqlite_file

SQLITE_BUSY_SECONDS = 5


class Store(ABC):
    """A ledger's database opened for reading only, and where its log is kept."""

    kind: str
    log: LogTable

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """All rows of a query in SQLite's dialect (``?`` placeholders)."""

    @abstractmethod
    def cursor(self) -> Any:
        """A cursor in SQLite's dialect."""

    @abstractmethod
    def tables(self) -> dict[str, set[str]]:
        """Every table of the ledger's schema and its columns."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[Any]:
        """One consistent read-only snapshot, what ``ledger.audit.verify`` reads."""

    def head(self) -> int:
        """The log's last position (0 when empty)."""
        (value,) = self.rows(f"SELECT MAX({self.log.position}) FROM {self.log.name}")[0]
        return value or 0


class SQLiteStore(Store):
    kind = "sqlite"

    def __init__(self, path: str) -> None:
        from ledger.storage import LedgerSQLiteRecorder

        self.path = path
        self.log = LedgerSQLiteRecorder.log
        self.connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        # mode=rw never creates the file; query_only refuses any write. The last connection to
        # close removes the -wal and -shm files it needed (a mode=ro one would leave them).
        location = quote(self.path)
        try:
            connection = sqlite3.connect(
                f"file:{location}?mode=rw", uri=True, timeout=SQLITE_BUSY_SECONDS
            )
        except sqlite3.OperationalError:  # e.g. a folder this user may not write to
            connection = sqlite3.connect(
                f"file:{location}?mode=ro", uri=True, timeout=SQLITE_BUSY_SECONDS
            )
        try:
            connection.execute("PRAGMA query_only = ON")
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        self.connection.close()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def cursor(self) -> Any:
        return self.connection.cursor()

    def tables(self) -> dict[str, set[str]]:
        names = [
            name
            for (name,) in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        ]
        return {
            name: {row[1] for row in self.rows(f"PRAGMA table_info({_quoted(name)})")}
            for name in names
        }

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        connection = self._connect()
        try:
            connection.execute("BEGIN")
            yield connection
        finally:
            connection.close()

    def journal_mode(self) -> str:
        return str(self.rows("PRAGMA journal_mode")[0][0])


class PostgresStore(Store):
    kind = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        from ledger.postgres import CONNECT_TIMEOUT_SECONDS, LedgerPostgresRecorder

        self.log = LedgerPostgresRecorder.log
        self.connection = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            options="-c default_transaction_read_only=on",
        )

    def close(self) -> None:
        self.connection.close()

    def cursor(self) -> Any:
        from psycopg.rows import tuple_row

        from ledger.postgres import QmarkCursor

        return QmarkCursor(self.connection.cursor(row_factory=tuple_row))

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.cursor().execute(sql, params).fetchall()

    def tables(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for table, column in self.rows(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
        ):
            found.setdefault(table, set()).add(column)
        return found

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        from ledger.postgres import QmarkConnection

        self.connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield QmarkConnection(self.connection)
        finally:
            self.connection.execute("ROLLBACK")

    def server_version(self) -> str:
        return str(self.rows("SHOW server_version")[0][0]).split()[0]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_storage(url: str) -> tuple[Finding, Store | None]:
    """Whether the database opens: an SQLite file that exists and can be read (and written), or
    a PostgreSQL server that answers, with the database and the login."""
    from ledger.storage import environment_for

    name = "storage"
    try:
        environment_for(url)  # the URL's form, the folder, and a PostgreSQL server's answer
    except StorageError as error:
        detail = str(error).replace(repr(url), repr(display_url(url)))
        return Finding(name, FAIL, detail, _storage_advice(url, detail)), None
    if url.startswith("sqlite:"):
        return _check_sqlite_file(url)
    try:
        store = PostgresStore(url)
    except Exception as error:  # psycopg.Error: the server's own words
        detail = f"--db {display_url(url)!r}: cannot open the database: {one_line(error)}"
        return Finding(name, FAIL, detail, _storage_advice(url, detail)), None
    version = store.server_version()
    return Finding(name, OK, f"{display_url(url)} (PostgreSQL {version})"), store


def _check_sqlite_file(url: str) -> tuple[Finding, Store | None]:
    name = "storage"
    path = sqlite_file(url) or ""  # environment_for accepted the URL: sqlite:///FILE
    file = Path(path)
    if not file.exists():
        return Finding(
            name,
            FAIL,
            f"no database at {path}",
            "check that --db (or ANTQ_DB) names the ledger's file; any other antq command "
            "would create a new, empty ledger there, doctor creates nothing",
        ), None
    if file.is_dir():
        return Finding(
            name, FAIL, f"{path} is a folder, not a database file", "check --db (or ANTQ_DB)"
        ), None
    if not os.access(file, os.R_OK):
        return Finding(
            name,
            FAIL,
            f"{path}: permission denied: this user may not read it",
            "run antq as a user who may read and write the file and its folder",
        ), None
    try:
        store = SQLiteStore(path)
    except sqlite3.Error as error:
        detail = f"--db {url!r}: cannot open the database: {error}"
        return Finding(name, FAIL, detail, _storage_advice(url, detail)), None
    size = amount(file.stat().st_size)
    folder = file.parent
    if not os.access(file, os.W_OK) or not os.access(folder, os.W_OK):
        return Finding(
            name,
            WARN,
            f"{path} ({size}) is read-only for this user: reading works, recording does not",
            f"give the user running antq write permission on {path} and its folder {folder} "
            "(SQLite writes FILE-wal and FILE-shm beside it)",
        ), store
    return Finding(name, OK, f"{path} (SQLite, {size})"), store


def _storage_advice(url: str, detail: str) -> str:
    text = detail.lower()
    if url.startswith("sqlite:"):
        if "not a database" in text:
            return "check that --db (or ANTQ_DB) names an antq ledger: this file is no database"
        if "locked" in text:
            return "another process holds the database locked: run doctor again when it is done"
        return "check --db (or ANTQ_DB): write sqlite:///FILE in an existing folder"
    if "does not exist" in text and "database" in text:
        return "create the database (createdb), or check the database name in --db"
    if "authentication" in text or "password" in text or "role" in text:
        return "check the user and password in --db, and the server's pg_hba.conf"
    if "unknown storage" in text or "write postgresql" in text or "write sqlite" in text:
        return "check --db (or ANTQ_DB)"
    return (
        "check that the PostgreSQL server is running and reachable at the host and port "
        "in --db (firewall, listen_addresses)"
    )
