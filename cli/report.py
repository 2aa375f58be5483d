"""Reports from the read models: standings, and the read models' own status and rebuild."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from cli.output import to_json
from cli.read import legal_date_option, moment_option

GROUP_NAMES = {
    "residential_area": "thôn, khu phố (residential areas)",
    "commune": "xã, phường, thị trấn (communes)",
    "organisation": "cơ quan, doanh nghiệp, cơ sở giáo dục",
}


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--year", type=click.IntRange(1945, 2100), required=True, help="Evaluation year.")
@click.option("--scope", help="Unit code or name: counts every unit below it, following merges.")
@click.option("--as-of", callback=legal_date_option, help="The world as it was on this legal date.")
@click.option("--known-at", callback=moment_option, help="What the ledger knew at this moment.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON.")
@pass_settings
def standings(settings: Settings, year, scope, as_of, known_at, as_json) -> None:
    """Standings of a year: safety recognition, models, awards and mediation.

    \b
    Reads catch up with the log first, so figures are never stale.
    Examples:
      antq standings --year 2023 --scope BT --json
      antq standings --year 2024 --known-at 2025-01-31     (what the report said then)
      antq standings --year 2024 --as-of 2024-12-31        (in force at year end)
    """
    from projections.standings import Point
    from projections.standings import standings as compute

    if scope is not None:
        scope = settings.ledger.find("unit", [scope]).code
    position = settings.projector.catch_up()
    result = compute(settings.projector.engine, year, scope, Point(as_of, known_at, position))
    click.echo(to_json(result) if as_json else "\n".join(standings_text(result)))


def standings_text(result: dict[str, Any]) -> list[str]:
    """A readable table of standings."""
    when = []
    if result["as_of"]:
        when.append(f"as of {result['as_of']}")
    if result["known_at"]:
        when.append(f"as known at {result['known_at']}")
    scope = result["scope"] or "all units"
    lines = [f"Standings {result['year']} — {scope}" + (f" ({', '.join(when)})" if when else "")]
    lines.append(f"{'An toàn về ANTT':<40} registered recognised denied annulled  ratio")
    for group, name in GROUP_NAMES.items():
        g = result["safety"][group]
        ratio = f"{100 * g['ratio']:.2f}%" if g["ratio"] is not None else "—"
        lines.append(
            f"  {name:<38} {g['registered']:>10} {g['recognised']:>10} {g['denied']:>6} "
            f"{g['annulled']:>8} {ratio:>7}"
        )
    for flag in result["safety"]["flags"]:
        lines.append(f"  flagged: {flag['unit']} ({flag['rule']})")
    m = result["models"]
    lines.append(
        f"Models: {m['active']} active at {m['sites']} sites, "
        f"{m['recognised_effective']} recognised effective"
    )
    if m["by_field"]:
        lines.append("  " + "; ".join(f"{field}: {n}" for field, n in m["by_field"].items()))
    lines.append("Awards:" + ("" if result["awards"] else " none"))
    for a in result["awards"]:
        lines.append(
            f"  {a['level']} {a['form']}: {a['collective']} collective, "
            f"{a['individual']} individual"
        )
    d = result["mediation"]
    lines.append(
        f"Mediation: {d['received']} received, {d['settled']} settled, {d['failed']} "
        f"failed, {d['referred']} referred, {d['open']} open"
    )
    groups = {k: g for k, g in result.get("classification", {}).items() if k != "flags"}
    for group, g in groups.items():  # movement classification, only for units that assessed
        if g["assessed"]:
            late = f"; {g['late']} late" if g["late"] else ""
            assessed = f"{g['assessed']} assessed{late}"
            lines.append(f"Classification, {group}: {g['written']} ({assessed})")
    if result.get("inherited_from"):
        lines.append(f"Includes inherited history of: {', '.join(result['inherited_from'])}")
    return lines


@click.group(context_settings=CONTEXT_SETTINGS)
def projections() -> None:
    """Show or rebuild the read models (they are always rebuildable from the log)."""


@projections.command(context_settings=CONTEXT_SETTINGS)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON.")
@pass_settings
def status(settings: Settings, as_json: bool) -> None:
    """Each read model's log position and how many events it is behind."""
    projector = settings.projector
    rows = projector.status()
    if as_json:
        click.echo(to_json([vars(row) for row in rows]))
        return
    for row in rows:
        click.echo(f"{row.name:<10} position {row.position:>9}  behind by {row.lag}")
    if projector.rebuilding():
        click.echo(
            "a rebuild is running or was interrupted; if none is running: antq projections rebuild"
        )


