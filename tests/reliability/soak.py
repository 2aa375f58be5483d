"""Several `antq` processes recording into one ledger at once for a while: nothing lost, no
command failing with "database is locked".

    python -m tests.reliability.soak [--seconds 60] [--processes 4] [--db URL]

Each worker records mediation cases of its own commune, one command (one OS process) at a
time: received, assigned, settled; every fifth case it also reads the standings, which
catches the read models up (a writer too). The test run uses a shorter soak (tests/reliability/
test_soak.py).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.cli.conftest import run_antq

STEPS = (("receive", "Received"), ("assign", "Assigned"), ("settle", "Settled"))


@dataclass
class Soak:
    """What the workers did: each command's outcome, and the events they expect in the log."""

    commands: int = 0
    failures: list[str] = field(default_factory=list)
    expected: Counter[tuple[str, str]] = field(default_factory=Counter)
    settled: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, url: str, *args: str) -> bool:
        result = run_antq(url, *args, timeout=120)
        with self.lock:
            self.commands += 1
            if result.returncode != 0 or "Traceback" in result.stdout + result.stderr:
                self.failures.append(f"{' '.join(args)} → {result.returncode}: {result.stderr}")
        return result.returncode == 0


def soak(url: str, processes: int, seconds: float) -> Soak:
    """Run ``processes`` workers against the ledger at ``url`` for ``seconds``."""
    done = Soak()
    done.run(url, "unit", "register", "--code", "S", "--name", "Tỉnh Thử", "--kind", "province",
             "--on", "2004-01-01")  # fmt: skip
    for worker in range(processes):
        done.run(url, "unit", "register", "--code", f"S-{worker}", "--name", f"Xã Thử {worker}",
                 "--kind", "commune", "--parent", "S", "--on", "2004-01-01")  # fmt: skip
    deadline = time.monotonic() + seconds

    def work(worker: int) -> None:
        unit, n = f"S-{worker}", 0
        while time.monotonic() < deadline:
            case = f"C{n:05d}"
            for verb, event in STEPS:
                extra = ["--team", "Tổ 1"] if verb == "assign" else []
                extra += ["--category", "đất đai"] if verb == "receive" else []
                args = ("dispute", verb, "--unit", unit, "--case", case, "--on", "2023-03-01")
                if not done.run(url, *args, *extra):
                    return
                with done.lock:
                    done.expected[(f"dispute {unit} {case}", event)] += 1
            with done.lock:
                done.settled += 1
            if n % 5 == 4:
                done.run(url, "standings", "--year", "2023", "--json")
            n += 1

    threads = [threading.Thread(target=work, args=(w,)) for w in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def check(url: str, done: Soak) -> list[str]:
    """Problems found after a soak: failed commands, lost or duplicated events, a bad tree."""
    problems = list(done.failures)
    log = json.loads(run_antq(url, "log", "--json").stdout)
    positions = [e["position"] for e in log]
    if positions != list(range(1, len(log) + 1)) and url.startswith("sqlite"):
        problems.append("positions are not 1..n")
    found = Counter((e["record"], e["event"]) for e in log if e["record"].startswith("dispute"))
    if found != done.expected:
        problems.append(f"log differs from the successes: {found - done.expected} extra, "
                        f"{done.expected - found} missing")  # fmt: skip
    standings = json.loads(run_antq(url, "standings", "--year", "2023", "--json").stdout)
    if standings["mediation"]["settled"] != done.settled:
        problems.append(f"standings count {standings['mediation']['settled']} settled, "
                        f"the workers {done.settled}")  # fmt: skip
    if run_antq(url, "audit", "verify").returncode != 0:
        problems.append("audit verify failed")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--db", help="a ledger URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'soak.db'}"
        began = time.monotonic()
        done = soak(url, args.processes, args.seconds)
        elapsed = time.monotonic() - began
        problems = check(url, done)
    print(f"{args.processes} processes for {elapsed:.0f} s: {done.commands} commands, "
          f"{done.settled} cases settled, {len(done.failures)} failed; "
          f"{len(problems)} problem(s)")  # fmt: skip
    for problem in problems:
        print(" ", problem)


if __name__ == "__main__":
    main()
