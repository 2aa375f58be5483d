"""Several OS processes writing to one PostgreSQL ledger at once, while others read it: every
event stored and read exactly once, in commit order; races on one record lose nothing; the read
models end exactly at the log's head.

Writers are this module run as a script (``python -m tests.cli.test_postgres_concurrency``):
each opens the ledger, says ``ready``, waits for ``go`` on stdin, then records through
``Ledger.execute`` (one event per transaction) and through a session (a few events per
transaction, as an import does), so thousands of small commits interleave.
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from .conftest import CLERK, UNITS, Antq, run_antq, start_antq, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
COMMUNES = ["X1", "X2", "X3"]
WRITERS = 8
EVENTS_PER_WRITER = 2000
# Events per transaction, in turn: 1 through Ledger.execute, more through one session.
TRANSACTION_SIZES = (1, 4, 10)
TAIL_PAGE = 100


# --- the worker processes -------------------------------------------------------------------


def _write_cases(url: str, writer: int, count: int, settle_every: int) -> dict[str, Any]:
    """Receive ``count`` cases in the communes in turn (and settle every ``settle_every``-th
    one in a later transaction); return the positions each transaction got."""
    from ledger.application import Clerk, Ledger, apply
    from ledger.commands import DisputeReceive, DisputeSettle

    ledger, clerk = Ledger(url), Clerk(CLERK, "CA_XA")
    _ready()
    transactions: list[list[int]] = []
    n = 0
    while n < count:
        size = min(TRANSACTION_SIZES[len(transactions) % len(TRANSACTION_SIZES)], count - n)
        actions = [
            DisputeReceive(unit=unit, case=case, category="đất đai", effective_on="2023-03-01")
            for unit, case in (_case(writer, i) for i in range(n, n + size))
        ]
        if size == 1:
            positions = [r.position for r in ledger.execute(actions[0], clerk)]
        else:
            session = ledger.session()
            for action in actions:
                apply(session, action, clerk.entry_for(action))
            positions = list(ledger.store(*session.collect()))
        transactions.append(positions)
        for i in range(n, n + size):
            if settle_every and i % settle_every == 0:
                unit, case = _case(writer, i)
                settle = DisputeSettle(unit=unit, case=case, effective_on="2023-04-01")
                transactions.append([r.position for r in ledger.execute(settle, clerk)])
        n += size
    ledger.close()
    return {"transactions": transactions}


def _race_on_one_case(url: str, worker: int, commands: int) -> dict[str, Any]:
    """Fail, resume and reassign the same mediation case as fast as possible; return each
    command's outcome: its positions, or the message it was refused with."""
    from ledger.application import Clerk, Ledger
    from ledger.commands import DisputeAssign, DisputeFail, DisputeResume
    from ledger.errors import LedgerError

    ledger, clerk = Ledger(url), Clerk(CLERK, "CA_XA")
    _ready()
    outcomes: list[dict[str, Any]] = []
    key = {"unit": "X1", "case": "HG-1", "effective_on": "2023-05-01"}
    for n in range(commands):
        kind = (worker + n) % 3
        if kind == 0:
            action: Any = DisputeFail(**key, reason=f"worker {worker} command {n}")
        elif kind == 1:
            action = DisputeResume(**key)
        else:
            action = DisputeAssign(**key, team=f"Tổ hòa giải {worker}-{n}")
        try:
            recorded = ledger.execute(action, clerk)
        except LedgerError as error:
            outcomes.append({"action": action.ACTION, "refused": type(error).__name__,
                             "message": str(error)})  # fmt: skip
        else:
            positions = [r.position for r in recorded]
            versions = [r.event.originator_version for r in recorded]
            outcomes.append({"action": action.ACTION, "positions": positions, "versions": versions})
    ledger.close()
    return {"outcomes": outcomes}


def _ready() -> None:
    print("ready", flush=True)
    sys.stdin.readline()  # "go"


def _case(writer: int, n: int) -> tuple[str, str]:
    return COMMUNES[(writer + n) % len(COMMUNES)], f"W{writer}-{n:05d}"


