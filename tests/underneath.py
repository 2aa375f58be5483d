"""Direct access to a ledger's database, around the ledger: what tampering tests edit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

from ledger.recorder import LogTable
from ledger.storage import LedgerSQLiteRecorder


@contextmanager
def underneath(db_url: str) -> Iterator[tuple[Any, LogTable]]:
    """A connection to the ledger's database in SQLite's dialect (``?``, tuple rows), committed
    at the end, and where the log is kept."""
    if db_url.startswith("sqlite:///"):
        path = db_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as connection, connection:
            yield connection, LedgerSQLiteRecorder.log
        return
    import psycopg

    from ledger.postgres import LedgerPostgresRecorder, QmarkConnection

    with psycopg.connect(db_url) as connection:  # committed when the block ends
        yield QmarkConnection(connection), LedgerPostgresRecorder.log
