"""Coordination programmes ("chương trình phối hợp"): who signed them, for which period, on which
content areas, which programme they implement, and every citation the same document goes by.

A programme is named by its citation (number and symbol, e.g. ``07/CTrPH-BCA-MTTW``). Citations
match the way names do (case, Unicode composition, tone placement) and also ignore spacing around
"/" and "-" and the kind of dash; anything more, such as ``07/CTr-BCA-MTTW`` for the same
document, is an explicit alias (``programme.alias``): guessing would merge different documents.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ledger.commands import (
    ProgrammeAlias,
    ProgrammeAmend,
    ProgrammeEnd,
    ProgrammeSign,
    citation_key,
    period_end,
    period_start,
)
from ledger.dispatch import handles
from ledger.errors import AlreadyRecordedError, InvalidInput, NotFoundError, RuleViolation
from ledger.records import Record, record_id
from ledger.session import Session
from ledger.text import format_date, match_key
from ledger.units import AdminUnit, active_unit
from ledger.values import Entry

# Every citation that names a programme (its own and its aliases), folded by ``citation_key``,
# filed to the programme's citation: one index entry per citation, so that two writers giving
# one citation to two programmes collide on the same record and one of them is refused.
CITATIONS = "programme-citation"


class CoordinationProgramme(Record):
    """One programme document: parties, period, content areas, parent, aliases, amendments, end."""

    KIND = "programme"

    def __init__(self) -> None:
        self.citation = ""
        self.title: str | None = None
        self.parties: list[str] = []
        self.period_from: str | None = None
        self.period_to: str | None = None
        self.content_areas: list[str] = []
        self.implements: str | None = None
        self.scope: str | None = None
        self.aliases: list[str] = []
        self.amendments = 0
        self.ended_on: date | None = None

    @staticmethod
    def id_for(citation: str) -> UUID:
        return record_id("programme", citation_key(citation))

    @property
    def key(self) -> tuple[str, ...]:
        return (self.citation,)

    class Signed(Record.Created):
        citation: str
        title: str | None
        parties: list[str]
        period_from: str | None
        period_to: str | None
        content_areas: list[str]
        implements: str | None
        scope: str | None

        def apply(self, programme: CoordinationProgramme) -> None:
            programme.citation, programme.title = self.citation, self.title
            programme.parties = list(self.parties)
            programme.period_from, programme.period_to = self.period_from, self.period_to
            programme.content_areas = list(self.content_areas)
            programme.implements, programme.scope = self.implements, self.scope

    class AliasAdded(Record.Event):
        alias: str

        def apply(self, programme: CoordinationProgramme) -> None:
            programme.aliases.append(self.alias)

    class Amended(Record.Event):
        # None: unchanged.
        content_areas: list[str] | None
        period_from: str | None
        period_to: str | None

        def apply(self, programme: CoordinationProgramme) -> None:
            if self.content_areas is not None:
                programme.content_areas = list(self.content_areas)
            if self.period_from is not None:
                programme.period_from = self.period_from
            if self.period_to is not None:
                programme.period_to = self.period_to
            programme.amendments += 1

    class Ended(Record.Event):
        reason: str

        def apply(self, programme: CoordinationProgramme) -> None:
            programme.ended_on = self.effective_on

    def ensure_not_ended(self, doing: str) -> None:
        if self.ended_on is not None:
            raise RuleViolation(
                f"programme {self.citation} ended on {format_date(self.ended_on)}: "
                f"it cannot be {doing}"
            )


def find_programme(session: Session, ref: str) -> CoordinationProgramme | None:
    """The programme a citation names: its own citation or one of its aliases, or None."""
    programme = session.get(CoordinationProgramme, CoordinationProgramme.id_for(ref))
    if programme is not None:
        return programme
    named = session.members(CITATIONS, citation_key(ref))
    if not named:
        return None
    return session.get(CoordinationProgramme, CoordinationProgramme.id_for(named[0]))


def existing_programme(session: Session, ref: str) -> CoordinationProgramme:
    """The programme ``ref`` names. Raises NotFoundError."""
    programme = find_programme(session, ref)
    if programme is None:
        raise NotFoundError(
            f"programme {ref!r} is not recorded: record it with 'antq programme sign', or, "
            "if it is another citation of a recorded programme, with 'antq programme alias'"
        )
    return programme


def _ensure_citation_free(session: Session, citation: str, doing: str) -> None:
    """Raises when ``citation`` already names a programme, naming that programme."""
    other = find_programme(session, citation)
    if other is None:
        return
    if citation_key(other.citation) == citation_key(citation):
        how = f"is the citation of programme {other.citation}"
    else:
        how = f"is already an alias of programme {other.citation}"
    raise RuleViolation(f"{doing}: {citation!r} {how}; one citation names one programme")


def _ensure_period_after_signing(citation: str, period_to: str | None, signed_on: date) -> None:
    if period_to is not None and period_end(period_to) < signed_on:
        raise RuleViolation(
            f"programme {citation}: its period would end ({period_to}) before it was signed "
            f"({format_date(signed_on)})"
        )


@handles(ProgrammeSign)
def sign(session: Session, action: ProgrammeSign, entry: Entry) -> None:
    day = action.effective_on
    existing = find_programme(session, action.citation)
    if existing is not None and existing.id == CoordinationProgramme.id_for(action.citation):
        raise AlreadyRecordedError(
            f"programme {existing.citation} was already signed on "
            f"{format_date(existing.started_on)}"
        )
    _ensure_citation_free(session, action.citation, f"programme {action.citation}")
    parent = None
    if action.implements is not None:
        parent = existing_programme(session, action.implements)
        if parent.started_on > day:
            raise RuleViolation(
                f"programme {action.citation} cannot implement {parent.citation}, signed later "
                f"({format_date(parent.started_on)}, after {format_date(day)})"
            )
        if parent.ended_on is not None and parent.ended_on <= day:
            raise RuleViolation(
                f"programme {action.citation} cannot implement {parent.citation}: it ended on "
                f"{format_date(parent.ended_on)}"
            )
    _ensure_period_after_signing(action.citation, action.period_to, day)
    scope = active_unit(session, action.scope, day).code if action.scope else None
    parties: list[str] = []
    for party in action.parties:
        unit = session.get(AdminUnit, AdminUnit.id_for(party))
        if unit is not None:  # a party that is a ledger unit is stored as its code
            unit.ensure_active_on(day)
            party = unit.code
        if any(match_key(party) == match_key(seen) for seen in parties):
            raise RuleViolation(f"programme {action.citation}: party {party!r} is listed twice")
        parties.append(party)
    seen_areas: set[str] = set()
    for area in action.content_areas:
        if match_key(area) in seen_areas:
            raise RuleViolation(
                f"programme {action.citation}: content area {area!r} is listed twice"
            )
        seen_areas.add(match_key(area))
    programme = CoordinationProgramme._start(
        CoordinationProgramme.Signed,
        CoordinationProgramme.id_for(action.citation),
        entry,
        citation=action.citation,
        title=action.title,
        parties=parties,
        period_from=action.period_from,
        period_to=action.period_to,
        content_areas=list(action.content_areas),
        implements=parent.citation if parent else None,
        scope=scope,
    )
    session.add(programme)
    session.file(CITATIONS, citation_key(action.citation), action.citation, entry)


@handles(ProgrammeAlias)
def alias(session: Session, action: ProgrammeAlias, entry: Entry) -> None:
    programme = existing_programme(session, action.citation)
    other = find_programme(session, action.alias)
    if other is not None and other.id == programme.id:
        if citation_key(action.alias) == citation_key(programme.citation):
            raise RuleViolation(
                f"programme {programme.citation}: {action.alias!r} is its own citation, "
                "not an alias"
            )
        raise AlreadyRecordedError(
            f"programme {programme.citation} already has the alias {action.alias!r}"
        )
    _ensure_citation_free(
        session, action.alias, f"programme {programme.citation}: alias {action.alias!r} refused"
    )
    programme._record(CoordinationProgramme.AliasAdded, entry, alias=action.alias)
    session.file(CITATIONS, citation_key(action.alias), programme.citation, entry)


@handles(ProgrammeAmend)
def amend(session: Session, action: ProgrammeAmend, entry: Entry) -> None:
    programme = existing_programme(session, action.citation)
    programme.ensure_not_ended("amended")
    if not action.content_areas and action.period_from is None and action.period_to is None:
        raise InvalidInput(
            [f"programme {programme.citation}: give content_areas, period_from or period_to"]
        )
    starts = action.period_from or programme.period_from
    ends = action.period_to or programme.period_to
    if starts and ends and period_end(ends) < period_start(starts):
        raise RuleViolation(
            f"programme {programme.citation}: the period would end ({ends}) before it starts "
            f"({starts})"
        )
    _ensure_period_after_signing(programme.citation, ends, programme.started_on)
    changes = {
        "content_areas": list(action.content_areas) or None,
        "period_from": action.period_from,
        "period_to": action.period_to,
    }
    if all(value is None or value == getattr(programme, name) for name, value in changes.items()):
        raise RuleViolation(
            f"programme {programme.citation} already has these content areas and this period"
        )
    programme._record(CoordinationProgramme.Amended, entry, **changes)


@handles(ProgrammeEnd)
def end(session: Session, action: ProgrammeEnd, entry: Entry) -> None:
    programme = existing_programme(session, action.citation)
    if programme.ended_on is not None:
        raise RuleViolation(
            f"programme {programme.citation} already ended on "
            f"{format_date(programme.ended_on)}: a programme ends once"
        )
    programme._record(CoordinationProgramme.Ended, entry, reason=action.reason)


def in_force(
    signed_on: date,
    period_from: str | None,
    period_to: str | None,
    ended_on: date | None,
    first: date,
    last: date,
) -> bool:
    """Whether a programme signed on ``signed_on`` is in force at some day of [first, last]:
    signed by ``last``, its period (if any) overlapping, and not ended before ``first``."""
    starts = max(signed_on, period_start(period_from)) if period_from else signed_on
    ends = period_end(period_to) if period_to else None
    if ended_on is not None:
        ends = min(ends, ended_on) if ends else ended_on
    return starts <= last and (ends is None or ends >= first)