if __name__ == "__main__":
    mode, url, number, count, extra = sys.argv[1:6]
    if mode == "write":
        result = _write_cases(url, int(number), int(count), int(extra))
    elif mode == "open":
        from ledger.application import Ledger

        _ready()
        Ledger(url).close()
        result = {}
    else:
        result = _race_on_one_case(url, int(number), int(count))
    print(json.dumps(result), flush=True)
    sys.exit(0)


# --- helpers of the tests -------------------------------------------------------------------


@contextmanager
def _workers(*argvs: Sequence[str]) -> Iterator[list[subprocess.Popen[str]]]:
    """Start the worker processes one after another (each opens the ledger before the next
    starts), then let them all go at once."""
    workers = []
    try:
        for argv in argvs:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tests.cli.test_postgres_concurrency", *argv],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                cwd=ROOT,
                env=subprocess_env(),
            )
            workers.append(worker)
            assert worker.stdout is not None and worker.stdin is not None
            line = worker.stdout.readline()
            assert line == "ready\n", line + worker.communicate(timeout=30)[1]
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        yield workers
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


def _results(workers: list[subprocess.Popen[str]], timeout: float = 150) -> list[dict[str, Any]]:
    """Each worker's JSON result; every worker must exit 0 and print nothing on stderr."""
    deadline = time.monotonic() + timeout
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=max(1, deadline - time.monotonic()))
        assert (worker.returncode, err) == (0, ""), err
        results.append(json.loads(out.splitlines()[-1]))
    return results


