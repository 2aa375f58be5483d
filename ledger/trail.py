"""How events read to people: plain dicts, with sealed personal fields opened (or shown erased)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate

from ledger.persons import ERASED, SEALED, Vault, unseal

ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")
PROVENANCE = ("actor", "role", "effective_on", "source", "note")


MayOpen = Callable[[str], bool]  # whether a subject's sealed fields may be opened (hex id)


def describe(
    event: CanMutateAggregate[UUID], vault: Vault, may_open: MayOpen | None = None
) -> dict[str, Any]:
    """Version, event name, recording time, provenance, then the event's own fields, sealed
    ones opened (only those of subjects ``may_open`` allows, when given)."""
    own = {k: v for k, v in vars(event).items() if k not in ENVELOPE and k not in PROVENANCE}
    return {
        "version": event.originator_version,
        "event": type(event).__name__,
        "recorded_at": event.timestamp,
        **provenance(event),
        **_opened(own, _Opener(vault, may_open)),
    }


def provenance(event: CanMutateAggregate[UUID]) -> dict[str, Any]:
    """Who recorded the event, its legal date, source document and note."""
    return {k: getattr(event, k, None) for k in PROVENANCE}


class _Opener:
    """Opens sealed fields: None for an erased subject, SEALED for one not to be opened."""

    def __init__(self, vault: Vault, may_open: MayOpen | None) -> None:
        self.vault, self.may_open = vault, may_open

    def open(self, subject: str, sealed: str) -> dict[str, Any] | str | None:
        if self.may_open is not None and not self.may_open(subject):
            return SEALED
        subject_id = UUID(subject)
        return unseal(self.vault.key_for(subject_id), subject_id, sealed)


def _opened(fields: dict[str, Any], opener: _Opener) -> dict[str, Any]:
    if "sealed_summary" in fields:
        # The subject id stays: it names the person for ``antq person``.
        subject, sealed = fields["summary_subject"], fields.pop("sealed_summary")
        if subject:
            opened = opener.open(subject, sealed)
            fields["summary"] = (
                opened if opened == SEALED else opened["summary"] if opened else ERASED
            )
    if "lines" in fields:
        fields["lines"] = [_opened_line(line, opener) for line in fields["lines"]]
    if "line" in fields:
        fields["line"] = _opened_line(fields["line"], opener)
    return fields


def _opened_line(line: dict[str, Any], opener: _Opener) -> dict[str, Any]:
    line = dict(line)
    if "sealed" in line:
        subject = line["person"]
        opened = opener.open(subject, line.pop("sealed"))
        if opened == SEALED:
            line["person"] = {"id": subject, "name": SEALED, "sealed": True}
        else:
            line["person"] = {"id": subject, **(opened or {"name": ERASED, "erased": True})}
    return line


def sealed_subjects(event: CanMutateAggregate[UUID]) -> list[str]:
    """The subjects (hex ids) whose data ``event`` seals."""
    lines = getattr(event, "lines", None) or [getattr(event, "line", None)]
    subjects = [line["person"] for line in lines if line and "sealed" in line]
    summary = getattr(event, "summary_subject", None)
    return subjects + ([summary] if summary else [])
