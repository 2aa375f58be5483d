"""How events read to people: plain dicts, with sealed personal fields opened (or shown erased)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate

from ledger.persons import ERASED, Vault, unseal

ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")
PROVENANCE = ("actor", "role", "effective_on", "source", "note")


def describe(event: CanMutateAggregate[UUID], vault: Vault) -> dict[str, Any]:
    """Version, event name, recording time, provenance, then the event's own fields."""
    own = {k: v for k, v in vars(event).items() if k not in ENVELOPE and k not in PROVENANCE}
    return {
        "version": event.originator_version,
        "event": type(event).__name__,
        "recorded_at": event.timestamp,
        **provenance(event),
        **_opened(own, vault),
    }


def provenance(event: CanMutateAggregate[UUID]) -> dict[str, Any]:
    """Who recorded the event, its legal date, source document and note."""
    return {k: getattr(event, k, None) for k in PROVENANCE}


def _opened(fields: dict[str, Any], vault: Vault) -> dict[str, Any]:
    if "sealed_summary" in fields:
        # The subject id stays: it names the person for ``antq person``.
        subject, sealed = fields["summary_subject"], fields.pop("sealed_summary")
        if subject:
            opened = _open(vault, subject, sealed)
            fields["summary"] = opened["summary"] if opened else ERASED
    if "lines" in fields:
        fields["lines"] = [_opened_line(line, vault) for line in fields["lines"]]
    if "line" in fields:
        fields["line"] = _opened_line(fields["line"], vault)
    return fields


def _opened_line(line: dict[str, Any], vault: Vault) -> dict[str, Any]:
    line = dict(line)
    if "sealed" in line:
        subject = line["person"]
        opened = _open(vault, subject, line.pop("sealed"))
        line["person"] = {"id": subject, **(opened or {"name": ERASED, "erased": True})}
    return line


def _open(vault: Vault, subject: str, sealed: str) -> dict[str, Any] | None:
    subject_id = UUID(subject)
    return unseal(vault.key_for(subject_id), subject_id, sealed)
