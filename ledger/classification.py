"""Movement classification ("đánh giá, phân loại phong trào toàn dân bảo vệ ANTQ",
QĐ 510/QĐ-BCA-V05, Điều 11): per unit and year, the unit's self-assessed score and proposed grade,
the appraisal one level up, and the decided grade (xuất sắc / khá / trung bình / yếu).

The self-assessment is due before 20/11 for a residential area, before 30/11 for a commune or an
organisation and before 15/12 for a district (historical): one dated later is recorded and
flagged late. A decision needs an appraisal: the appraisal one level up is the check on the
unit's own score, and a grade decided without it would be a self-grade (domain-research §2.5).

Classification is not recognition ("An toàn về ANTT", ledger.safety): another record, another
population, another count (domain-research tricky case 16). Neither is derived from the other.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.commands import (
    ClassificationAnnul,
    ClassificationAppraise,
    ClassificationAssess,
    ClassificationDecide,
    ClassificationKey,
)
from ledger.dispatch import handles
from ledger.errors import RuleViolation
from ledger.indicators import canonical
from ledger.records import Record, record_id
from ledger.safety import missed
from ledger.session import Session
from ledger.text import format_date, with_article
from ledger.units import active_unit, find_unit
from ledger.values import Entry, UnitKind

ASSESSED, APPRAISED, DECIDED = "assessed", "appraised", "decided"
LATE_SELF_ASSESSMENT = "late_self_assessment"
# The last on-time day (month, day) of the self-assessment, by unit kind (QĐ 510 Điều 11:
# "trước ngày 20/11", "trước ngày 30/11", "trước ngày 15/12"). A province is not classified.
DEADLINES: dict[UnitKind, tuple[int, int]] = {
    UnitKind.residential_area: (11, 19),
    UnitKind.commune: (11, 29),
    UnitKind.agency: (11, 29),
    UnitKind.enterprise: (11, 29),
    UnitKind.school: (11, 29),
    UnitKind.district: (12, 14),  # historical: districts ended on 1/7/2025
}
GRADE_WORDS = {"xuat_sac": "xuất sắc", "kha": "khá", "trung_binh": "trung bình", "yeu": "yếu"}


def deadline(kind: UnitKind, year: int) -> date:
    """The last on-time day of the self-assessment of a unit of ``kind`` for ``year``."""
    month, day = DEADLINES[kind]
    return date(year, month, day)


class MovementClassification(Record):
    """One unit's classification for one year: self-assessed, appraised, decided; annullable."""

    KIND = "classification"

    def __init__(self) -> None:
        self.unit = ""
        self.year = 0
        self.unit_kind = UnitKind.commune
        self.status = ASSESSED
        self.self_score = "0"
        self.self_grade = ""
        self.dossier = ""
        self.deadline = date.min
        self.flags: list[str] = []
        self.appraised_score: str | None = None
        self.appraised_grade: str | None = None
        self.appraiser: str | None = None
        self.grade: str | None = None
        self.decision: str | None = None
        self.decided_by: str | None = None
        self.decided_on: date | None = None

    @staticmethod
    def id_for(unit: str, year: int | str) -> UUID:
        return record_id("classification", unit, year)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.unit, str(self.year))

    class SelfAssessed(Record.Created):
        unit: str
        year: int
        unit_kind: str
        score: str  # exact decimal text: "92", "92.5"
        proposed_grade: str
        dossier: str
        deadline: date  # the last on-time day, as the rule stood when it was recorded
        flags: list[str]

        def apply(self, record: MovementClassification) -> None:
            record.unit, record.year = self.unit, self.year
            record.unit_kind = UnitKind(self.unit_kind)
            record.self_score, record.self_grade = self.score, self.proposed_grade
            record.dossier, record.deadline = self.dossier, self.deadline
            record.flags = list(self.flags)

    class Appraised(Record.Event):
        score: str
        proposed_grade: str
        appraiser: str

        def apply(self, record: MovementClassification) -> None:
            record.status = APPRAISED
            record.appraised_score, record.appraised_grade = self.score, self.proposed_grade
            record.appraiser = self.appraiser

    class Decided(Record.Event):
        grade: str
        decision: str
        decided_by: str

        def apply(self, record: MovementClassification) -> None:
            record.status = DECIDED
            record.grade, record.decision, record.decided_by = (
                self.grade,
                self.decision,
                self.decided_by,
            )
            record.decided_on = self.effective_on

    class Annulled(Record.Event):
        reason: str

        def apply(self, record: MovementClassification) -> None:
            # The appraisal stands: the level above decides again (or not).
            record.status = APPRAISED
            record.grade = record.decision = record.decided_by = record.decided_on = None


