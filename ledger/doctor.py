"""The checks of ``antq doctor``: what is wrong with a ledger, in plain words, and what to do.

Each check returns a ``Finding`` (ok, warn, fail, or skip when an earlier check failed). Every
check only reads. The database is opened so that it cannot be written: an SQLite file with
``mode=rw`` (never created) and ``query_only``, a PostgreSQL database in read-only transactions.
Nothing else is created either: no signing key, no table, and the read models are not caught
up (their lag is reported instead).

The read side's tables are described by the caller (``ReadModels``): ``ledger`` does not import
``projections``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ledger.errors import IntegrityError, LedgerError, StorageError
from ledger.recorder import LogTable

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
SEVERITY = {OK: 0, SKIP: 0, WARN: 1, FAIL: 2}
MIN_FREE_BYTES = 100 * 1024 * 1024  # warn under 100 MB free beside an SQLite ledger...
MIN_FREE_SHARE = 0.10  # ...or under 10% of its file system
SQLITE_BUSY_SECONDS = 5

SUBJECT_KEYS = {"subject_keys": frozenset({"subject_id", "key"})}
TREE = {
    "integrity_leaves": frozenset({"idx", "position", "hash"}),
    "integrity_nodes": frozenset({"level", "idx", "hash"}),
    "integrity_checkpoints": frozenset(
        {"tree_size", "log_position", "root", "created_at", "public_key", "signature"}
    ),
}
LOG_COLUMNS = frozenset({"originator_id", "originator_version", "topic", "state"})
# Names a newer antq would give its own tables.
OURS_BY_PREFIX = ("read_", "integrity_", "projection_")

TAMPERED = (
    "this is what antq audit verify reports with exit 3: the log or its integrity tree was "
    "changed after it was written. Keep the database untouched (record nothing, no VACUUM, no "
    "repair, no restore over it), keep a copy of it (SQLite: sqlite3 FILE '.backup copy.db'; "
    "PostgreSQL: pg_dump), and contact the auditors (docs/audit.md)"
)


@dataclass(frozen=True)
class Finding:
    """The outcome of one check. ``exit_code`` is the one the check calls for (3: integrity)."""

    check: str
    status: str
    detail: str
    advice: str | None = None
    exit_code: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "detail": self.detail,
            "advice": self.advice,
        }


@dataclass(frozen=True)
class ReadModels:
    """What the read side of this antq expects: its tables and their columns (the table of
    positions among them), the models' names, and the row that marks an unfinished rebuild."""

    tables: dict[str, frozenset[str]]
    positions_table: str
    names: tuple[str, ...]
    rebuilding: str


@dataclass
class Layout:
    """What the schema check found, for the checks after it."""

    has_log: bool = False
    has_tree: bool = False
    has_checkpoints: bool = False
    read_models_built: bool = False
    read_models_fit: bool = True


def exit_code(findings: list[Finding]) -> int:
    """3 if integrity failed, else 1 if any check failed, else 0 (warnings allowed)."""
    codes = [f.exit_code or 1 for f in findings if f.status == FAIL]
    return 3 if 3 in codes else (1 if codes else 0)


def display(url: str) -> str:
    from ledger.storage import display_url

    return display_url(url)


# --- a read-only view of the database ----------------------------------------------------------


class Store:
    """A ledger's database opened for reading only, and where its log is kept."""

    kind: str
    log: LogTable

    def close(self) -> None:
        raise NotImplementedError

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """All rows of a query in SQLite's dialect (``?`` placeholders)."""
        raise NotImplementedError

    def cursor(self) -> Any:
        """A cursor in SQLite's dialect."""
        raise NotImplementedError

    def tables(self) -> dict[str, set[str]]:
        """Every table of the ledger's schema and its columns."""
        raise NotImplementedError

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """One consistent read-only snapshot, what ``ledger.audit.verify`` reads."""
        raise NotImplementedError
        yield

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


# --- the checks ----------------------------------------------------------------------------


