"""The way out added to a storage failure: a full disk, a ledger that cannot be written."""

from __future__ import annotations

import os
from pathlib import Path

from ledger.storage_advice import FULL_ADVICE, READ_ONLY_ADVICE, storage_advice


def test_each_storage_words_for_a_full_disk_get_the_same_advice() -> None:
    for words in ("database or disk is full",
                  'could not extend file "base/5/1234": No space left on device'):  # fmt: skip
        assert storage_advice(words) == f" — {FULL_ADVICE}"


def test_a_read_only_database_gets_the_read_only_advice() -> None:
    for words in ("attempt to write a readonly database",
                  "cannot execute INSERT in a read-only transaction"):  # fmt: skip
        assert storage_advice(words) == f" — {READ_ONLY_ADVICE}"


def test_an_unopenable_file_in_a_writable_folder_gets_no_advice(tmp_path: Path) -> None:
    assert os.access(tmp_path, os.W_OK)
    assert storage_advice("unable to open database file", str(tmp_path / "antq.db")) == ""


def test_other_failures_get_nothing_added() -> None:
    assert storage_advice("no such table: stored_events") == ""
    assert storage_advice("database is locked") == ""
