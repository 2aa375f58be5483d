"""Whether the database's tables are the ones this antq uses, with the columns it uses.

The log, the subject keys and the integrity tree are the ledger's own tables; the read side's
tables are described by the caller (``ReadModels``), since ``ledger`` does not import
``projections``. ``check_schema`` compares them with what the database holds, tells an empty
database, a foreign one, an older and a newer ledger apart, and returns the ``Layout`` it found,
which decides what the later checks can read.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.doctor.findings import FAIL, OK, WARN, Finding, merge
from ledger.doctor.stores import Store

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
        return merge(name, problems), layout
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
