"""Four `antq` processes recording at once (a short soak; `python -m tests.reliability.soak`
runs the minute-long one): every command succeeds, none says "database is locked", and the log
holds exactly what they recorded."""

from __future__ import annotations

import os

import pytest

from tests.reliability.soak import check, soak

pytestmark = pytest.mark.slow
SECONDS = float(os.environ.get("ANTQ_SOAK_SECONDS", "12"))


def test_four_processes_recording_at_once_lose_nothing(db_url: str) -> None:
    done = soak(db_url, processes=4, seconds=SECONDS)
    assert done.settled >= 4  # every worker got through at least one case
    assert check(db_url, done) == []
    assert not any("database is locked" in failure for failure in done.failures)