def check_storage(url: str) -> tuple[Finding, Store | None]:
    """Whether the database opens: an SQLite file that exists and can be read (and written), or
    a PostgreSQL server that answers, with the database and the login."""
    from ledger.storage import environment_for

    name = "storage"
    try:
        environment_for(url)  # the URL's form, the folder, and a PostgreSQL server's answer
    except StorageError as error:
        detail = str(error).replace(repr(url), repr(display(url)))
        return Finding(name, FAIL, detail, _storage_advice(url, detail)), None
    if url.startswith("sqlite:"):
        return _check_sqlite_file(url)
    try:
        store = PostgresStore(url)
    except Exception as error:  # psycopg.Error: the server's own words
        reason = " ".join(str(error).split()) or type(error).__name__
        detail = f"--db {display(url)!r}: cannot open the database: {reason}"
        return Finding(name, FAIL, detail, _storage_advice(url, detail)), None
    version = store.server_version()
    return Finding(name, OK, f"{display(url)} (PostgreSQL {version})"), store


def _check_sqlite_file(url: str) -> tuple[Finding, Store | None]:
    name = "storage"
    path = url[len("sqlite:///") :]
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
    size = _amount(file.stat().st_size)
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


def check_schema(store: Store, read_models: ReadModels) -> tuple[Finding, Layout]:
    """Whether the tables this antq uses exist with the columns it uses."""
    name = "schema"
    layout = Layout()
    tables = store.tables()
    log = store.log.name
    position = {store.log.position} if store.log.position != "rowid" else set()  # SQLite's own
    ours = {log: LOG_COLUMNS | position, **SUBJECT_KEYS, **TREE}
    known = {*ours, *read_models.tables}
    unknown_ours = sorted(t for t in tables if t not in known and t.startswith(OURS_BY_PREFIX))
    if not tables:
        return Finding(
            name,
            WARN,
            "the database is empty: no ledger in it yet",
            "check that --db (or ANTQ_DB) names the ledger; the first antq command that "
            "records creates its tables",
        ), layout
    if log not in tables:
        present = sorted(t for t in tables if t in known or t in unknown_ours)
        if present:
            return Finding(
                name,
                FAIL,
                f"the events table {log} is missing, but {', '.join(present)} are there: not a "
                "whole antq ledger (damaged, or created by a newer antq?)",
                "keep the database untouched and restore it from a backup, or open it with "
                "the antq version that created it",
            ), layout
        listed = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        return Finding(
            name,
            FAIL,
            f"not an antq ledger: it holds {len(tables)} other table(s) ({listed}) and no "
            f"events table {log}",
            "check that --db (or ANTQ_DB) names the ledger; run no other antq command on this "
            "database: it would add a ledger's tables to it",
        ), layout
    # The log must have its columns for the checks that read it.
    layout.has_log = not _lacking(tables, {log: ours[log]})
    problems: list[tuple[str, str, str]] = []
    newer = "use the antq version that created this ledger (or upgrade antq), and record "
    newer += "nothing into it with this one"
    lacking = _lacking(tables, {t: c for t, c in ours.items() if t in tables})
    if lacking:
        problems.append((FAIL, f"{lacking}, which this antq uses: created by a newer antq?", newer))
    missing = sorted(t for t in ours if t not in tables)
    if missing and set(TREE) <= set(missing) <= {*SUBJECT_KEYS, *TREE}:
        problems.append(
            (
                WARN,
                f"written by an older antq: {', '.join(missing)} not there yet",
                "the next antq command that opens the ledger adds them and covers its events "
                "with the integrity tree once (e.g. antq audit verify); back the file up first",
            )
        )
    elif missing:
        problems.append(
            (
                FAIL,
                f"table(s) {', '.join(missing)} missing beside {log}: damaged, or created by "
                "another version of antq?",
                "keep the database untouched; restore it from a backup, or open it with the "
                "antq version that created it",
            )
        )
    layout.has_tree = all(t in tables for t in TREE) and not _lacking(tables, TREE)
    layout.has_checkpoints = layout.has_tree
    if set(read_models.tables) & set(tables):
        layout.read_models_built = read_models.positions_table in tables
        gone = sorted(t for t in read_models.tables if t not in tables)
        short = _lacking(tables, {t: c for t, c in read_models.tables.items() if t in tables})
        if gone or short:
            layout.read_models_fit = False
            what = "; ".join(
                part for part in (f"missing: {', '.join(gone)}" if gone else "", short) if part
            )
            problems.append(
                (
                    FAIL,
                    f"the read models' tables do not fit this antq ({what})",
                    "run: antq projections rebuild (the read models are rebuilt from the log, "
                    "which it does not touch)",
                )
            )
    if unknown_ours:
        problems.append(
            (
                WARN,
                f"table(s) this antq does not know: {', '.join(unknown_ours)}: created by a "
                "newer antq?",
                "use the antq version that created them for this ledger",
            )
        )
    if problems:
        return _merge(name, problems), layout
    count = len(read_models.tables) if layout.read_models_built else 0
    parts = [log, "subject_keys", f"{len(TREE)} integrity tables"]
    parts.append(f"{count} read-model tables" if count else "no read models yet")
    return Finding(name, OK, ", ".join(parts)), layout


