"""Reading verbs for auditors: one record's history, and the global log."""

from __future__ import annotations

import click

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from cli.output import echo_json_array, event_line, to_json
from ledger.text import parse_legal_date


def _legal_date(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        return parse_legal_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("kind", type=click.Choice(["unit", "model", "award", "safety", "dispute"]))
@click.argument("key", nargs=-1, required=True)
@click.option("--as-of", callback=_legal_date, help="Only events in force by this legal date.")
@click.option("--version", type=click.IntRange(min=1), help="Only the first N events.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON array.")
@pass_settings
def history(settings: Settings, kind, key, as_of, version, as_json) -> None:
    """Show the event trail of one record, oldest first.

    \b
    KEY is the record's natural key:
      unit CODE | model CODE | award ISSUER YEAR DECISION | safety UNIT YEAR | dispute UNIT CASE
    Examples:
      antq history safety KG-C01 2022
      antq history award UBND-KG 2022 88/QĐ-UBND --json
    """
    trail = settings.ledger.history(kind, key, as_of=as_of, version=version)
    if as_json:
        click.echo(to_json(trail))
        return
    for item in trail:
        click.echo(event_line(item))


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--since", type=click.IntRange(min=0), default=0, help="Only events after this position."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many events.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per event.")
@pass_settings
def log(settings: Settings, since: int, limit: int | None, as_json: bool) -> None:
    """Show the global event log in commit order: position, record, event, who, when."""
    entries = settings.ledger.log(since=since, limit=limit)
    if as_json:
        echo_json_array(entries)
        return
    for item in entries:
        click.echo(event_line(item))
