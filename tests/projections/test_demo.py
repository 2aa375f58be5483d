"""The demo province gives the figures of the seed articles for Bình Thuận 2023."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.demo import DemoProvince
from projections.runner import Projector, engine_for
from projections.standings import standings

from .conftest import CLERK, Antq


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The 2023 standings of scope BT after recording the demo."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'antq.db'}"
    ledger, engine = Ledger(url), engine_for(url)
    DemoProvince().record(ledger, actor=CLERK)
    Projector(ledger, engine).catch_up()
    yield standings(engine, 2023, "BT")
    engine.dispose()
    ledger.close()


def test_the_demo_recognises_685_of_691_areas_116_of_124_communes_795_of_809_organisations(
    demo: dict[str, Any],
) -> None:
    recognised = {group: (g["recognised"], g["registered"]) for group, g in demo["safety"].items()
                  if group != "flags"}  # fmt: skip

    assert recognised == {
        "residential_area": (685, 691),
        "commune": (116, 124),
        "organisation": (795, 809),
    }


def test_the_demo_has_32_active_models_at_870_sites(demo: dict[str, Any]) -> None:
    assert (demo["models"]["active"], demo["models"]["sites"]) == (32, 870)


def test_the_demo_awards_match_the_seed_figures(demo: dict[str, Any]) -> None:
    assert demo["awards"] == [
        {"level": "prime_minister", "form": "bang_khen", "collective": 0, "individual": 1},
        {"level": "ministry", "form": "bang_khen", "collective": 13, "individual": 15},
        {"level": "province", "form": "bang_khen", "collective": 45, "individual": 52},
    ]


def test_antq_demo_then_antq_standings_gives_the_same_standings(
    antq: Antq, demo: dict[str, Any]
) -> None:
    antq.ok("demo")

    assert antq.json("standings", "--year", "2023", "--scope", "BT") == demo
