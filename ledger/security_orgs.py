"""Security organisations of the movement: the steering boards (ban chỉ đạo ANTT), the grassroots
security teams (tổ bảo vệ ANTT, Luật Lực lượng tham gia bảo vệ ANTT ở cơ sở 2023) and the
social-security teams (tổ an ninh xã hội, tổ liên gia) a unit establishes, changes and disbands.

The family is called ``security-org`` (``antq security-org establish``): "organisation" already
names a unit group in this ledger (agencies, enterprises, schools), and "team" would leave out the
steering boards and collide with the mediation teams (tổ hòa giải). These bodies are not the
self-management models (ledger.security_models), which are practices recognised at sites.

A record is one body, named by its unit and its code there. Members are counts only, never names:
no personal data enters this family. A body of a unit that ended (merged or dissolved) can only be
disbanded; the standings stop counting it from the day its unit ended.
"""

from __future__ import annotations

from uuid import UUID

from ledger.commands import (
    SecurityOrgChange,
    SecurityOrgDisband,
    SecurityOrgEstablish,
    SecurityOrgKey,
    SecurityOrgKind,
)
from ledger.dispatch import handles
from ledger.errors import NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date, match_key
from ledger.units import active_unit, find_unit
from ledger.values import Entry

ACTIVE, DISBANDED = "active", "disbanded"
KIND_LABELS = {  # Vietnamese, English
    SecurityOrgKind.steering_board.value: ("Ban chỉ đạo ANTT", "Steering board for security"),
    SecurityOrgKind.security_team.value: ("Tổ bảo vệ ANTT", "Grassroots security team"),
    SecurityOrgKind.social_security_team.value: ("Tổ an ninh xã hội", "Social-security team"),
}


class SecurityOrganisation(Record):
    """One body: its kind, name, member count and household coverage, and whether it stands."""

    KIND = "security-org"

    def __init__(self) -> None:
        self.unit = ""
        self.code = ""
        self.kind = ""
        self.name = ""
        self.members = 0
        self.households_covered: int | None = None
        self.households_in_area: int | None = None
        self.status = ACTIVE

    @staticmethod
    def id_for(unit: str, code: str) -> UUID:
        return record_id("security-org", unit, match_key(code))

    @property
    def key(self) -> tuple[str, ...]:
        return (self.unit, self.code)

    class Established(Record.Created):
        unit: str
        code: str
        kind: str
        name: str
        members: int
        households_covered: int | None
        households_in_area: int | None

        def apply(self, record: SecurityOrganisation) -> None:
            record.unit, record.code = self.unit, self.code
            record.kind, record.name, record.members = self.kind, self.name, self.members
            record.households_covered = self.households_covered
            record.households_in_area = self.households_in_area

    class Changed(Record.Event):
        members: int
        households_covered: int | None
        households_in_area: int | None

        def apply(self, record: SecurityOrganisation) -> None:
            record.members = self.members
            record.households_covered = self.households_covered
            record.households_in_area = self.households_in_area

    class Disbanded(Record.Event):
        reason: str

        def apply(self, record: SecurityOrganisation) -> None:
            record.status = DISBANDED

    def describe(self) -> str:
        label = KIND_LABELS[self.kind][0]
        return f"{label} {self.name!r}, {self.members} thành viên"


def existing_org(session: Session, action: SecurityOrgKey) -> SecurityOrganisation:
    unit = find_unit(session, action.unit)
    org = session.get(SecurityOrganisation, SecurityOrganisation.id_for(unit.code, action.code))
    if org is None:
        raise NotFoundError(
            f"no body {action.code!r} of unit {unit.code} is recorded: "
            "record it with 'antq security-org establish'"
        )
    return org


def _check_households(covered: int | None, in_area: int | None) -> None:
    if covered is not None and in_area is None:
        raise RuleViolation(
            "households covered need the households in the area (--households-in-area): "
            "the share is covered / in area"
        )
    if covered is not None and in_area is not None and covered > in_area:
        raise RuleViolation(
            f"{covered} households covered cannot exceed the {in_area} households in the area"
        )


@handles(SecurityOrgEstablish)
def establish(session: Session, action: SecurityOrgEstablish, entry: Entry) -> None:
    unit = active_unit(session, action.unit, action.effective_on)
    org_id = SecurityOrganisation.id_for(unit.code, action.code)
    existing = session.get(SecurityOrganisation, org_id)
    if existing is not None:
        raise RuleViolation(
            f"{existing.label()} is already recorded ({existing.describe()}, {existing.status}, "
            f"established on {format_date(existing.started_on)}): a body is established once; "
            "record a change, or give a new body its own code"
        )
    _check_households(action.households_covered, action.households_in_area)
    org = SecurityOrganisation._start(
        SecurityOrganisation.Established,
        org_id,
        entry,
        unit=unit.code,
        code=action.code,
        kind=action.kind.value,
        name=action.name,
        members=action.members,
        households_covered=action.households_covered,
        households_in_area=action.households_in_area,
    )
    session.add(org)


def _ensure_standing(org: SecurityOrganisation, doing: str) -> None:
    if org.status == DISBANDED:
        raise RuleViolation(
            f"{org.label()} was disbanded: it cannot be {doing} "
            "(establish a new body under its own code)"
        )


@handles(SecurityOrgChange)
def change(session: Session, action: SecurityOrgChange, entry: Entry) -> None:
    org = existing_org(session, action)
    _ensure_standing(org, "changed")
    # A body of a merged or dissolved unit can only be disbanded: later business is the
    # successor's (active_unit says which).
    active_unit(session, org.unit, action.effective_on)
    members = org.members if action.members is None else action.members
    covered = org.households_covered
    in_area = org.households_in_area
    if action.households_covered is not None:
        covered = action.households_covered
    if action.households_in_area is not None:
        in_area = action.households_in_area
    _check_households(covered, in_area)
    if (members, covered, in_area) == (org.members, org.households_covered, org.households_in_area):
        raise RuleViolation(f"{org.label()} already stands at these figures: nothing to change")
    org._record(
        SecurityOrganisation.Changed,
        entry,
        members=members,
        households_covered=covered,
        households_in_area=in_area,
    )


@handles(SecurityOrgDisband)
def disband(session: Session, action: SecurityOrgDisband, entry: Entry) -> None:
    org = existing_org(session, action)
    if org.status == DISBANDED:
        raise RuleViolation(f"{org.label()} is already disbanded")
    org._record(SecurityOrganisation.Disbanded, entry, reason=action.reason)
