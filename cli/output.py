"""Output formatting shared by the verbs: JSON (UTF-8, not ASCII-escaped) and plain lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import click

from ledger.text import format_date

SKIPPED_IN_TEXT = {"version", "event", "recorded_at", "actor", "role", "effective_on", "position",
                   "record"}  # fmt: skip


def to_json(value: Any) -> str:
    """JSON with dates in ISO form and Vietnamese text as written."""
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def echo_json_array(items: Iterable[Mapping[str, Any]]) -> None:
    """Stream a JSON array, one object per line, without holding it in memory."""
    click.echo("[", nl=False)
    for i, item in enumerate(items):
        click.echo(("\n" if i == 0 else ",\n") + to_json(item), nl=False)
    click.echo("\n]")


def event_line(item: Mapping[str, Any]) -> str:
    """One readable line for an event: when, what, who, and its own fields."""
    head = " ".join(
        str(part)
        for part in (
            f"#{item['position']}" if "position" in item else f"v{item['version']}",
            format_date(item["effective_on"]),
            item.get("record", ""),
            item["event"],
            f"by {item['actor']} ({item['role']})",
        )
        if part
    )
    details = [
        f"{k}={_text(v)}"
        for k, v in item.items()
        if k not in SKIPPED_IN_TEXT and v not in (None, [], "")
    ]
    return head + (" | " + ", ".join(details) if details else "")


def _text(value: Any) -> str:
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, list | dict):
        return to_json(value)
    return str(value)


def echo_recorded(recorded: list[Any]) -> None:
    """Say what a recording verb wrote: one line per event (index bookkeeping left out)."""
    for item in recorded:
        if item.is_bookkeeping:
            continue
        flags = getattr(item.event, "flags", None)
        flagged = f" [flagged: {', '.join(flags)}]" if flags else ""
        click.echo(f"recorded #{item.position} {item.record} {type(item.event).__name__}{flagged}")
