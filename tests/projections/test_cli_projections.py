"""``antq projections status|rebuild``: positions, lag, and a rebuild that changes nothing."""

from __future__ import annotations

import pytest

from ledger.application import Ledger

from ..conftest import EXAMPLES
from .conftest import Antq

MODELS = ("units", "safety", "models", "awards", "mediation", "programmes", "statistics",
          "security_orgs", "classification", "audit")  # fmt: skip


def status_lines(position: int, lag: int) -> str:
    return "".join(f"{name:<10} position {position:>9}  behind by {lag}\n" for name in MODELS)


@pytest.fixture
def read(antq: Antq) -> Antq:
    """The example province imported, then read once (so the read models caught up)."""
    antq.ok("import", str(EXAMPLES / "small-province.jsonl"))
    antq.ok("standings", "--year", "2023")
    return antq


def head(db_url: str) -> int:
    ledger = Ledger(db_url)
    try:
        return ledger.recorder.max_notification_id()
    finally:
        ledger.close()


def test_status_after_a_read_shows_every_model_at_the_head_of_the_log(read: Antq) -> None:
    assert read.ok("projections", "status") == status_lines(head(read.db_url), 0)


def test_status_after_new_writes_shows_how_far_behind_the_models_are(read: Antq) -> None:
    before = head(read.db_url)
    read.ok("dispute", "receive", "--unit", "TN-X2", "--case", "HG-03", "--on", "2023-09-01")
    written = head(read.db_url) - before

    assert (written > 0, read.ok("projections", "status")) == (
        True,
        status_lines(before, written),
    )


def test_status_json_gives_name_position_and_lag(read: Antq) -> None:
    position = head(read.db_url)

    assert read.json("projections", "status") == [
        {"name": name, "position": position, "lag": 0} for name in MODELS
    ]


def test_a_read_after_new_writes_brings_the_lag_back_to_zero(read: Antq) -> None:
    read.ok("dispute", "receive", "--unit", "TN-X2", "--case", "HG-03", "--on", "2023-09-01")
    read.ok("standings", "--year", "2023")

    assert read.ok("projections", "status") == status_lines(head(read.db_url), 0)


def test_rebuild_says_what_it_rebuilt(read: Antq) -> None:
    assert read.ok("projections", "rebuild") == (
        f"rebuilt {len(MODELS)} read models up to log position {head(read.db_url)}\n"
    )


def test_rebuild_leaves_the_standings_unchanged(read: Antq) -> None:
    before = read.json("standings", "--year", "2023", "--scope", "TN")
    read.ok("projections", "rebuild")

    assert read.json("standings", "--year", "2023", "--scope", "TN") == before
