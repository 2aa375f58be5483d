"""Bulk verbs: import a JSON Lines file, and record the demo province."""

from __future__ import annotations

from pathlib import Path

import click

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from ledger.imports import ImportReport, import_file


@click.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Validate every line against the ledger; write nothing."
)
@pass_settings
def import_command(settings: Settings, file: Path, dry_run: bool) -> None:
    """Import a JSON Lines file: one action per line (see docs/cli.md).

    \b
    All or nothing: every line is checked first, and any bad line is reported as
    "line N: field: problem" with nothing written. Lines are then committed in
    batches; an import that was interrupted resumes where it stopped when run
    again, and a file already imported writes nothing new.
    """
    report = import_file(settings.ledger, file, settings.recorder, dry_run=dry_run)
    click.echo(describe_import(file.name, report, dry_run))


def describe_import(name: str, report: ImportReport, dry_run: bool = False) -> str:
    """One sentence on what an import did."""
    if report.lines == 0:
        return f"{name}: no lines to import; nothing written"
    if report.already_imported:
        return f"{name}: already imported ({report.lines} lines); nothing new written"
    if dry_run:
        valid = report.lines - report.already_committed
        return f"{name}: {valid} lines valid; nothing written (dry run)"
    resumed = (
        f" (resumed after {report.already_committed} lines)" if report.already_committed else ""
    )
    return (
        f"{name}: imported {report.written_lines} lines as {report.written_events} events "
        f"in {report.batches} batches{resumed}; log position {report.last_position}"
    )


@click.command(context_settings=CONTEXT_SETTINGS)
@pass_settings
def demo(settings: Settings) -> None:
    """Record a realistic province from the seed articles: Bình Thuận, 2023.

    \b
    691 residential areas, 124 communes and 809 organisations registered for the
    standard "An toàn về an ninh, trật tự" (685, 116 and 795 recognised), 32 model
    types at 870 sites, the 2023 commendations, and a year of mediation cases.
    Running it again writes nothing new.
    """
    from ledger.demo import DemoProvince

    province = DemoProvince()
    report = province.record(settings.ledger, actor=settings.actor or "antq demo")
    click.echo(describe_import("demo", report))
    for line in province.summary():
        click.echo(line)
    click.echo(
        "Try: antq standings --year 2023 --scope BT   |   antq history safety BT-PT-PHUTHUY 2023"
    )
