"""Reading verbs for auditors: one record's history, and the global log."""

from __future__ import annotations

import click

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from cli.output import echo_json_array, event_line, to_json
from ledger.dispatch import FAMILIES
from ledger.text import parse_legal_date, parse_moment


def legal_date_option(ctx: click.Context, param: click.Parameter, value: str | None):
    """Click callback: a legal date, ISO or dd/mm/yyyy."""
    return _parsed(value, parse_legal_date)


def moment_option(ctx: click.Context, param: click.Parameter, value: str | None):
    """Click callback: a --known-at moment."""
    return _parsed(value, parse_moment)


def _parsed(value: str | None, parse):
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("kind", type=click.Choice(list(FAMILIES)))
@click.argument("key", nargs=-1, required=True)
@click.option(
    "--as-of", callback=legal_date_option, help="Only events in force by this legal date."
)
@click.option(
    "--known-at",
    callback=moment_option,
    help="Only events the ledger had recorded by then (ISO 8601; Vietnam time by default).",
)
@click.option("--version", type=click.IntRange(min=1), help="Only the first N events.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON array.")
@pass_settings
def history(settings: Settings, kind, key, as_of, known_at, version, as_json) -> None:
    """Show the event trail of one record, oldest first.

    Personal data (individual recipients, dispute summaries) is opened only for an --actor
    whose viewing can be recorded (person.view); otherwise it shows as [niêm phong].

    \b
    KEY is the record's natural key:
      unit CODE | model CODE | award ISSUER YEAR DECISION | safety UNIT YEAR | dispute UNIT CASE
      programme CITATION (or any alias of it)
      statistic UNIT INDICATOR FROM TO SOURCE
      security-org UNIT CODE
      classification UNIT YEAR
    Examples:
      antq history safety KG-C01 2022
      antq history award UBND-KG 2022 88/QĐ-UBND --json
    """
    trail = settings.ledger.history(
        kind, key, as_of=as_of, known_at=known_at, version=version, reader=settings.recorder
    )
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