def _lacking(tables: dict[str, set[str]], wanted: dict[str, frozenset[str]]) -> str:
    """``table X lacks columns a, b`` for each table in ``wanted`` without all its columns."""
    parts = []
    for table, columns in sorted(wanted.items()):
        missing = sorted(columns - tables.get(table, set()))
        if missing and table in tables:
            parts.append(f"table {table} lacks column(s) {', '.join(missing)}")
    return "; ".join(parts)


def _merge(name: str, problems: list[tuple[str, str, str]]) -> Finding:
    worst = max(SEVERITY[status] for status, _, _ in problems)
    status = next(status for status, _, _ in problems if SEVERITY[status] == worst)
    advice = list(dict.fromkeys(a for s, _, a in problems if SEVERITY[s] == worst))
    return Finding(name, status, "; ".join(d for _, d, _ in problems), "; ".join(advice))


def check_projections(store: Store, layout: Layout, read_models: ReadModels) -> Finding:
    """Each read model's position against the log's head, and an unfinished rebuild."""
    name = "projections"
    head = store.head()
    if not layout.read_models_built:
        if not head:
            return Finding(name, OK, "no events yet, no read models yet")
        (events,) = store.rows(f"SELECT COUNT(*) FROM {store.log.name}")[0]
        return Finding(
            name,
            OK,
            f"not built yet: the first read command builds them from the log's {events} events",
        )
    stored = dict(store.rows(f"SELECT name, position FROM {read_models.positions_table}"))
    if read_models.rebuilding in stored:
        return Finding(
            name,
            FAIL,
            "a rebuild of the read models is running or was interrupted: reads are refused "
            "until it finishes",
            "if no rebuild is running: antq projections rebuild",
        )
    positions = {model: int(stored.get(model, 0)) for model in read_models.names}
    ahead = sorted(model for model, position in positions.items() if position > head)
    if ahead:
        return Finding(
            name,
            FAIL,
            f"read model(s) {', '.join(ahead)} are at position "
            f"{max(positions[m] for m in ahead)}, past the log's head ({head}): the log lost "
            "events, or the read models come from another copy of the ledger",
            "see the integrity check (antq audit verify); then run: antq projections rebuild",
        )
    behind = {model: position for model, position in positions.items() if position < head}
    if not behind:
        return Finding(name, OK, f"all {len(positions)} read models at the log's head ({head})")
    lowest = min(behind.values())
    (count,) = store.rows(
        f"SELECT COUNT(*) FROM {store.log.name} WHERE {store.log.position} > ?", (lowest,)
    )[0]
    models = ", ".join(behind) if len(behind) < len(positions) else f"all {len(positions)}"
    return Finding(
        name,
        WARN,
        f"read models behind the log: {models} up to {count} event(s) behind "
        f"(at position {lowest}, head {head})",
        "run any read command (e.g. antq standings), or keep antq projections follow running",
    )


