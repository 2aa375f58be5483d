"""A long rebuild in worker processes: the log is cut into ranges, each projected by one of two
workers into a scratch SQLite file of its own beside the ledger, and the rows are then copied
into the ledger's tables with one INSERT ... SELECT per table.

The ranges are independent because a projector recalls the records it continues from the log
itself, and each worker writes to its own file, so none waits for another's write lock. There
are more ranges than workers, so a worker that drew cheap ranges takes another.

A rebuild killed outright (SIGKILL, the OOM killer) runs none of its own cleanup: its workers
notice and exit, removing the scratch file they were writing, and the next rebuild removes any
scratch file whose rebuilding process is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from sqlalchemy import Engine

from projections.schema import metadata, positions

PARALLEL_FROM = 100_000  # events; a shorter log is rebuilt in one process
WORKERS = 2
RANGES = 4


def scratch_base(engine: Engine) -> str | None:
    """The stem of the workers' scratch files, or None when the ledger is not in an SQLite file
    (then the rebuild runs in one process)."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return f"{database}.rebuild-{os.getpid()}"


def rebuild_in_workers(
    ledger_file: str | None, engine: Engine, head: int, progress: Callable[[int], None] | None
) -> bool:
    """Project positions (0, head] of the ledger in SQLite file ``ledger_file`` in worker
    processes into the (empty) read-model tables of ``engine``; False (nothing done) when the
    log is too short, or the ledger or the read models are not in a file."""
    base = scratch_base(engine)
    if head < PARALLEL_FROM or base is None or ledger_file is None:
        return False
    _remove_stale_scratches(base)
    cuts = [head * n // RANGES for n in range(RANGES + 1)]
    scratches = [Path(f"{base}-{n}") for n in range(RANGES)]
    url = f"sqlite:///{ledger_file}"
    try:
        context = multiprocessing.get_context("spawn")  # no inherited connections or locks
        pool = ProcessPoolExecutor(WORKERS, mp_context=context, initializer=_exit_with_parent)
        with pool:
            jobs = {
                pool.submit(_project_into, url, str(scratch), after, through): through - after
                for scratch, after, through in zip(scratches, cuts, cuts[1:], strict=False)
            }
            for job in as_completed(jobs):
                job.result()
                if progress:
                    progress(jobs[job])
        _copy_rows(engine, scratches)
    finally:
        for scratch in scratches:
            _remove(scratch)
    return True


# A scratch file's name after the database's: the rebuilding process's id, the range.
SCRATCH = re.compile(r"\.rebuild-(\d+)-\d+(-wal|-shm|-journal)?")


def _remove_stale_scratches(base: str) -> None:
    """Remove the scratch files, beside the database, of rebuilds whose process is gone."""
    database = Path(base.rsplit(".rebuild-", 1)[0])
    for path in database.parent.iterdir():
        if not path.name.startswith(f"{database.name}.rebuild-"):
            continue
        found = SCRATCH.fullmatch(path.name[len(database.name) :])
        if found and not _alive(int(found.group(1))):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove(scratch: Path | str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)


_writing: list[str] = []  # in a worker: the scratch file it is writing


def _exit_with_parent() -> None:
    """In a worker: exit as soon as the rebuilding process is gone (killed, it can neither
    collect the work nor remove the scratch files), removing the file being written."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's end of the pipe closes: it has exited
        for scratch in list(_writing):
            _remove(scratch)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _project_into(url: str, scratch: str, after: int, through: int) -> None:
    from ledger.application import Ledger
    from projections.runner import Projector, engine_for

    _remove(scratch)
    _writing.append(scratch)
    target = engine_for(f"sqlite:///{scratch}")
    try:
        Projector(Ledger(url), target).project(after, through, None)
    finally:
        target.dispose()
        _writing.remove(scratch)


def _copy_rows(engine: Engine, scratches: list[Path]) -> None:
    tables = [table for table in metadata.sorted_tables if table is not positions]
    with engine.connect() as connection:
        for scratch in scratches:
            connection.exec_driver_sql("ATTACH DATABASE ? AS part", (str(scratch),))
            connection.commit()
            for table in tables:
                connection.exec_driver_sql(
                    f"INSERT INTO main.{table.name} SELECT * FROM part.{table.name}"
                )
            connection.commit()
            connection.exec_driver_sql("DETACH DATABASE part")
            connection.commit()
