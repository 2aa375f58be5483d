"""A write is one transaction on every storage: events, subject keys and tree leaves are stored
together or not at all, even when a step after the events' insert fails."""

from __future__ import annotations

import pytest

import ledger.recorder
from ledger.application import Clerk, Ledger
from ledger.commands import AwardDecide

from .support import record


class TreeFailure(Exception):
    pass


def test_a_failure_after_the_insert_leaves_no_event_key_or_leaf(
    province: Ledger, clerk: Clerk, monkeypatch: pytest.MonkeyPatch
) -> None:
    head, leaves = province.recorder.max_notification_id(), province.recorder.tree_size()

    def failing(*args: object, **kwargs: object) -> None:
        raise TreeFailure

    monkeypatch.setattr(ledger.recorder, "append_to_tree", failing)
    decision = AwardDecide(
        issuer="UBND-TN", decision="7/QĐ-UBND", level="province", form="bang_khen",
        effective_on="2023-12-15", recipients=[{"person": {"name": "Đỗ Văn Tín", "unit": "TN-X1"}}],
    )  # fmt: skip
    with pytest.raises(TreeFailure):
        record(province, clerk, decision)
    monkeypatch.undo()

    with province.recorder.cursor() as c:
        c.execute("SELECT COUNT(*) FROM subject_keys")
        keys = c.fetchone()[0]
    assert (province.recorder.max_notification_id(), province.recorder.tree_size(), keys) == (
        head,
        leaves,
        0,
    )
    record(province, clerk, decision)  # and the same write then succeeds
    assert province.recorder.tree_size() == leaves + 1
