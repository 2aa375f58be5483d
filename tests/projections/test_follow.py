"""``antq projections follow``: a long-running process that keeps the read models caught up with
events other processes write, stops cleanly on Ctrl-C and resumes from its stored position."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from ledger.application import Ledger
from tests.cli.conftest import ANTQ, run_antq, subprocess_env

from .conftest import Antq

STARTED = "following the log from position"


class Follower:
    """``antq projections follow`` in its own process, its output lines read as they come."""

    def __init__(self, db_url: str) -> None:
        self.process = subprocess.Popen(
            [str(ANTQ), "--db", db_url, "projections", "follow", "--poll", "0.2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=subprocess_env(),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout: float = 30) -> str:
        return self.lines.get(timeout=timeout)

    def wait_for_position(self, position: int, timeout: float = 30) -> list[str]:
        """The lines printed until the follower reports ``position`` (or a later one)."""
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.next_line(deadline - time.monotonic())
            seen.append(line)
            if line.startswith("caught up to position ") and int(line.split()[-1]) >= position:
                return seen
        raise AssertionError(f"never reached {position}: {seen}")

    def interrupt(self) -> tuple[int, list[str], str]:
        """Ctrl-C; the exit code, the lines printed after, and stderr."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        rest = []
        while True:
            try:
                rest.append(self.lines.get(timeout=1))
            except queue.Empty:
                break
        assert self.process.stderr is not None
        return code, rest, self.process.stderr.read()


@pytest.fixture
def follower(antq: Antq) -> Iterator[Follower]:
    antq.ok("unit", "register", "--code", "TN", "--name", "Tỉnh Thử Nghiệm", "--kind", "province",
            "--on", "2004-01-01")  # fmt: skip
    running = Follower(antq.db_url)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def head(db_url: str) -> int:
    ledger = Ledger(db_url)
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def register_commune(db_url: str, code: str) -> None:
    written = run_antq(db_url, "unit", "register", "--code", code, "--name", f"Xã {code}",
                       "--kind", "commune", "--parent", "TN", "--on", "2004-01-01")  # fmt: skip
    assert written.returncode == 0, written.stderr


def test_follow_picks_up_events_another_process_writes(antq: Antq, follower: Follower) -> None:
    assert follower.next_line().startswith(STARTED)
    register_commune(antq.db_url, "X1")
    register_commune(antq.db_url, "X2")
    follower.wait_for_position(head(antq.db_url))

    code, after, errors = follower.interrupt()

    status = antq.json("projections", "status")
    assert (code, after, errors) == (0, [f"stopped at position {head(antq.db_url)}"], "")
    assert {row["lag"] for row in status} == {0}


def test_models_are_caught_up_without_any_read_while_following(
    antq: Antq, follower: Follower
) -> None:
    follower.next_line()
    register_commune(antq.db_url, "X1")
    follower.wait_for_position(head(antq.db_url))

    # Status does not catch up on its own: it shows what the follower committed.
    status = antq.json("projections", "status")

    assert {(row["position"], row["lag"]) for row in status} == {(head(antq.db_url), 0)}
    follower.interrupt()


def test_a_follower_stopped_and_started_again_resumes_from_its_stored_position(
    antq: Antq, follower: Follower
) -> None:
    follower.next_line()
    follower.interrupt()
    stopped_at = head(antq.db_url)
    register_commune(antq.db_url, "X1")  # written while nobody follows
    register_commune(antq.db_url, "X2")
    behind = {row["position"] for row in antq.json("projections", "status")}

    again = Follower(antq.db_url)
    first = again.next_line()
    code, _, errors = again.interrupt()

    assert behind == {stopped_at}
    assert (first, code, errors) == (f"{STARTED} {head(antq.db_url)} (Ctrl-C to stop)", 0, "")
    caught_up = antq.json("projections", "status")
    assert {(row["position"], row["lag"]) for row in caught_up} == {(head(antq.db_url), 0)}
