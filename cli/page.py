"""The inspector's page: ``antq report`` writes it, ``antq report verify`` checks it offline."""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path

import click

from cli.files import check_out_folder
from cli.main import CONTEXT_SETTINGS, Settings
from cli.read import legal_date_option, moment_option


@click.group(context_settings=CONTEXT_SETTINGS, invoke_without_command=True)
@click.option("--year", type=click.IntRange(1945, 2100), help="The year reported (required).")
@click.option("--scope", help="Unit code or name: counts every unit below it, following merges.")
@click.option("--as-of", callback=legal_date_option, help="The world as it was on this legal date.")
@click.option("--known-at", callback=moment_option, help="What the ledger knew at this moment.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    help="HTML, or PDF drawn from it (needs antq-ledger[pdf]). Default: pdf if --out ends in "
    ".pdf, else html.",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the page.",
)
@click.option("--open-days", type=click.IntRange(1, 3650), default=30, show_default=True,
              help="Flag mediation cases still open this many days after receipt.")  # fmt: skip
@click.pass_context
def report(ctx: click.Context, year, scope, as_of, known_at, out, fmt, lang, open_days) -> None:
    """Write the inspector's page: one self-contained HTML file with the year's standings,
    charts over the years, the flags to look at, and the signed checkpoint it reflects.

    \b
    The page needs no network and runs no script; the same log gives the same bytes. It is
    sealed with the ledger's key: `antq report verify FILE` checks it with no database.
    Examples:
      antq report --year 2023 --scope BT --out bao-cao-2023.html
      antq report --year 2023 --known-at 2024-01-31 --lang en --out as-reported.html
      antq report --year 2023 --format pdf --out bao-cao-2023.pdf
    """
    if ctx.invoked_subcommand is not None:
        return
    if year is None or out is None:
        raise click.UsageError("give --year YEAR and --out FILE")
    check_out(out)
    fmt = fmt or ("pdf" if out.suffix.lower() == ".pdf" else "html")
    settings: Settings = ctx.obj
    if fmt == "pdf":  # before anything is signed or written
        from projections.pdf import pdf_maker

        make_pdf = pdf_maker()
    from ledger.audit import issue_checkpoint
    from projections.html_page import render
    from projections.inspection import inspect
    from projections.seal import seal
    from projections.standings import Point

    if scope is not None:
        scope = settings.ledger.find("unit", [scope]).code
    position = settings.projector.catch_up()
    key = settings.signing_key()
    checkpoint = issue_checkpoint(settings.ledger.recorder, key, through=position)
    found = inspect(settings.projector.engine, year, scope, Point(as_of, known_at, position),
                    open_days)  # fmt: skip
    page = render(found, checkpoint, lang)
    data = make_pdf(page) if fmt == "pdf" else page.encode()
    write_whole(out, seal(data, checkpoint, key))
    click.echo(f"wrote {out} (log position {position}); check it with: antq report verify "
               f"{shlex.quote(str(out))} --public-key KEY")  # fmt: skip


@report.command("verify", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", help="The ledger's published public key (hex) to check against.")
def verify_page(file: Path, public_key: str | None) -> None:
    """Check a page from `antq report` with no database: not a byte changed since it was
    written, and the checkpoint it reflects is signed (exit 3 if not)."""
    from cli.audit import hex_key
    from ledger.signing import fingerprint
    from projections.seal import check_seal

    checkpoint = check_seal(file.read_bytes(), str(file), hex_key(public_key))
    click.echo(f"OK: {file} is as written from the log of {checkpoint.tree_size} events up to "
               f"position {checkpoint.log_position}, root {checkpoint.root}, signed by key "
               f"{fingerprint(bytes.fromhex(checkpoint.public_key))}")  # fmt: skip


def check_out(out: Path) -> None:
    """Refuse, before anything is signed, an --out that cannot be written or would replace a
    file antq did not write as a page (the ledger's database, its key, anyone's document)."""
    from projections.seal import is_sealed

    check_out_folder(out)
    if out.exists() and not (out.is_file() and is_sealed(out)):
        raise click.BadParameter(
            f"{out} exists and is not a page antq wrote: choose another name", param_hint="--out"
        )


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: a reader sees the old file or the new one, never a part."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # as open() would have made it, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
