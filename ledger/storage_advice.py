"""What to do about a storage failure the user can fix: a full disk, a ledger that cannot be
written where it is. The storage's own words come first; this adds the way out."""

from __future__ import annotations

import os
from pathlib import Path

ROOM_NEEDED = 1 << 20  # bytes: less free than this on the ledger's file system is "full"
# The words SQLite and PostgreSQL use (lower case) for each condition.
DISK_FULL = ("database or disk is full", "no space left on device", "could not extend file",
             "disk full")  # fmt: skip
READ_ONLY = ("readonly database", "read-only file system", "read-only transaction",
             "read only file system")  # fmt: skip
FULL_ADVICE = (
    "the disk holding the ledger is full: free space, then run the command again (what it had "
    "not committed was not written; an import resumes where it stopped)"
)
READ_ONLY_ADVICE = (
    "the ledger cannot be written here: its file or folder is read-only, and SQLite writes its "
    "-wal and -shm files beside the database even to read it; copy the ledger to a writable "
    "folder, or make this one writable"
)


def storage_advice(cause: object, database_file: str | None = None) -> str:
    """``" — "`` and what to do about ``cause``, or ``""`` when there is nothing to add."""
    text = str(cause).lower()
    if any(words in text for words in DISK_FULL) or (database_file and _full(Path(database_file))):
        return f" — {FULL_ADVICE}"
    if any(words in text for words in READ_ONLY) or (
        database_file and "unable to open" in text and not _writable(Path(database_file))
    ):
        return f" — {READ_ONLY_ADVICE}"
    return ""


def _full(database: Path) -> bool:
    """Whether the file system holding the database has no room left for SQLite's files (it
    then reports only "disk I/O error" or "unable to open database file")."""
    try:
        space = os.statvfs(database.parent)
    except OSError:
        return False
    return space.f_bavail * space.f_frsize < ROOM_NEEDED


def _writable(database: Path) -> bool:
    """Whether SQLite could write the database and the files beside it."""
    folder_writable = os.access(database.parent, os.W_OK)
    return folder_writable and (not database.exists() or os.access(database, os.W_OK))
