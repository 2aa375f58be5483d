"""A full disk and a read-only ledger, on a real file system of the size the test chooses (a
tmpfs mounted for the test; it needs root, which CI has): a clear error naming the way out,
whole batches only, and the same command completing once there is room."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import run_antq, write_jsonl
from tests.conftest import EXAMPLES

CASES = 20_000  # four batches of 5,000 events: an 8 MB disk holds the first two
FULL = "the disk holding the ledger is full: free space, then run the command again"
READ_ONLY = "the ledger cannot be written here: its file or folder is read-only"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB file system of the test's own, unmounted afterwards."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root): {mounted.stderr!r}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def remount(folder: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], check=True)


def cases_file(folder: Path) -> Path:
    return write_jsonl(folder / "cases.jsonl", [
        {"action": "dispute.receive", "unit": "TN-X1", "case": f"FULL-{n:05d}",
         "effective_on": "2023-03-01", "category": "đất đai"}
        for n in range(CASES)
    ])  # fmt: skip


def cases_in_log(url: str) -> list[str]:
    log = json.loads(run_antq(url, "log", "--json").stdout)
    return [e["record"] for e in log if e["record"].startswith("dispute TN-X1 FULL-")]


def test_an_import_that_fills_the_disk_keeps_whole_batches_and_completes_later(
    disk: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{disk / 'antq.db'}"
    assert run_antq(url, "import", str(EXAMPLES / "small-province.jsonl")).returncode == 0
    result = run_antq(url, "import", str(cases_file(tmp_path)))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: storage: database or disk is full — " + FULL)
    assert "Traceback" not in result.stdout + result.stderr
    kept = cases_in_log(url)
    assert 0 < len(kept) < CASES and len(kept) % 5000 == 0  # whole batches, and no more
    assert kept == [f"dispute TN-X1 FULL-{n:05d}" for n in range(len(kept))]
    assert run_antq(url, "audit", "verify").returncode == 0

    remount(disk, "size=64m")  # room again: the same command completes the import
    result = run_antq(url, "import", str(tmp_path / "cases.jsonl"))
    assert result.returncode == 0, result.stderr
    assert f"(resumed after {len(kept)} lines)" in result.stdout
    assert cases_in_log(url) == [f"dispute TN-X1 FULL-{n:05d}" for n in range(CASES)]
    assert run_antq(url, "audit", "verify").returncode == 0


def test_commands_on_a_full_disk_write_nothing_and_say_why(disk: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{disk / 'antq.db'}"
    assert run_antq(url, "import", str(EXAMPLES / "small-province.jsonl")).returncode == 0
    before = run_antq(url, "audit", "verify").stdout
    filler = disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
    register = ("unit", "register", "--code", "TN-X9", "--name", "Xã Chín", "--kind", "commune",
                "--parent", "TN", "--on", "2004-01-01")  # fmt: skip
    for args in (register, ("log",)):  # SQLite needs room for its -shm file even to read
        result = run_antq(url, *args)
        assert result.returncode in (1, 2) and FULL in result.stderr, result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    filler.unlink()
    assert run_antq(url, "audit", "verify").stdout == before  # nothing was written


def test_a_read_only_ledger_is_refused_with_the_way_out(disk: Path) -> None:
    url = f"sqlite:///{disk / 'antq.db'}"
    assert run_antq(url, "import", str(EXAMPLES / "small-province.jsonl")).returncode == 0
    remount(disk, "ro")
    for args in (
        ("log",),
        (
            "unit",
            "register",
            "--code",
            "TN-X9",
            "--name",
            "Xã Chín",
            "--kind",
            "commune",
            "--parent",
            "TN",
            "--on",
            "2004-01-01",
        ),
    ):
        result = run_antq(url, *args)
        assert result.returncode == 2, result.stderr
        assert READ_ONLY in result.stderr and "Traceback" not in result.stderr
    remount(disk, "rw")
    log = json.loads(run_antq(url, "log", "--json").stdout)
    assert len(log) == 57 and "TN-X9" not in json.dumps(log)
