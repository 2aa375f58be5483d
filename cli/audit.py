"""antq audit: verify the log against its Merkle tree and signed checkpoints; issue
checkpoints; prove a record's events are in the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cli.files import check_out_folder
from cli.main import CONTEXT_SETTINGS, Settings, pass_settings
from ledger.dispatch import FAMILIES
from ledger.errors import IntegrityError


@click.group(context_settings=CONTEXT_SETTINGS)
def audit() -> None:
    """Prove the log was not altered: verify, sign checkpoints, prove inclusion."""


@audit.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--digest",
    "digest_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint kept from `antq audit digest`: prove the log still extends it.",
)
@pass_settings
def verify(settings: Settings, digest_file: Path | None) -> None:
    """Recompute the Merkle tree from every stored event and check every signed checkpoint.

    Exit 3 naming the first bad position if any event was changed, deleted, inserted,
    duplicated or moved, or if the log no longer extends a checkpoint (truncated or
    rewritten history, even with every hash recomputed).
    """
    from ledger.audit import verify as verify_log

    brought = _read_checkpoint(digest_file) if digest_file else None
    settings.check_key = False  # the tree covers the stored bytes: no need to decrypt them
    result = verify_log(settings.ledger.recorder, brought, settings.public_key())
    click.echo(
        f"OK: {result.tree_size} events up to log position {result.log_position}, "
        f"root {result.root.hex()}; extends {result.checkpoints} signed checkpoint(s)"
    )


@audit.command(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write it to this file."
)
@pass_settings
def digest(settings: Settings, out: Path | None) -> None:
    """Sign a checkpoint of the log as it stands (size, last position, root hash, time).

    Keep it somewhere the ledger's operators cannot write: `antq audit verify --digest FILE`
    later proves the log still extends it.
    """
    from ledger.audit import issue_checkpoint

    check_out_folder(out)
    checkpoint = issue_checkpoint(settings.ledger.recorder, settings.signing_key())
    if out:
        out.write_text(checkpoint.to_json() + "\n", encoding="utf-8")
        click.echo(f"checkpoint of {checkpoint.tree_size} events written to {out}")
    else:
        click.echo(checkpoint.to_json())


@audit.command(context_settings=CONTEXT_SETTINGS)
@click.argument("kind", type=click.Choice(list(FAMILIES)))
@click.argument("key", nargs=-1, required=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write it to this file."
)
@pass_settings
def prove(settings: Settings, kind: str, key: tuple[str, ...], out: Path | None) -> None:
    """Print inclusion proofs of one record's events against a signed checkpoint.

    \b
    KEY is the record's natural key, as for `antq history`. The proof carries the events'
    stored bytes, so `antq audit check-proof FILE` checks it with no database.
    """
    from ledger.audit import prove as prove_record

    check_out_folder(out)
    record = settings.ledger.find(kind, list(key))
    text = json.dumps(
        prove_record(settings.ledger.recorder, record.id, settings.signing_key()), indent=2
    )
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"proof of {record.label()} written to {out}")
    else:
        click.echo(text)


@audit.command("check-proof", context_settings=CONTEXT_SETTINGS)
@click.argument("proof_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", help="The ledger's published public key (hex); trusted if given.")
def check_proof(proof_file: Path, public_key: str | None) -> None:
    """Check a proof from `antq audit prove` offline: signature, each event's leaf, each path."""
    from ledger.audit import check_proof as check
    from ledger.signing import fingerprint

    checkpoint = check(_read_json(proof_file), hex_key(public_key))
    click.echo(
        f"OK: the proof's events are in the log of {checkpoint.tree_size} events signed at "
        f"{checkpoint.created_at} by key {fingerprint(bytes.fromhex(checkpoint.public_key))}"
    )


@audit.command("public-key", context_settings=CONTEXT_SETTINGS)
@pass_settings
def public_key(settings: Settings) -> None:
    """Print the ledger's public key (hex) and its fingerprint, for inspectors to keep."""
    from ledger.signing import fingerprint, public_bytes

    key = public_bytes(settings.signing_key())
    click.echo(f"{key.hex()}  (fingerprint {fingerprint(key)})")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IntegrityError(f"{path}: not JSON: {error}") from None


def _read_checkpoint(path: Path) -> Any:
    from ledger.signing import Checkpoint

    data = _read_json(path)
    if not isinstance(data, dict):
        raise IntegrityError(f"{path}: not a checkpoint")
    return Checkpoint.from_dict(data, str(path))


def hex_key(value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise click.BadParameter("write the 64 hex digits `antq audit public-key` prints")
    return key