@projections.command(context_settings=CONTEXT_SETTINGS)
@pass_settings
def rebuild(settings: Settings) -> None:
    """Drop every read model and project the whole log again."""
    projector = settings.projector
    total = projector.ledger.recorder.max_notification_id() or 0
    with click.progressbar(length=total, label="rebuilding", file=sys.stderr) as bar:
        position = projector.rebuild(progress=bar.update)
    click.echo(f"rebuilt {len(projector.models)} read models up to log position {position}")


@projections.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="Seconds between looks at the log (PostgreSQL also wakes on each commit).",
)
@pass_settings
def follow(settings: Settings, poll: float) -> None:
    """Keep the read models caught up as events arrive, until Ctrl-C.

    \b
    Each batch commits its rows with the models' positions, so stopping at any moment
    loses nothing: the next follow (or read) resumes from there.
    Example:
      antq --db postgresql://antq@db.example/antq projections follow
    """
    import signal
    import threading

    from projections.follow import follow as follow_log

    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    projector = settings.projector
    click.echo(f"following the log from position {projector.catch_up()} (Ctrl-C to stop)")

    def caught_up(position: int) -> None:
        click.echo(f"caught up to position {position}")

    position = follow_log(projector, stop, caught_up, poll)
    click.echo(f"stopped at position {position}")


@click.group(context_settings=CONTEXT_SETTINGS, invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), help="File format.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder to write.")
@click.option("--year", type=click.IntRange(1945, 2100), help="Only this year (default: all).")
@click.option("--scope", help="Unit code or name: every unit below it, following merges.")
@click.option("--as-of", callback=legal_date_option, help="The world as it was on this legal date.")
@click.option("--known-at", callback=moment_option, help="What the ledger knew at this moment.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of headers and labels.")  # fmt: skip
@click.pass_context
def export(ctx: click.Context, fmt, out, year, scope, as_of, known_at, lang) -> None:
    """Write the inspectors' reports, one file per report, with a manifest of hashes.

    \b
    CSV and XLSX are for people (Vietnamese headers, dd/mm/yyyy dates); JSON Lines is
    for programs (ISO dates, codes). manifest.json lists each file's SHA-256 and the
    log position the bundle reflects; `antq export verify DIR` checks it offline.
    Example:
      antq export --format xlsx --out bao-cao-2023 --year 2023 --scope BT
    """
    if ctx.invoked_subcommand is not None:
        return
    if fmt is None or out is None:
        raise click.UsageError("give --format csv|jsonl|xlsx and --out DIR")
    settings: Settings = ctx.obj
    from projections.exports import write_bundle
    from projections.reports import build_reports, years_with_facts
    from projections.standings import Point

    if scope is not None:
        scope = settings.ledger.find("unit", [scope]).code
    position = settings.projector.catch_up()
    engine = settings.projector.engine
    years = [year] if year else years_with_facts(engine)
    point = Point(as_of, known_at, through=position)
    about = {
        "log_position": position,
        "years": years,
        "scope": scope,
        "as_of": as_of.isoformat() if as_of else None,
        "known_at": known_at.isoformat() if known_at else None,
    }
    from ledger.audit import issue_checkpoint
    from ledger.signing import sign_document

    key = settings.signing_key()
    about["checkpoint"] = vars(issue_checkpoint(settings.ledger.recorder, key, through=position))
    reports = build_reports(engine, years, scope, point)
    manifest = write_bundle(reports, out, fmt, lang, about, lambda m: sign_document(key, m))
    click.echo(f"wrote {len(manifest['files'])} files to {out} (log position {position}); "
               f"check them with: antq export verify {out}")  # fmt: skip


@export.command("verify", context_settings=CONTEXT_SETTINGS)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--public-key", help="The ledger's published public key (hex) to check against.")
def verify_export(folder: Path, public_key: str | None) -> None:
    """Check an export bundle with no database: every file against the manifest, and the
    signatures of the manifest and of the ledger's checkpoint in it (exit 3 if altered)."""
    from cli.audit import hex_key
    from ledger.signing import fingerprint
    from projections.exports import verify_bundle

    manifest = verify_bundle(folder, hex_key(public_key))
    checkpoint = manifest["checkpoint"]
    click.echo(f"OK: {len(manifest['files'])} files match the manifest "
               f"(log position {manifest.get('log_position')}); signed checkpoint of "
               f"{checkpoint['tree_size']} events, root {checkpoint['root']}, key "
               f"{fingerprint(bytes.fromhex(checkpoint['public_key']))}")  # fmt: skip