class Tailer(threading.Thread):
    """Reads the log as the projector does, page after page after the last position seen,
    until stopped; then reads once more, to the end."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        from ledger.application import Ledger

        self.ledger = Ledger(url)
        self.seen: list[int] = []
        self.pages_while_writing = 0
        self.finish = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        last = 0
        try:
            while True:
                finishing = self.finish.is_set()  # before the read: the last read sees all
                page = self.ledger.recorder.select_notifications(
                    start=last, limit=TAIL_PAGE, inclusive_of_start=False
                )
                for notification in page:
                    assert notification.id > last, (notification.id, last)
                    self.ledger.mapper.to_domain_event(notification)  # readable
                    self.seen.append(notification.id)
                    last = notification.id
                if page and not finishing:
                    self.pages_while_writing += 1
                if not page:
                    if finishing:
                        return
                    time.sleep(0.005)
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            self.ledger.close()


def _table(url: str, sql: str) -> list[Any]:
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()


def _province(url: str) -> Antq:
    antq = Antq(url)
    for args in UNITS:
        antq.ok("unit", "register", *args)
    return antq


def _standings(url: str, scope: str | None = None) -> dict[str, Any]:
    result = run_antq(url, "standings", "--year", "2023", "--json",
                      *(["--scope", scope] if scope else []))  # fmt: skip
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return json.loads(result.stdout)


# --- 1. many writers, one tailing reader ----------------------------------------------------


@pytest.mark.slow  # about 70 s on two cores
def test_eight_writers_and_a_tailing_reader_see_every_event_once_in_order(
    postgres_url: str,
) -> None:
    _province(postgres_url)
    setup = [row[0] for row in _table(postgres_url, "SELECT notification_id FROM antq_events")]
    tailer = Tailer(postgres_url)
    tailer.start()

    started = time.monotonic()
    argvs = [("write", postgres_url, str(w), str(EVENTS_PER_WRITER), "0") for w in range(WRITERS)]
    with _workers(*argvs) as workers:
        results = _results(workers)
    writing = time.monotonic() - started
    tailer.finish.set()
    tailer.join(timeout=60)
    assert not tailer.is_alive()
    assert tailer.error is None, repr(tailer.error)

    # Check every writer's events were stored once, at positions nobody else got.
    owner: dict[int, int] = {}
    for writer, result in enumerate(results):
        positions = [p for transaction in result["transactions"] for p in transaction]
        assert len(positions) == EVENTS_PER_WRITER
        for transaction in result["transactions"]:
            assert transaction == list(range(transaction[0], transaction[0] + len(transaction)))
        for position in positions:
            assert owner.setdefault(position, writer) == writer, position
    table = [row[0] for row in _table(postgres_url, "SELECT notification_id FROM antq_events")]
    assert len(table) == len(setup) + WRITERS * EVENTS_PER_WRITER
    assert sorted(table) == sorted([*setup, *owner])

    # Check the tailer read every stored position exactly once, in increasing order.
    assert tailer.seen == sorted(set(tailer.seen))
    assert set(tailer.seen) == set(table)
    # ... and that it really read while the writers committed, which really interleaved.
    assert tailer.pages_while_writing >= 20, tailer.pages_while_writing
    order = [owner[p] for p in sorted(owner)]
    switches = sum(a != b for a, b in itertools.pairwise(order))
    assert switches >= 10 * WRITERS, switches

    # Check the integrity tree has one leaf per event, and the audit recomputes it.
    leaves = _table(postgres_url, "SELECT idx, position FROM integrity_leaves ORDER BY idx")
    assert leaves == list(enumerate(sorted(table)))
    audit = run_antq(postgres_url, "audit", "verify")
    assert (audit.returncode, audit.stderr) == (0, ""), audit.stdout + audit.stderr
    assert audit.stdout.startswith(f"OK: {len(table)} events up to log position {max(table)},")
    print(f"{WRITERS} writers: {len(owner)} events in {writing:.1f} s, {switches} switches")


# --- 2. many processes recording into one record --------------------------------------------


SAFETY_RACERS = [
    *(("recognise", "--decision", f"{n}/QĐ-UBND") for n in range(1, 5)),
    *(("deny", "--reason", f"chưa đạt {n}") for n in range(1, 5)),
    *(("annul", "--reason", f"hủy {n}") for n in range(1, 5)),
]


def test_processes_deciding_and_annulling_one_safety_record_lose_nothing(
    postgres_url: str,
) -> None:
    province = _province(postgres_url)
    province.ok("safety", "register", "--unit", "X1", "--year", "2023", "--on", "2023-02-01")
    racers = [
        start_antq(postgres_url, "safety", verb, "--unit", "X1", "--year", "2023",
                    "--on", "2023-12-20", *args)
        for verb, *args in SAFETY_RACERS
    ]  # fmt: skip
    finished = [(*p.communicate(timeout=120), p.returncode) for p in racers]

    # Check each command succeeded, or was refused by a rule with a one-line message.
    won = []
    for out, err, code in finished:
        assert "Traceback" not in out + err
        if code == 0:
            assert err == ""
            (line,) = out.splitlines()
            won.append(line.split(" [flagged: ")[0])
        else:
            assert (code, out) == (1, ""), (code, out, err)
            (line,) = err.splitlines()
            assert line.startswith("Error: safety X1 2023") or line.endswith(
                ": other writers kept changing the same records; try again"
            ), line
    assert won, finished

    # Check the record holds exactly the events of the commands that succeeded, versions
    # 1..n without gaps, each at the position its command printed, in an order the rules allow.
    history = json.loads(province.ok("history", "safety", "X1", "2023", "--json"))
    assert [e["version"] for e in history] == list(range(1, len(history) + 1))
    assert len(history) == 1 + len(won)
    log = [e for e in province.log() if e["record"] == "safety X1 2023"]
    assert [e["version"] for e in log] == [e["version"] for e in history]
    assert sorted(f"recorded #{e['position']} safety X1 2023 {e['event']}" for e in log[1:]) == (
        sorted(won)
    )
    status = "registered"
    for event in [e["event"] for e in history][1:]:
        if event in ("Recognised", "Denied"):
            assert status in ("registered", "annulled"), (event, status)
            status = event.lower()
        else:
            assert event == "Annulled" and status in ("recognised", "denied"), status
            status = "annulled" if status == "recognised" else "registered"


def test_processes_hammering_one_mediation_case_lose_nothing(postgres_url: str) -> None:
    province = _province(postgres_url)
    province.ok("dispute", "receive", "--unit", "X1", "--case", "HG-1", "--on", "2023-04-01")
    workers_count, commands = 4, 60
    argvs = [("race", postgres_url, str(w), str(commands), "0") for w in range(workers_count)]
    with _workers(*argvs) as workers:
        results = _results(workers)

    outcomes = [o for result in results for o in result["outcomes"]]
    assert len(outcomes) == workers_count * commands
    succeeded = [o for o in outcomes if "positions" in o]
    refused = Counter(o["refused"] for o in outcomes if "refused" in o)
    assert set(refused) <= {"RuleViolation", "ConflictError"}, refused
    for o in outcomes:
        if o.get("refused") == "RuleViolation":
            assert o["message"].startswith("dispute X1 HG-1 is "), o
    assert succeeded

    # Check every success is in the record once, at its version, and nothing else is.
    events = _table(
        postgres_url,
        "SELECT originator_version, notification_id, topic FROM antq_events e "
        "JOIN (SELECT originator_id FROM antq_events WHERE originator_version = 1 "
        "AND topic LIKE '%MediationCase.Received') c USING (originator_id) "
        "ORDER BY originator_version",
    )
    assert [version for version, _, _ in events] == list(range(1, len(events) + 1))
    assert len(events) == 1 + len(succeeded)
    by_version = {version: position for version, position, _ in events}
    for o in succeeded:
        assert [by_version[v] for v in o["versions"]] == o["positions"], o

    # Check the order is one the rules allow: fail only an open case, resume only a failed one.
    status = "open"
    for _, _, topic in events[1:]:
        name = topic.rsplit(".", 1)[1]
        if name in ("Assigned", "Failed"):
            assert status == "open", (name, status)
            status = "failed" if name == "Failed" else "open"
        else:
            assert (name, status) == ("Resumed", "failed")
            status = "open"
    print(f"{len(succeeded)} succeeded, refused: {dict(refused)}")


def test_processes_opening_an_existing_ledger_at_once_all_succeed(postgres_url: str) -> None:
    _province(postgres_url)
    with _workers(*[("open", postgres_url, "0", "0", "0")] * WRITERS) as openers:
        _results(openers)


# --- 3. read models under concurrency --------------------------------------------------------


def test_read_models_end_exactly_at_the_head_while_writers_and_readers_race(
    postgres_url: str,
) -> None:
    _province(postgres_url)
    writers, per_writer, settle_every = 4, 400, 10
    follower = start_antq(postgres_url, "projections", "follow", "--poll", "0.2")
    assert follower.stdout is not None
    assert follower.stdout.readline().startswith("following the log from position ")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(follower.stdout), daemon=True)
    reader.start()

    argvs = [("write", postgres_url, str(w), str(per_writer), str(settle_every))
             for w in range(writers)]  # fmt: skip
    received_seen: list[int] = []
    try:
        with _workers(*argvs) as workers:
            # Standings read (and catch up) while the writers commit and the follower follows.
            while any(w.poll() is None for w in workers):
                received_seen.append(_standings(postgres_url)["mediation"]["received"])
            _results(workers)
        head = _table(postgres_url, "SELECT MAX(notification_id) FROM antq_events")[0][0]
        deadline = time.monotonic() + 30
        while f"caught up to position {head}\n" not in lines and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=30)
        reader.join(timeout=5)
        assert follower.stderr is not None
        err = follower.stderr.read()
    assert (follower.returncode, err) == (0, ""), err
    assert f"caught up to position {head}\n" in lines, lines[-3:]
    assert lines[-1] == f"stopped at position {head}\n"

    # Check the follower left every read model exactly at the head (status does not catch up).
    status = run_antq(postgres_url, "projections", "status", "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    assert {row["name"]: (row["position"], row["lag"]) for row in rows} == {
        row["name"]: (head, 0) for row in rows
    }

    # Check the counts are exactly what the writers recorded, per commune and in all.
    cases = [_case(w, n) for w in range(writers) for n in range(per_writer)]
    settled = [_case(w, n) for w in range(writers) for n in range(0, per_writer, settle_every)]
    assert received_seen, received_seen  # read while the writers wrote
    assert received_seen == sorted(received_seen), received_seen
    assert received_seen[-1] <= len(cases)
    for commune in COMMUNES:
        received = sum(unit == commune for unit, _ in cases)
        settled_here = sum(unit == commune for unit, _ in settled)
        assert _standings(postgres_url, commune)["mediation"] == {
            "received": received, "settled": settled_here, "failed": 0, "referred": 0,
            "open": received - settled_here,
        }  # fmt: skip
    everything = _standings(postgres_url)
    assert everything["mediation"]["received"] == len(cases)

    # Check a rebuild from the log gives the same figures.
    rebuilt = run_antq(postgres_url, "projections", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.endswith(f"up to log position {head}\n")
    assert _standings(postgres_url) == everything
