"""Crash safety, a small run: imports and rebuilds killed with SIGKILL at random moments (see
``crash.py``; ``python -m tests.reliability.crash_trials`` runs many more, on 200,000 events).

Each run draws new moments; a failure names its seed, and ANTQ_CRASH_SEED=N replays the run.
Below them, regression tests of what the trials found.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Clerk, Ledger
from ledger.imports import import_file
from projections import parallel
from projections.runner import Projector, RebuildUnfinished, engine_for
from tests.postgres import PostgresServer

from ..conftest import EXAMPLES
from .crash import (
    PostgresStorage,
    Storage,
    Workload,
    dump,
    group_members,
    import_trial,
    prepare,
    prepare_rebuild,
    rebuild_trial,
)

EVENTS = 15_000
SEED = int(os.environ.get("ANTQ_CRASH_SEED") or int.from_bytes(os.urandom(3)))
CLERK = Clerk(actor="Nguyễn Thị Thư Ký", role="CA_XA")


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workload]:
    storage = Storage(tmp_path_factory.mktemp("crash"))
    yield prepare(storage, EVENTS)
    storage.close()


def test_an_import_killed_at_random_moments_commits_whole_batches_and_resumes(
    workload: Workload,
) -> None:
    for number in range(3):
        # Late enough, most of the time, that some batches are committed at the kill.
        trial = import_trial(workload, number, SEED + number, window=(0.3, 1.0))
        print(trial.describe())
        assert not trial.problems, trial.describe()


def test_a_rebuild_killed_at_random_moments_is_refused_then_completed(workload: Workload) -> None:
    rebuilt = prepare_rebuild(workload)
    for number in range(2):
        # The first half of a short rebuild is mostly the command starting up.
        trial = rebuild_trial(workload, rebuilt, number, SEED + 1000 + number, window=(0.5, 1.0))
        print(trial.describe())
        assert not trial.problems, trial.describe()


def test_an_import_killed_on_postgresql(
    postgres_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    storage = PostgresStorage(tmp_path, postgres_server.admin_url)
    try:
        small = prepare(storage, 6000)
        trial = import_trial(small, 0, SEED, window=(0.3, 1.0))
        print(trial.describe())
        assert not trial.problems, trial.describe()
    finally:
        storage.close()


# --- regressions ---------------------------------------------------------------------------------


def killed_rebuild(url: str, kill_after: str) -> None:
    """Run ``Projector.rebuild`` on ``url`` in a process of its own (the parallel path taken
    from 10 events on) that kills itself with SIGKILL at ``kill_after``: 'drop 3' (after the
    third table is dropped) or 'copy' (when the workers are done, before their rows are copied);
    wait until its worker processes are gone, or fail."""
    code = textwrap.dedent(f"""
        import os, signal
        from sqlalchemy import event
        from ledger.application import Ledger
        from projections import parallel
        from projections.runner import Projector, engine_for
        from projections.schema import metadata

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        dropped = []
        def after_drop(target, connection, **kw):
            dropped.append(target.name)
            if {kill_after!r} == "drop 3" and len(dropped) == 3:
                die()

        for table in metadata.sorted_tables:
            event.listen(table, "after_drop", after_drop)
        if {kill_after!r} == "copy":
            parallel._copy_rows = die
        parallel.PARALLEL_FROM = 10
        Projector(Ledger({url!r}), engine_for({url!r})).rebuild()
    """)
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    assert process.wait(timeout=120) == -signal.SIGKILL
    survivors = group_members(process.pid, grace=10)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "worker processes outlived the rebuild they worked for"


@pytest.fixture
def province(tmp_path: Path) -> Iterator[tuple[Ledger, str]]:
    url = f"sqlite:///{tmp_path / 'antq.db'}"
    ledger = Ledger(url)
    import_file(ledger, EXAMPLES / "small-province.jsonl", CLERK)
    engine = engine_for(url)
    Projector(ledger, engine).catch_up()
    engine.dispose()
    yield ledger, url
    ledger.close()


def rebuilt_elsewhere_in_one_process(ledger: Ledger, folder: Path) -> dict:
    engine = engine_for(f"sqlite:///{folder / 'one-process.db'}")
    try:
        Projector(ledger, engine).rebuild()  # a short log: one process
        return dump(engine)
    finally:
        engine.dispose()


def test_a_rebuild_killed_while_dropping_tables_leaves_reads_refused(
    province: tuple[Ledger, str], tmp_path: Path
) -> None:
    # Before: each DROP TABLE committed on its own and the marker row went in after them, so
    # the tables left standing and the old positions read as caught-up models (mediation 0).
    ledger, url = province

    killed_rebuild(url, "drop 3")

    engine = engine_for(url)
    try:
        with pytest.raises(RebuildUnfinished):
            Projector(ledger, engine).catch_up()
        Projector(ledger, engine).rebuild()
        assert dump(engine) == rebuilt_elsewhere_in_one_process(ledger, tmp_path)
    finally:
        engine.dispose()


def test_the_workers_of_a_killed_rebuild_exit_and_the_next_removes_their_files(
    province: tuple[Ledger, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the scratch files of a killed rebuild (named after its process id) stayed beside
    # the database for good; and workers killed mid-range went on projecting, orphaned (seen on
    # 200,000 events: crash_trials), which a log this short cannot show.
    ledger, url = province

    killed_rebuild(url, "copy")  # fails unless the workers exit on their own

    assert list(tmp_path.glob("antq.db.rebuild-*"))  # the killed rebuild's scratch files
    engine = engine_for(url)
    try:
        monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
        Projector(ledger, engine).rebuild()
        monkeypatch.undo()
        assert not list(tmp_path.glob("*.rebuild-*"))
        assert dump(engine) == rebuilt_elsewhere_in_one_process(ledger, tmp_path)
    finally:
        engine.dispose()


def test_a_rebuild_in_workers_into_another_database_reads_the_ledgers_log(
    province: tuple[Ledger, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the workers opened the ledger at the read models' URL, read an empty log there,
    # and the read models came out empty, positions at the head.
    ledger, _ = province
    expected = rebuilt_elsewhere_in_one_process(ledger, tmp_path)
    engine = engine_for(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    try:
        monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
        Projector(ledger, engine).rebuild()
        assert dump(engine) == expected
    finally:
        engine.dispose()
