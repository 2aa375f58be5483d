"""What lies around the ledger: the access policy that applies to it and, for an SQLite file,
its journal mode and the free space on its disk.

The policy is the one ``--policy``, ``ANTQ_POLICY`` or ``<db>.policy.toml`` names, and must parse.
An SQLite ledger should run in WAL mode, so that readers never wait for the writer, and its file
system should keep room to grow (``MIN_FREE_BYTES``, ``MIN_FREE_SHARE``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ledger.doctor.findings import FAIL, OK, WARN, Finding, amount
from ledger.doctor.stores import SQLiteStore

MIN_FREE_BYTES = 100 * 1024 * 1024  # warn under 100 MB free beside an SQLite ledger...
MIN_FREE_SHARE = 0.10  # ...or under 10% of its file system


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
    detail = f"{amount(usage.free)} free of {amount(usage.total)} ({share:.0%}) in {folder}"
    if usage.free < min_free or share < min_share:
        return Finding(
            "disk space",
            WARN,
            f"only {detail}",
            "free some space, or move the ledger to a larger disk: a write that cannot grow "
            "the file fails, and a rebuild of the read models needs room",
        )
    return Finding("disk space", OK, detail)
