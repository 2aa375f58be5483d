"""The rebuild property the read-model tests share: whatever random steps were executed (and
whatever was refused), a projector that caught up now and then, forgetting the records it
remembered, ends with the same read-model table and the same standings as a projector caught up
from zero into another database."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from ledger.application import Clerk, Ledger
from ledger.commands import Action
from ledger.errors import LedgerError
from projections.runner import Projector, engine_for
from projections.standings import Point, standings

from .conftest import dump, record


def random_steps(step: st.SearchStrategy[tuple]) -> Callable[[Callable[..., Any]], Any]:
    """Make a slow test of 25 examples, each given ``steps``: 3 to 20 drawn from ``step``."""

    def decorate(test: Callable[..., Any]) -> Any:
        test = given(steps=st.lists(step, min_size=3, max_size=20))(test)
        test = settings(max_examples=25, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])(test)  # fmt: skip
        return pytest.mark.slow(test)

    return decorate


def check_rebuild_from_zero(
    steps: Sequence[tuple],
    clerk: Clerk,
    units: Sequence[Action],
    action: Callable[..., Action],
    *,
    table: str,
    section: str,
    years: Sequence[int],
    as_of: date,
) -> None:
    """Register ``units``, then execute ``action(*fields)`` as ``clerk`` for each step
    ``(*fields, catch_up)``, catching up after the steps that say so; compare ``table`` and the
    ``section`` of the standings for ``years`` in each province, now, ``as_of`` and as known
    half-way, with a projector caught up from zero elsewhere."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'antq.db'}"
        ledger, engine = Ledger(url), engine_for(url)
        elsewhere = engine_for(f"sqlite:///{Path(folder) / 'rebuilt.db'}")
        try:
            record(ledger, clerk, *units)
            projector = Projector(ledger, engine)
            moments = []
            for n, (*fields, catch_up) in enumerate(steps):
                try:
                    chosen = action(*fields)
                    ledger.execute(chosen, clerk)
                    note(f"{n}: {chosen!r}")
                except (LedgerError, ValueError) as refused:
                    note(f"{n}: refused: {refused}")
                if catch_up:
                    projector.catch_up()
                    for model in projector.models:
                        model.forget()  # later events recall the record from the log
                if n == len(steps) // 2:
                    moments.append(datetime.now(UTC))
            projector.catch_up()
            Projector(ledger, elsewhere).catch_up()
            points = [Point(), Point(as_of=as_of), *(Point(known_at=m) for m in moments)]

            def all_standings(where: object) -> dict:
                return {
                    (year, scope, point): standings(where, year, scope, point)[section]
                    for year, scope, point in product(years, (None, "P", "Q"), points)
                }

            assert dump(engine)[table] == dump(elsewhere)[table]
            assert all_standings(engine) == all_standings(elsewhere)
        finally:
            engine.dispose()
            elsewhere.dispose()
            ledger.close()
