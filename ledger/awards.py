"""Commendation decisions (Luật Thi đua, khen thưởng 2022): one decision, its recipient lines."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.commands import AwardAnnul, AwardCorrect, AwardDecide, AwardKey, AwardPresent, Recipient
from ledger.dispatch import handles
from ledger.errors import NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date, with_article
from ledger.units import active_unit
from ledger.values import DISTRICTS_ABOLISHED_ON, LEVELS_BY_FORM, Entry

COLLECTIVE, INDIVIDUAL = "collective", "individual"


class Commendation(Record):
    """One award decision of an issuer; individuals appear only as sealed subject references."""

    KIND = "award"

    def __init__(self) -> None:
        self.issuer = ""
        self.decision = ""
        self.year = 0
        self.level = ""
        self.form = ""
        self.lines: list[dict[str, Any]] = []
        self.presented_on: date | None = None
        self.annulled_on: date | None = None

    @staticmethod
    def id_for(issuer: str, year: int, decision: str) -> UUID:
        return record_id("award", issuer, year, decision)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.issuer, str(self.year), self.decision)

    class Decided(Record.Created):
        issuer: str
        decision: str
        year: int
        level: str
        form: str
        reason: str | None
        lines: list[dict[str, Any]]

        def apply(self, award: Commendation) -> None:
            award.issuer, award.decision, award.year = self.issuer, self.decision, self.year
            award.level, award.form = self.level, self.form
            award.lines = [dict(line) for line in self.lines]

    class Presented(Record.Event):
        presenter: str | None

        def apply(self, award: Commendation) -> None:
            award.presented_on = self.effective_on

    class LineCorrected(Record.Event):
        line: dict[str, Any]
        reason: str

        def apply(self, award: Commendation) -> None:
            award.lines[self.line["line"] - 1] = dict(self.line)

    class Annulled(Record.Event):
        reason: str

        def apply(self, award: Commendation) -> None:
            award.annulled_on = self.effective_on

    def ensure_standing(self, doing: str) -> None:
        """Raises RuleViolation if the decision was annulled."""
        if self.annulled_on is not None:
            raise RuleViolation(
                f"award {' '.join(self.key)} was annulled on {format_date(self.annulled_on)}: "
                f"it cannot be {doing}"
            )


def recipient_line(
    session: Session, number: int, recipient: Recipient, on: date, person_id: UUID | None = None
) -> dict[str, Any]:
    """The stored form of one recipient line; an individual's fields are sealed."""
    unit = active_unit(session, recipient.unit_code, on)
    line: dict[str, Any] = {"line": number, "unit": unit.code}
    if recipient.person is None:
        return {**line, "recipient": COLLECTIVE}
    personal = recipient.person.model_dump(exclude={"unit"}, exclude_none=True)
    person_id, sealed = session.seal(personal, person_id)
    return {**line, "recipient": INDIVIDUAL, "person": person_id.hex, "sealed": sealed}


def existing_award(session: Session, action: AwardKey) -> Commendation:
    award = session.get(
        Commendation, Commendation.id_for(action.issuer, action.year, action.decision)
    )
    if award is None:
        raise NotFoundError(
            f"award {action.issuer} {action.year} {action.decision} is not recorded: "
            "check the issuer, year and decision number"
        )
    return award


@handles(AwardDecide)
def decide(session: Session, action: AwardDecide, entry: Entry) -> None:
    if action.level not in LEVELS_BY_FORM[action.form]:
        raise RuleViolation(
            f"award {action.decision}: {with_article(action.level)} authority does not award "
            f"{action.form}"
        )
    if action.level == "district" and action.effective_on >= DISTRICTS_ABOLISHED_ON:
        raise RuleViolation(
            f"award {action.decision}: district authorities were abolished on "
            f"{format_date(DISTRICTS_ABOLISHED_ON)}"
        )
    lines = [
        recipient_line(session, number, recipient, action.effective_on)
        for number, recipient in enumerate(action.recipients, start=1)
    ]
    # Compare resolved codes: "tn-x1", "TN-X1" and the unit's name are one collective.
    collectives: set[str] = set()
    for line in lines:
        if line["recipient"] == COLLECTIVE:
            if line["unit"] in collectives:
                raise RuleViolation(f"award {action.decision}: unit {line['unit']} is listed twice")
            collectives.add(line["unit"])
    year = action.effective_on.year
    award = Commendation._start(
        Commendation.Decided,
        Commendation.id_for(action.issuer, year, action.decision),
        entry,
        issuer=action.issuer,
        decision=action.decision,
        year=year,
        level=action.level.value,
        form=action.form.value,
        reason=action.reason,
        lines=lines,
    )
    session.add(award)


@handles(AwardPresent)
def present(session: Session, action: AwardPresent, entry: Entry) -> None:
    award = existing_award(session, action)
    award.ensure_standing("presented")
    if award.presented_on is not None:
        raise RuleViolation(
            f"award {' '.join(award.key)} was already presented on "
            f"{format_date(award.presented_on)}"
        )
    award._record(Commendation.Presented, entry, presenter=action.presenter)


@handles(AwardCorrect)
def correct(session: Session, action: AwardCorrect, entry: Entry) -> None:
    award = existing_award(session, action)
    award.ensure_standing("corrected")
    if action.line > len(award.lines):
        raise RuleViolation(
            f"award {' '.join(award.key)} has {len(award.lines)} lines, not {action.line}"
        )
    old = award.lines[action.line - 1]
    new_kind = COLLECTIVE if action.recipient.person is None else INDIVIDUAL
    if new_kind != old["recipient"]:
        raise RuleViolation(
            f"award {' '.join(award.key)} line {action.line} is {with_article(old['recipient'])}"
            f" recipient; a correction cannot make it {new_kind}"
        )
    person = UUID(old["person"]) if new_kind == INDIVIDUAL else None
    line = recipient_line(session, action.line, action.recipient, award.started_on, person)
    for other in award.lines:
        if (
            new_kind == COLLECTIVE == other["recipient"]
            and other["unit"] == line["unit"]
            and other["line"] != action.line
        ):
            raise RuleViolation(
                f"award {' '.join(award.key)} line {action.line}: unit {line['unit']} "
                f"is already listed on line {other['line']}"
            )
    award._record(Commendation.LineCorrected, entry, line=line, reason=action.reason)


@handles(AwardAnnul)
def annul(session: Session, action: AwardAnnul, entry: Entry) -> None:
    award = existing_award(session, action)
    award.ensure_standing("annulled again")
    award._record(Commendation.Annulled, entry, reason=action.reason)
