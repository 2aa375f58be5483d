"""A long rebuild in two processes: the log's second half is projected by a worker into a
scratch database beside the ledger, while this process projects the first half into the ledger's
own tables; the worker's rows are then copied in with one INSERT ... SELECT per table.

The halves are independent because a projector recalls the records it continues from the log
itself, and the worker writes to its own file, so neither waits for the other's write lock.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from projections.schema import metadata, positions

HALVES_FROM = 100_000  # events; a shorter log is rebuilt in one process


def scratch_file(engine: Engine) -> Path | None:
    """Where a worker may write the second half, or None when the ledger is not in an SQLite
    file (then the rebuild runs in one process)."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(f"{database}.rebuild-{os.getpid()}")


def rebuild_in_halves(
    url: str,
    engine: Engine,
    head: int,
    project_first: Callable[[int], Any],
    progress: Callable[[int], None] | None,
) -> bool:
    """Rebuild positions (0, head] in two processes; False (nothing done) when the log is too
    short or the storage has no file for a scratch database."""
    scratch = scratch_file(engine)
    if head < HALVES_FROM or scratch is None:
        return False
    middle = head // 2
    scratch.unlink(missing_ok=True)
    try:
        context = multiprocessing.get_context("spawn")  # no inherited connections or locks
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            second = pool.submit(_project_into, url, str(scratch), middle, head)
            project_first(middle)
            second.result()
        if progress:
            progress(head - middle)
        _copy_rows(engine, scratch)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    return True


def _project_into(url: str, scratch: str, after: int, through: int) -> None:
    from ledger.application import Ledger
    from projections.runner import Projector, engine_for

    target = engine_for(f"sqlite:///{scratch}")
    try:
        Projector(Ledger(url), target).project(after, through, None)
    finally:
        target.dispose()


def _copy_rows(engine: Engine, scratch: Path) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("ATTACH DATABASE ? AS second_half", (str(scratch),))
        connection.commit()
        for table in metadata.sorted_tables:
            if table is not positions:
                connection.exec_driver_sql(
                    f"INSERT INTO main.{table.name} SELECT * FROM second_half.{table.name}"
                )
        connection.commit()
        connection.exec_driver_sql("DETACH DATABASE second_half")
        connection.commit()
