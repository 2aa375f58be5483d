"""``antq person show|erase``: a person's sealed data, opened (and the viewing recorded), or
erased by destroying their key."""

from __future__ import annotations

from typing import Any

import click

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from cli.output import echo_recorded, to_json
from cli.read import legal_date_option
from ledger.commands import PersonErase, PersonView, build


@click.group(context_settings=CONTEXT_SETTINGS)
def person() -> None:
    """A person's sealed data: show it (the viewing is recorded) or erase it.

    \b
    PERSON is the id history shows for an individual award recipient or a sealed
    dispute summary, e.g. antq history award UBND-TN 2023 12/QĐ-UBND.
    """


@person.command(context_settings=CONTEXT_SETTINGS)
@click.argument("person_id", metavar="PERSON")
@click.option("--purpose", help="Why the data is opened (kept with the record of the viewing).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON array.")
@pass_settings
def show(settings: Settings, person_id: str, purpose: str | None, as_json: bool) -> None:
    """Open a person's sealed data wherever the log holds it; the viewing is recorded first
    (who, when, why), so the access log is the ledger's own.

    \b
    Example:
      antq --actor 'Trần Thị B' --role TD_KT person show 3f2a…c9 --purpose 'xác minh'
    """
    from ledger.people import appearances

    action = build(PersonView, person=person_id, purpose=purpose)
    recorded = settings.ledger.execute(action, settings.recorder)
    found = list(appearances(settings.ledger, action.person))
    if as_json:
        click.echo(to_json(found))
        return
    echo_recorded(recorded)
    for item in found:
        click.echo(_line(item))


def _line(item: dict[str, Any]) -> str:
    fields = {k: v for k, v in item.items() if k not in ("position", "record", "event", "where")}
    shown = ", ".join(f"{key}={value}" for key, value in fields.items())
    return f"#{item['position']} {item['record']} {item['event']} {item['where']}: {shown}"


@person.command(context_settings=CONTEXT_SETTINGS)
@click.argument("person_id", metavar="PERSON")
@click.option("--reason", required=True, help="Legal ground of the erasure (NĐ 13/2023 Điều 16).")
@click.option(
    "--on", "effective_on", callback=legal_date_option, help="Legal date (default today)."
)
@click.option("--source", help='The request or decision, e.g. "Đơn yêu cầu số 12/2026".')
@pass_settings
def erase(settings: Settings, person_id: str, reason: str, effective_on, source) -> None:
    """Erase a person's data by destroying their key (crypto-shredding).

    \b
    The erasure is an event (who, when, why); the person's key is destroyed in the same
    transaction. Afterwards history shows the person as erased everywhere, counts stay as
    they were, and antq audit verify still passes: the log holds only ciphertext.
    Example:
      antq --actor 'Phạm Văn D' --role DPO person erase 3f2a…c9 --reason 'rút lại sự đồng ý'
    """
    fields = {"person": person_id, "reason": reason, "source": source}
    if effective_on is not None:
        fields["effective_on"] = effective_on
    action = build(PersonErase, **{k: v for k, v in fields.items() if v is not None})
    echo_recorded(settings.ledger.execute(action, settings.recorder))
