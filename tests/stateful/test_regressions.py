"""Failing programs found by LedgerAgainstModel, replayed step by step after the ledger was fixed.

Each test is the program Hypothesis printed, with the invariants checked after every step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.stateful.test_ledger_against_model import LedgerAgainstModel


@pytest.fixture
def state() -> Iterator[LedgerAgainstModel]:
    machine = LedgerAgainstModel()
    yield machine
    machine.teardown()


def check(state: LedgerAgainstModel) -> None:
    state.every_record_has_the_models_history_and_state()
    state.the_log_holds_the_models_events()


def test_a_dissolved_unit_cannot_be_dissolved_again_on_an_earlier_date(
    state: LedgerAgainstModel,
) -> None:
    # The ledger accepted the second Dissolved (the unit was still active on 15/01/2024) and
    # moved its end date back: a unit ends once.
    check(state)
    provinces_0 = state.register_province(code="P1", day=date(2020, 1, 1), name="Tỉnh Bình Thuận")
    check(state)
    state.dispute_receive(case="HG-001", day=date(2024, 1, 15), unit=provinces_0)
    check(state)
    state.dissolve_unit(code=provinces_0, day=date(2024, 3, 31))
    check(state)
    state.dissolve_unit(code=provinces_0, day=date(2024, 1, 15))
    check(state)


def test_a_merged_unit_cannot_be_merged_or_dissolved_again(state: LedgerAgainstModel) -> None:
    # Same rule for merges: C2, merged into C1 on 01/07/2025, cannot also be merged (or
    # dissolved) on an earlier date.
    state.seed_a_province()
    check(state)
    state.merge_units(merge=(["C2"], "C1"), day=date(2025, 7, 1))
    check(state)
    state.merge_units(merge=(["C2"], "C1"), day=date(2025, 1, 1))
    check(state)
    state.dissolve_unit(code="C2", day=date(2024, 7, 1))
    check(state)


def test_a_back_dated_area_cannot_share_a_name_with_a_sibling_active_at_that_time(
    state: LedgerAgainstModel,
) -> None:
    # A1 "Thôn Hòa Bình" under C1 ended on 01/07/2024; A4 with the same name, registered from
    # 01/01/2020, would make two active "Thôn Hòa Bình" under C1 until then. The ledger only
    # looked at siblings that had not ended at all.
    state.seed_a_province()
    check(state)
    state.dissolve_unit(code="a1", day=date(2024, 7, 1))
    check(state)
    state.register_area(code="A4", day=date(2020, 1, 1), name="Thôn Hòa Bình", parent="C1")
    check(state)
    # From the end date on, the name is free again.
    state.register_area(code="A5", day=date(2024, 7, 1), name="thôn  hòa bình", parent="C1")
    check(state)


def test_registrations_under_one_parent_may_arrive_out_of_date_order(
    state: LedgerAgainstModel,
) -> None:
    # The parent's index of children began with the first registration filed under it; a
    # later-recorded but earlier-dated registration was refused as "before the record began".
    state.seed_a_province()
    check(state)
    communes_0 = state.register_commune(
        code="C3", day=date(2020, 1, 1), name="Phường Phú Thủy", parent="P1"
    )
    check(state)
    state.register_area(code="A4", day=date(2024, 7, 1), name="Thôn 2", parent=communes_0)
    check(state)
    state.register_area(code="A5", day=date(2024, 1, 15), name="Khu phố 1", parent=communes_0)
    check(state)


def test_a_back_dated_merge_cannot_close_a_loop_in_the_lineage(state: LedgerAgainstModel) -> None:
    # C1 merged into C2 on 01/07/2025; merging C2 into C1 on 01/01/2025 (both still active that
    # day) was accepted, so each unit became the other's successor. Also through a third unit.
    state.seed_a_province()
    check(state)
    communes_0 = state.register_commune(
        code="C3", day=date(2020, 1, 1), name="Phường Phú Thủy", parent="P1"
    )
    check(state)
    state.merge_units(merge=(["C1"], "C2"), day=date(2025, 7, 1))
    check(state)
    state.merge_units(merge=(["C2"], "C1"), day=date(2025, 1, 1))
    check(state)
    state.merge_units(merge=(["C2"], communes_0), day=date(2025, 12, 31))
    check(state)
    state.merge_units(merge=([communes_0], "C1"), day=date(2025, 1, 1))
    check(state)
