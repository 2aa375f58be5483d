"""Projecting is exactly once: catching up again, or racing another projector, adds no rows."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy import Engine

from ledger.application import Clerk, Ledger
from ledger.commands import DisputeClose, DisputeSettle
from ledger.imports import import_file
from projections import base, parallel, runner
from projections.runner import ConcurrentCatchUp, Projector, RebuildUnfinished

from ..conftest import EXAMPLES
from .conftest import dump, rebuilt_elsewhere, record

PROVINCE = EXAMPLES / "small-province.jsonl"
CASE = {"unit": "TN-X2", "case": "HG-02"}


def test_catching_up_again_writes_nothing(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector
) -> None:
    import_file(ledger, PROVINCE, clerk)
    projector.catch_up()
    before = dump(engine)

    projector.catch_up()

    assert dump(engine) == before


def test_a_new_projector_on_caught_up_tables_writes_nothing(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector
) -> None:
    import_file(ledger, PROVINCE, clerk)
    projector.catch_up()
    before = dump(engine)

    Projector(ledger, engine).catch_up()

    assert dump(engine) == before


def test_a_projector_that_another_overtook_retries_instead_of_duplicating_rows(
    ledger: Ledger, clerk: Clerk, db_url: str, engine: Engine, tmp_path: Path
) -> None:
    import_file(ledger, PROVINCE, clerk)
    first = Projector(ledger, engine)
    other_process = Ledger(db_url)
    second = Projector(other_process, engine)
    raised: list[type[Exception]] = []
    commit = second._commit

    def overtaken(*args, **kwargs):
        # The first projector commits the same batch after the second one read its positions.
        if not raised:
            first.catch_up()
        try:
            return commit(*args, **kwargs)
        except Exception as error:
            raised.append(type(error))
            raise

    with mock.patch.object(second, "_commit", overtaken):
        second.catch_up()
    other_process.close()

    assert (raised, dump(engine)) == ([ConcurrentCatchUp], rebuilt_elsewhere(ledger, tmp_path))


def test_a_projector_that_another_overtook_does_not_trust_what_it_remembers(
    ledger: Ledger, clerk: Clerk, engine: Engine, tmp_path: Path
) -> None:
    import_file(ledger, PROVINCE, clerk)  # TN-X2 HG-02 is open
    first, second = Projector(ledger, engine), Projector(ledger, engine)
    second.catch_up()  # remembers HG-02 as open
    record(ledger, clerk, DisputeSettle(**CASE, effective_on="2023-08-20"))
    first.catch_up()  # projects the settlement: second's memory of HG-02 is now stale
    record(ledger, clerk, DisputeClose(**CASE, effective_on="2023-08-25"))

    second.catch_up()  # closing keeps the outcome reached: settled

    assert dump(engine) == rebuilt_elsewhere(ledger, tmp_path)


def test_a_rebuild_that_forgets_records_mid_batch_equals_one_that_remembers_them(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector, tmp_path: Path
) -> None:
    import_file(ledger, PROVINCE, clerk)

    with mock.patch.object(base, "REMEMBERED_RECORDS", 2):
        projector.rebuild()

    assert dump(engine) == rebuilt_elsewhere(ledger, tmp_path)


def test_a_rebuild_in_small_batches_with_little_memory_equals_one_in_a_single_batch(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector, tmp_path: Path
) -> None:
    import_file(ledger, PROVINCE, clerk)

    with mock.patch.object(base, "REMEMBERED_RECORDS", 2), mock.patch.object(runner, "PAGE", 3):
        projector.rebuild()

    assert dump(engine) == rebuilt_elsewhere(ledger, tmp_path)


def test_remembered_facts_stay_bounded_whatever_the_length_of_the_log(
    ledger: Ledger, clerk: Clerk, projector: Projector
) -> None:
    import_file(ledger, PROVINCE, clerk)

    with mock.patch.object(base, "REMEMBERED_RECORDS", 2), mock.patch.object(runner, "PAGE", 3):
        projector.rebuild()

    # Two generations, each at most the limit plus the records of one batch (3 events).
    assert max(len(m._latest) + len(m._older) for m in projector.models) <= 2 * (2 + 3)


def test_an_interrupted_rebuild_is_refused_by_reads_and_completed_by_running_it_again(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector, tmp_path: Path
) -> None:
    import_file(ledger, PROVINCE, clerk)
    projector.catch_up()
    commit = projector._commit
    batches = []

    def killed_after_one_batch(*args, **kwargs):
        if batches:
            raise KeyboardInterrupt
        batches.append(commit(*args, **kwargs))

    with (
        mock.patch.object(runner, "PAGE", 3),
        mock.patch.object(projector, "_commit", killed_after_one_batch),
        pytest.raises(KeyboardInterrupt),
    ):
        projector.rebuild()

    with pytest.raises(RebuildUnfinished, match="antq projections rebuild"):
        Projector(ledger, engine).catch_up()
    assert Projector(ledger, engine).rebuilding()

    Projector(ledger, engine).rebuild()

    assert dump(engine) == rebuilt_elsewhere(ledger, tmp_path)


def test_a_rebuild_in_worker_processes_equals_one_in_a_single_process(
    ledger: Ledger, clerk: Clerk, engine: Engine, projector: Projector, tmp_path: Path
) -> None:
    import_file(ledger, PROVINCE, clerk)
    record(ledger, clerk, DisputeSettle(**CASE, effective_on="2023-09-01"))  # spans the ranges

    with mock.patch.object(parallel, "PARALLEL_FROM", 10):
        projector.rebuild()

    assert dump(engine) == rebuilt_elsewhere(ledger, tmp_path)
    assert not list(tmp_path.glob("*.rebuild-*"))  # the scratch databases are gone
