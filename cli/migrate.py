"""antq migrate: copy a ledger to another storage with its history intact."""

from __future__ import annotations

import sys

import click

from cli.main import CONTEXT_SETTINGS, Settings

LONG_COPY = 20_000  # events from which the copy shows a progress bar


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--from", "source_url", required=True, metavar="URL", help="The ledger to copy.")
@click.option(
    "--to",
    "target_url",
    required=True,
    metavar="URL",
    help="Where to copy it: an empty database, or one an interrupted migration started.",
)
def migrate(source_url: str, target_url: str) -> None:
    """Copy a ledger to another storage: the same events at the same log positions, so the
    same integrity root, with its signed checkpoints and personal-data keys.

    \b
    The target is created if needed and must be empty, or hold what an interrupted
    migration from the same source copied: the copy then resumes after it. Anything
    else is refused (exit 1) and left unchanged. Each batch of events is committed
    with its part of the integrity tree, so an interruption leaves nothing half-written.
    At the end the whole target is verified and its root compared with the source's.
    Events recorded in the source meanwhile are copied by running it again; stop
    writers to the source before the last run. The global --db is not used.

    \b
    Example:
      antq migrate --from sqlite:///antq.db --to postgresql://antq@db.example/antq
    """
    from ledger.migrate import Migration, check_urls, display_url

    check_urls(source_url, target_url)
    source_ledger = Settings(source_url, None, None).ledger
    try:
        target_ledger = Settings(target_url, None, None).ledger
        try:
            with Migration(source_ledger, target_ledger) as migration:
                if migration.remaining >= LONG_COPY:
                    with click.progressbar(
                        length=migration.remaining, label="copying", file=sys.stderr
                    ) as bar:
                        result = migration.run(progress=bar.update)
                else:
                    result = migration.run()
        finally:
            target_ledger.close()
    finally:
        source_ledger.close()
    source, target = display_url(source_url), display_url(target_url)
    if result.already and not result.copied:
        done = f"the target already holds all {result.already:,} events of {source} "
    else:
        held = f", after the {result.already:,} the target held" if result.already else ""
        done = f"copied {result.copied:,} events{held} "
    click.echo(
        f"{done}(log position {result.log_position:,}) from {source} to {target}; "
        f"integrity root {result.root.hex()} is the same on both"
    )
    if result.checkpoints:
        click.echo(
            f"the target holds {result.checkpoints} signed checkpoint(s), verified; to sign "
            "new ones there, use the source's signing key (ANTQ_SIGNING_KEY, or FILE.signing-key "
            "beside an SQLite ledger)"
        )
    click.echo(
        "read models are rebuilt on the target's first read (or now: "
        f"antq --db {target} projections rebuild)"
    )