def check_integrity(
    store: Store, layout: Layout, trusted_key: bytes | None, quick: bool = False
) -> Finding:
    """``antq audit verify``: every event against its leaf, the stored nodes, the root and
    every signed checkpoint (with the ledger's public key, when it is known to be theirs)."""
    from ledger.audit import verify

    name = "integrity"
    if quick:
        return Finding(
            name,
            SKIP,
            "skipped (--quick): the log was not scanned",
            "run antq doctor without --quick, or antq audit verify",
        )
    if not layout.has_tree:
        return Finding(name, SKIP, "skipped (no integrity tree yet: see schema)")
    try:
        result = verify(store, None, trusted_key)
    except IntegrityError as error:
        return Finding(name, FAIL, str(error), TAMPERED, exit_code=3)
    return Finding(
        name,
        OK,
        f"{result.tree_size} events up to log position {result.log_position}, root "
        f"{result.root.hex()}; extends {result.checkpoints} signed checkpoint(s)",
    )


@dataclass
class KeyFinding:
    finding: Finding
    trusted: bytes | None = field(default=None)


def check_signing_key(store: Store, layout: Layout, database_file: str | None) -> KeyFinding:
    """The signing key is where the ledger looks for it, and is the one its checkpoints were
    signed with. Returns the public key to verify the checkpoints with, when it is theirs."""
    from ledger.audit import stored_checkpoints
    from ledger.signing import KEY_VARIABLE, fingerprint, key_path, load_or_create_key
    from ledger.signing import public_bytes as public_of

    name = "signing key"
    checkpoints = stored_checkpoints(store.cursor()) if layout.has_checkpoints else []
    signers = {bytes.fromhex(cp.public_key) for cp in checkpoints}
    names = ", ".join(sorted(fingerprint(key) for key in signers))
    try:
        path = key_path(database_file)
    except StorageError:  # PostgreSQL without ANTQ_SIGNING_KEY
        if signers:
            return KeyFinding(
                Finding(
                    name,
                    FAIL,
                    f"{KEY_VARIABLE} is not set, and the ledger's checkpoints are signed by "
                    f"key {names}",
                    f"set {KEY_VARIABLE} to the file holding that key",
                )
            )
        return KeyFinding(
            Finding(
                name,
                WARN,
                f"{KEY_VARIABLE} is not set: antq audit digest, prove and export will refuse",
                f"set {KEY_VARIABLE} to a file off the database server (it is created on first "
                "use; back it up)",
            )
        )
    if not path.exists():
        if signers:
            return KeyFinding(
                Finding(
                    name,
                    FAIL,
                    f"this ledger's checkpoints are signed by key {names}, but its key file "
                    f"{path} is missing",
                    f"restore it, or set {KEY_VARIABLE} to where it is; never let antq create "
                    "another one",
                )
            )
        return KeyFinding(
            Finding(
                name,
                OK,
                f"none yet at {path}: the first antq audit digest, prove or export creates it "
                "(back it up then)",
            )
        )
    try:
        mine = public_of(load_or_create_key(path))  # it exists: loaded, never created
    except (StorageError, OSError) as error:
        detail = str(error) if isinstance(error, StorageError) else f"{path}: {error.strerror}"
        return KeyFinding(
            Finding(name, FAIL, detail, "restore the ledger's key file from its backup")
        )
    own = fingerprint(mine)
    if signers and mine not in signers:
        return KeyFinding(
            Finding(
                name,
                FAIL,
                f"{path} holds key {own}, but the ledger's checkpoints are signed by key {names}",
                f"restore the ledger's own key file (or set {KEY_VARIABLE} to it); signing with "
                "this one gives inspectors checkpoints their published key does not check",
            )
        )
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return KeyFinding(
            Finding(
                name,
                WARN,
                f"{path} (key {own}) can be read by other users (mode {stat.filemode(mode)})",
                f"chmod 600 {path}",
            ),
            mine,
        )
    signed = f"signed the ledger's {len(checkpoints)} checkpoint(s)" if signers else ""
    signed = signed or "no checkpoint signed yet"
    return KeyFinding(Finding(name, OK, f"{path} (key {own}): {signed}"), mine)


