"""antq doctor: check a ledger and say, for each problem, what to do. It only reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings

if TYPE_CHECKING:
    from ledger.doctor import Finding

LABELS = {"ok": "ok", "warn": "warn", "fail": "FAIL", "skip": "skip"}


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--quick", is_flag=True, help="Skip the integrity scan (antq audit verify's).")
@click.option(
    "--json", "as_json", is_flag=True, help="A JSON list of {check, status, detail, advice}."
)
@pass_settings
def doctor(settings: Settings, quick: bool, as_json: bool) -> None:
    """Check the ledger and say what to do about each problem found.

    \b
    Checks that the database opens, that its tables fit this antq, that the read
    models are caught up, the integrity of the log (as antq audit verify; --quick
    skips it), the signing and cipher keys, the access policy, and for SQLite the
    journal mode and free disk space. One line per check: ok, warn or FAIL, then
    what to do. Doctor only reads: it creates no database, key or table, and
    reports the read models' lag rather than catching them up.
    Exit 0 if no check failed (warnings allowed), 1 if one did, 3 if integrity did.
    """
    from cli.output import to_json
    from ledger.doctor import ReadModels, diagnose, exit_code
    from projections.runner import READ_MODELS, REBUILDING
    from projections.schema import metadata, positions

    read_models = ReadModels(
        tables={
            table.name: frozenset(column.name for column in table.columns)
            for table in metadata.sorted_tables
        },
        positions_table=positions.name,
        names=tuple(model.name for model in READ_MODELS),
        rebuilding=REBUILDING,
    )
    findings = diagnose(settings.db, read_models, settings.policy, quick)
    if as_json:
        click.echo(to_json([finding.to_dict() for finding in findings]))
    else:
        for finding in findings:
            line = f"{LABELS[finding.status]:<4} {finding.check}: {finding.detail}"
            click.echo(line + (f" — {finding.advice}" if finding.advice else ""))
        click.echo(summary(findings))
    click.get_current_context().exit(exit_code(findings))


def summary(findings: list[Finding]) -> str:
    """One line: how many checks passed, warned, failed and were skipped, and the verdict."""
    from ledger.doctor import exit_code

    counts = {status: sum(f.status == status for f in findings) for status in LABELS}
    parts = [f"{counts['ok']} ok", f"{counts['warn']} warning(s)", f"{counts['fail']} failed"]
    if counts["skip"]:
        parts.append(f"{counts['skip']} skipped")
    code = exit_code(findings)
    verdict = {
        0: "nothing failed" if counts["warn"] or counts["skip"] else "the ledger is healthy",
        1: "fix what FAILed above",
        3: "INTEGRITY FAILED: keep the database untouched and contact the auditors",
    }[code]
    return f"summary: {len(findings)} checks: {', '.join(parts)} — {verdict}"
