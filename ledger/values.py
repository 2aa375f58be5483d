"""Value types shared by commands and aggregates: pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class UnitKind(StrEnum):
    """Kinds of administrative units and organisations the movement counts."""

    province = "province"
    district = "district"
    commune = "commune"
    residential_area = "residential_area"
    agency = "agency"
    enterprise = "enterprise"
    school = "school"


ORGANISATION_KINDS = frozenset({UnitKind.agency, UnitKind.enterprise, UnitKind.school})
# Units that can register for the "An toàn về an ninh, trật tự" standard (TT 124/2021 Điều 1).
SAFETY_KINDS = frozenset({UnitKind.commune, UnitKind.residential_area} | ORGANISATION_KINDS)
# District-level government was abolished on this date (NQ 203/2025/QH15).
DISTRICTS_ABOLISHED_ON = date(2025, 7, 1)


class AwardLevel(StrEnum):
    """The level of the authority that decides a commendation."""

    prime_minister = "prime_minister"
    ministry = "ministry"
    province = "province"
    district = "district"
    commune = "commune"
    organisation = "organisation"


class AwardForm(StrEnum):
    """Bằng khen (certificate of merit) or giấy khen (certificate of commendation)."""

    bang_khen = "bang_khen"
    giay_khen = "giay_khen"


# Luật Thi đua, khen thưởng 2022: Bằng khen come from the Prime Minister, ministries and
# provinces; the Prime Minister awards no Giấy khen.
LEVELS_BY_FORM = {
    AwardForm.bang_khen: frozenset(
        {AwardLevel.prime_minister, AwardLevel.ministry, AwardLevel.province}
    ),
    AwardForm.giay_khen: frozenset(set(AwardLevel) - {AwardLevel.prime_minister}),
}


@dataclass(frozen=True)
class Entry:
    """Who recorded an event, the legal date it takes effect, and the document behind it.

    ``recorded_at`` lets a bulk import give all its events one transaction time.
    """

    actor: str
    role: str
    effective_on: date
    source: str | None = None
    note: str | None = None
    recorded_at: datetime | None = None  # None: the moment the event is created

    def fields(self) -> dict[str, object]:
        """The event fields this entry contributes to every event."""
        return {
            "timestamp": self.recorded_at,
            "actor": self.actor,
            "role": self.role,
            "effective_on": self.effective_on,
            "source": self.source,
            "note": self.note,
        }
