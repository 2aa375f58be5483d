"""A long rebuild in worker processes: the log is cut into ranges, each projected by one of two
workers into a scratch SQLite file of its own beside the ledger, and the rows are then copied
into the ledger's tables with one INSERT ... SELECT per table.

The ranges are independent because a projector recalls the records it continues from the log
itself, and each worker writes to its own file, so none waits for another's write lock. There
are more ranges than workers, so a worker that drew cheap ranges takes another.
"""

from __future__ import annotations

import multiprocessing
import os
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
    url: str, engine: Engine, head: int, progress: Callable[[int], None] | None
) -> bool:
    """Project positions (0, head] in worker processes into the (empty) read-model tables;
    False (nothing done) when the log is too short or the storage has no file beside it."""
    base = scratch_base(engine)
    if head < PARALLEL_FROM or base is None:
        return False
    cuts = [head * n // RANGES for n in range(RANGES + 1)]
    scratches = [Path(f"{base}-{n}") for n in range(RANGES)]
    try:
        context = multiprocessing.get_context("spawn")  # no inherited connections or locks
        with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
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
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return True


def _project_into(url: str, scratch: str, after: int, through: int) -> None:
    from ledger.application import Ledger
    from projections.runner import Projector, engine_for

    Path(scratch).unlink(missing_ok=True)
    target = engine_for(f"sqlite:///{scratch}")
    try:
        Projector(Ledger(url), target).project(after, through, None)
    finally:
        target.dispose()


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