def _existing(
    session: Session, action: ClassificationKey, *, unit_active: bool = True
) -> MovementClassification:
    unit = find_unit(session, action.unit)
    if unit_active:
        unit.ensure_active_on(action.effective_on)
    record = session.get(
        MovementClassification, MovementClassification.id_for(unit.code, action.year)
    )
    if record is None:
        raise RuleViolation(
            f"classification {unit.code} {action.year}: the unit has not self-assessed for "
            f"{action.year}: record 'antq classification assess' first"
        )
    return record


@handles(ClassificationAssess)
def assess(session: Session, action: ClassificationAssess, entry: Entry) -> None:
    unit = active_unit(session, action.unit, action.effective_on)
    if unit.kind not in DEADLINES:
        raise RuleViolation(
            f"unit {unit.code} is {with_article(unit.kind)}: the movement is classified for "
            "residential areas, communes, organisations and (until 2025) districts"
        )
    if action.effective_on.year < action.year:
        raise RuleViolation(
            f"classification {unit.code} {action.year}: a self-assessment of {action.year} "
            f"cannot be dated before the year ({format_date(action.effective_on)})"
        )
    existing = session.get(
        MovementClassification, MovementClassification.id_for(unit.code, action.year)
    )
    if existing is not None:
        raise RuleViolation(
            f"classification {unit.code} {action.year}: the unit already self-assessed on "
            f"{format_date(existing.started_on)} ({existing.self_score} points): a unit "
            "self-assesses once a year"
        )
    due = deadline(unit.kind, action.year)
    record = MovementClassification._start(
        MovementClassification.SelfAssessed,
        MovementClassification.id_for(unit.code, action.year),
        entry,
        unit=unit.code,
        year=action.year,
        unit_kind=unit.kind.value,
        score=canonical(action.score),
        proposed_grade=action.proposed_grade.value,
        dossier=action.dossier,
        deadline=due,
        flags=[LATE_SELF_ASSESSMENT] if missed(action.effective_on, due) else [],
    )
    session.add(record)


@handles(ClassificationAppraise)
def appraise(session: Session, action: ClassificationAppraise, entry: Entry) -> None:
    record = _existing(session, action)
    if record.status == DECIDED:
        raise RuleViolation(
            f"{record.label()} was decided on {format_date(record.decided_on)} "
            f"({GRADE_WORDS[record.grade or '']}): annul the decision before appraising again"
        )
    record._record(
        MovementClassification.Appraised,
        entry,
        score=canonical(action.score),
        proposed_grade=action.proposed_grade.value,
        appraiser=action.appraiser,
    )


@handles(ClassificationDecide)
def decide(session: Session, action: ClassificationDecide, entry: Entry) -> None:
    record = _existing(session, action)
    if record.status == DECIDED:
        raise RuleViolation(
            f"{record.label()} was already decided on {format_date(record.decided_on)} "
            f"({GRADE_WORDS[record.grade or '']}, {record.decision}): one decision per unit "
            "and year; annul it first"
        )
    if record.status != APPRAISED:
        raise RuleViolation(
            f"{record.label()} is self-assessed but not appraised: the level above records "
            "'antq classification appraise' before the grade is decided"
        )
    record._record(
        MovementClassification.Decided,
        entry,
        grade=action.grade.value,
        decision=action.decision,
        decided_by=action.decided_by,
    )


@handles(ClassificationAnnul)
def annul(session: Session, action: ClassificationAnnul, entry: Entry) -> None:
    record = _existing(session, action, unit_active=False)
    if record.status != DECIDED:
        raise RuleViolation(f"{record.label()} has no decision to annul: it is {record.status}")
    record._record(MovementClassification.Annulled, entry, reason=action.reason)
