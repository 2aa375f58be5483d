"""A record's life runs forward: no event may take effect before the record's latest event."""

from __future__ import annotations

from ledger.application import Clerk, Ledger
from ledger.commands import (
    DisputeClose,
    DisputeReceive,
    DisputeSettle,
    SafetyAnnul,
    SafetyRecognise,
    SafetyRegister,
    UnitMerge,
    UnitRegister,
)
from ledger.errors import RuleViolation

from .support import Refusal, events, record, refusal

COMMUNES = [
    UnitRegister(code="P", name="Tỉnh P", kind="province", effective_on="2004-01-01"),
    *(
        UnitRegister(code=c, name=f"Xã {c}", kind="commune", parent="P", effective_on="2004-01-01")
        for c in ("A", "B", "C")
    ),
]


def test_an_annulment_dated_before_the_recognition_it_annuls_is_refused(
    ledger: Ledger, clerk: Clerk
) -> None:
    record(
        ledger,
        clerk,
        *COMMUNES,
        SafetyRegister(unit="A", year=2024, effective_on="2024-02-10"),
        SafetyRecognise(unit="A", year=2024, effective_on="2024-12-20"),
    )

    assert refusal(
        ledger, clerk, SafetyAnnul(unit="A", year=2024, effective_on="2024-12-01", reason="x")
    ) == Refusal(
        RuleViolation,
        "safety A 2024: its latest event took effect on 20/12/2024; a later event cannot take "
        "effect before that (01/12/2024)",
        True,
    )


def test_a_unit_cannot_be_merged_away_before_a_merge_into_it_took_effect(
    ledger: Ledger, clerk: Clerk
) -> None:
    record(ledger, clerk, *COMMUNES, UnitMerge(codes=["A"], into="B", effective_on="2024-05-01"))

    assert refusal(
        ledger, clerk, UnitMerge(codes=["B"], into="C", effective_on="2023-04-01")
    ) == Refusal(
        RuleViolation,
        "unit B: its latest event took effect on 01/05/2024; a later event cannot take effect "
        "before that (01/04/2023)",
        True,
    )


def test_events_on_the_same_day_as_the_latest_are_accepted(ledger: Ledger, clerk: Clerk) -> None:
    record(
        ledger,
        clerk,
        *COMMUNES,
        DisputeReceive(unit="A", case="HG-1", effective_on="2024-03-01"),
        DisputeSettle(unit="A", case="HG-1", effective_on="2024-03-01"),
        DisputeClose(unit="A", case="HG-1", effective_on="2024-03-01"),
    )

    assert events(ledger, "dispute", "A", "HG-1") == ["Received", "Settled", "Closed"]
