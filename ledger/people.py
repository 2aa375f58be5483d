"""What is done with a person's sealed data, as a record of its own: each viewing, and erasure.

A person appears in other records only as a pseudonymous id beside ciphertext sealed with their
own key (``ledger.persons``). Erasure destroys that key in the transaction that records the
erasure (crypto-shredding): every report, export and history then shows the person as erased,
while the log and every hash over it stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from ledger.commands import PersonErase, PersonKey, PersonView
from ledger.dispatch import handles
from ledger.errors import NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date
from ledger.values import Entry


class PersonalData(Record):
    """One person's sealed data: who viewed it, and its erasure."""

    KIND = "person"

    def __init__(self) -> None:
        self.person = ""
        self.erased_on: date | None = None
        self.erasure_reason = ""

    @staticmethod
    def id_for(person: str) -> UUID:
        return record_id("person", person)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.person,)

    class Opened(Record.Created):
        person: str

        def apply(self, record: PersonalData) -> None:
            record.person = self.person

    class Viewed(Record.Event):
        purpose: str | None

        def apply(self, record: PersonalData) -> None:
            pass

    class Erased(Record.Event):
        reason: str

        def apply(self, record: PersonalData) -> None:
            record.erased_on, record.erasure_reason = self.effective_on, self.reason

    def ensure_not_erased(self) -> None:
        """Raises RuleViolation once the person's data was erased."""
        if self.erased_on is not None:
            raise RuleViolation(
                f"person {self.person} was erased on {format_date(self.erased_on)} "
                f"({self.erasure_reason}): their data no longer exists"
            )


def personal_data(session: Session, action: PersonKey, entry: Entry) -> PersonalData:
    """The person's record, opened on first use. Raises NotFoundError when nothing is sealed
    under that id."""
    subject = UUID(action.person)
    if not session.has_subject(subject):
        raise NotFoundError(f"person {action.person}: no personal data is recorded under this id")
    record = session.get(PersonalData, PersonalData.id_for(action.person))
    if record is None:
        record = PersonalData._start(
            PersonalData.Opened, PersonalData.id_for(action.person), entry, person=action.person
        )
        session.add(record)
    return record


@handles(PersonView)
def view(session: Session, action: PersonView, entry: Entry) -> None:
    record = personal_data(session, action, entry)
    record.ensure_not_erased()
    record._record(PersonalData.Viewed, entry, purpose=action.purpose)


@handles(PersonErase)
def erase(session: Session, action: PersonErase, entry: Entry) -> None:
    record = personal_data(session, action, entry)
    record.ensure_not_erased()
    record._record(PersonalData.Erased, entry, reason=action.reason)
    session.destroy_key(UUID(action.person))


def appearances(ledger: Any, person: str) -> Iterator[dict[str, Any]]:
    """Where a person's sealed data is in the log, opened: one item per place an event seals
    it (an award line, a dispute's summary), oldest first."""
    from ledger.trail import describe

    labels: dict[UUID, str] = {}
    position = 0
    while notifications := ledger.recorder.select_notifications(
        start=position, limit=500, topics=SEALING_TOPICS, inclusive_of_start=False
    ):
        for notification in notifications:
            event = ledger.mapper.to_domain_event(notification)
            sealed_summary = getattr(event, "summary_subject", None) == person
            fields = describe(event, ledger.recorder, person.__eq__)  # only this person opened
            lines = fields.get("lines") or ([fields["line"]] if "line" in fields else [])
            found = [
                (f"line {line['line']}", {k: v for k, v in line["person"].items() if k != "id"})
                for line in lines
                if isinstance(line.get("person"), dict) and line["person"]["id"] == person
            ]
            if sealed_summary:
                found.append(("summary", {"summary": fields["summary"]}))
            for where, opened in found:
                yield {
                    "position": notification.id,
                    "record": ledger.label(event, labels),
                    "event": type(event).__name__,
                    "where": where,
                    **opened,
                }
        position = notifications[-1].id


# The events that seal personal data (award lines, dispute summaries).
SEALING_TOPICS = [
    "ledger.awards:Commendation.Decided",
    "ledger.awards:Commendation.LineCorrected",
    "ledger.disputes:MediationCase.Received",
]