def check_cipher_key(store: Store, url: str) -> Finding:
    """ANTQ_CIPHER_KEY matches how the ledger's first event is stored (clear or encrypted)."""
    from ledger.encryption import KEY_VARIABLE, CipherMismatch, StoreKey

    name = "cipher key"
    try:
        key = StoreKey.from_environment()
    except StorageError:
        return Finding(
            name,
            FAIL,
            f"{KEY_VARIABLE} is not base64 of 32 bytes",
            f"set {KEY_VARIABLE} to the ledger's key exactly as it was created (44 characters), "
            "or unset it if the ledger is not encrypted",
        )
    log = store.log
    rows = store.rows(f"SELECT state FROM {log.name} ORDER BY {log.position} LIMIT 1")
    if not rows:
        if key.key is None:
            return Finding(name, OK, f"no events yet; {KEY_VARIABLE} not set: they will be clear")
        return Finding(
            name, OK, f"no events yet; {KEY_VARIABLE} set (key {key.fingerprint}): encrypted"
        )
    first = bytes(rows[0][0])
    try:
        key.check(first, where=display(url))
    except CipherMismatch:
        if key.key is None:
            return Finding(
                name,
                FAIL,
                f"the ledger's events are encrypted, and {KEY_VARIABLE} is not set",
                f"set {KEY_VARIABLE} to the key the ledger was created with (docs/storage.md, "
                "Encryption at rest); if it never was encrypted, its first event was altered: "
                "see the integrity check",
            )
        if _is_clear(first):
            return Finding(
                name,
                FAIL,
                f"{KEY_VARIABLE} is set (key {key.fingerprint}), but the ledger's events are "
                "stored in clear text",
                f"unset {KEY_VARIABLE}: a ledger is encrypted from its first event or never",
            )
        return Finding(
            name,
            FAIL,
            f"{KEY_VARIABLE} (key {key.fingerprint}) does not decrypt the ledger's events: they "
            "are encrypted with another key",
            f"set {KEY_VARIABLE} to the key the ledger was created with",
        )
    if key.key is None:
        return Finding(name, OK, f"events stored in clear; {KEY_VARIABLE} not set")
    return Finding(name, OK, f"events encrypted; {KEY_VARIABLE} (key {key.fingerprint}) opens them")


def _is_clear(state: bytes) -> bool:
    from ledger.encryption import CipherMismatch, StoreKey

    try:
        StoreKey(None).check(state)
    except CipherMismatch:
        return False
    return True


def check_policy(policy: str | None, database_file: str | None) -> Finding:
    """The access policy that applies (--policy, ANTQ_POLICY, ``<db>.policy.toml``) parses."""
    from ledger.policy import PolicyError, load_policy

    name = "policy"
    beside = Path(f"{database_file}.policy.toml") if database_file else None
    if policy:
        path = Path(policy)
    elif beside is not None and beside.exists():
        path = beside
    else:
        return Finding(
            name,
            OK,
            "none: single-user mode, every actor may record everything (docs/access.md)",
        )
    try:
        loaded = load_policy(path)
    except PolicyError as error:
        return Finding(
            name,
            FAIL,
            "; ".join(str(error).splitlines()),
            "fix the file (docs/access.md): until then every command that opens the ledger "
            "stops with exit 2",
        )
    return Finding(name, OK, f"{path}: {len(loaded.actors)} actor(s)")


def check_journal(store: SQLiteStore) -> Finding:
    """An SQLite ledger runs in WAL mode (readers never wait for the writer)."""
    mode = store.journal_mode().lower()
    if mode == "wal":
        return Finding("journal", OK, "WAL")
    return Finding(
        "journal",
        WARN,
        f"journal mode is {mode}, not WAL: readers and the writer wait for each other",
        "any antq command that opens the ledger switches it back to WAL (e.g. antq audit verify)",
    )


def check_disk_space(
    path: str, min_free: int = MIN_FREE_BYTES, min_share: float = MIN_FREE_SHARE
) -> Finding:
    """Free space on the file system holding an SQLite ledger."""
    folder = Path(path).resolve().parent
    usage = shutil.disk_usage(folder)
    share = usage.free / usage.total if usage.total else 0.0
    detail = f"{_amount(usage.free)} free of {_amount(usage.total)} ({share:.0%}) in {folder}"
    if usage.free < min_free or share < min_share:
        return Finding(
            "disk space",
            WARN,
            f"only {detail}",
            "free some space, or move the ledger to a larger disk: a write that cannot grow "
            "the file fails, and a rebuild of the read models needs room",
        )
    return Finding("disk space", OK, detail)


