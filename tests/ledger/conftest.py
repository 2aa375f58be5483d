"""A small province recorded through the public API, for the domain tests."""

from __future__ import annotations

import pytest

from ledger.application import Clerk, Ledger
from ledger.commands import UnitRegister

from .support import record

# TN ─┬─ TN-X1 "Xã Hòa Bình" ─┬─ TN-X1-T1, TN-X1-T2, TN-X1-T3 (residential areas)
#     │                       └─ TN-S1 (school, from 2010)
#     └─ TN-X2 "Phường Phú Thủy" ── TN-X2-K1 (residential area)
PROVINCE = (
    UnitRegister(code="TN", name="Tỉnh Thử Nghiệm", kind="province", effective_on="2004-01-01"),
    UnitRegister(
        code="TN-X1", name="Xã Hòa Bình", kind="commune", parent="TN", effective_on="2004-01-01"
    ),
    UnitRegister(
        code="TN-X2", name="Phường Phú Thủy", kind="commune", parent="TN", effective_on="01/01/2004"
    ),
    *(
        UnitRegister(
            code=f"TN-X1-T{n}",
            name=f"Thôn {n}",
            kind="residential_area",
            parent="TN-X1",
            effective_on="2004-01-01",
        )
        for n in (1, 2, 3)
    ),
    UnitRegister(
        code="TN-X2-K1",
        name="Khu phố 1",
        kind="residential_area",
        parent="TN-X2",
        effective_on="2004-01-01",
    ),
    UnitRegister(
        code="TN-S1",
        name="Trường THCS Hòa Bình",
        kind="school",
        parent="TN-X1",
        effective_on="2010-09-01",
    ),
)


@pytest.fixture
def province(ledger: Ledger, clerk: Clerk) -> Ledger:
    """The ledger with the units of ``PROVINCE`` registered."""
    record(ledger, clerk, *PROVINCE)
    return ledger