def _amount(size: int) -> str:
    amount = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if amount < 1024 or unit == "TB":
            return f"{amount:.0f} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} TB"


# --- all of them ---------------------------------------------------------------------------


def diagnose(
    url: str, read_models: ReadModels, policy: str | None = None, quick: bool = False
) -> list[Finding]:
    """Run every check on the ledger at ``url``; a check that cannot run says why (skip)."""
    findings: list[Finding] = []
    storage, store = _guarded("storage", lambda: check_storage(url), (None,))
    findings.append(storage)
    database_file = url[len("sqlite:///") :] if url.startswith("sqlite:///") else None
    try:
        findings += _with_store(store, url, read_models, quick, database_file)
    finally:
        if store is not None:
            store.close()
    policy_finding = _guarded("policy", lambda: check_policy(policy, database_file))
    findings.insert(_after(findings, "cipher key"), policy_finding)
    return findings


def _with_store(
    store: Store | None,
    url: str,
    read_models: ReadModels,
    quick: bool,
    database_file: str | None,
) -> list[Finding]:
    checks = ["schema", "projections", "integrity", "signing key", "cipher key"]
    sqlite_checks = ["journal", "disk space"] if url.startswith("sqlite:") else []
    if store is None:
        return [Finding(c, SKIP, "skipped (storage unreachable)") for c in checks + sqlite_checks]
    found: list[Finding] = []
    schema, layout = _guarded("schema", lambda: check_schema(store, read_models), (Layout(),))
    found.append(schema)
    if not layout.has_log:
        why = "skipped (no ledger in the database)"
        if schema.status == FAIL:
            why = "skipped (not an antq ledger: see schema)"
            if "lacks column" in schema.detail:
                why = "skipped (the events table does not fit: see schema)"
        found += [Finding(c, SKIP, why) for c in checks[1:]]
    else:
        key = _guarded(
            "signing key",
            lambda: check_signing_key(store, layout, database_file),
            transform=lambda f: KeyFinding(f),
        )
        if layout.read_models_fit:
            found.append(
                _guarded("projections", lambda: check_projections(store, layout, read_models))
            )
        else:
            found.append(Finding("projections", SKIP, "skipped (read-model tables: see schema)"))
        found.append(
            _guarded("integrity", lambda: check_integrity(store, layout, key.trusted, quick))
        )
        found.append(key.finding)
        found.append(_guarded("cipher key", lambda: check_cipher_key(store, url)))
    if isinstance(store, SQLiteStore):
        found.append(_guarded("journal", lambda: check_journal(store)))
        found.append(_guarded("disk space", lambda: check_disk_space(store.path)))
    return found


def _after(findings: list[Finding], check: str) -> int:
    names = [f.check for f in findings]
    return names.index(check) + 1 if check in names else len(findings)


def _guarded(
    name: str,
    run: Callable[[], Any],
    extra: tuple[Any, ...] = (),
    transform: Callable[[Finding], Any] | None = None,
) -> Any:
    """Run one check; an error it did not expect becomes a failed finding, never a traceback.

    ``extra`` is what the check returns beside its finding, when it could not finish.
    """
    try:
        return run()
    except Exception as error:  # the user gets a message, never a traceback
        finding = _unexpected(name, error)
    if transform is not None:
        return transform(finding)
    return (finding, *extra) if extra else finding


def _unexpected(name: str, error: Exception) -> Finding:
    reason = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, IntegrityError):
        return Finding(name, FAIL, reason, TAMPERED, exit_code=3)
    if isinstance(error, LedgerError):
        return Finding(name, FAIL, reason, "see the message; then run antq doctor again")
    if isinstance(error, sqlite3.Error) or type(error).__module__.startswith("psycopg"):
        return Finding(
            name,
            FAIL,
            f"storage: {reason}",
            "check that the database is reachable and not damaged, then run antq doctor again",
        )
    return Finding(
        name,
        FAIL,
        f"could not check: {type(error).__name__}: {reason}",
        "this is a bug in antq doctor: please report it with this output",
    )
