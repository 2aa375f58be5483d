"""Files a verb writes: checked before anything is signed or stored, so a bad --out changes
nothing in the ledger."""

from __future__ import annotations

from pathlib import Path

import click


def check_out_folder(out: Path | None) -> None:
    """Refuse an --out whose folder does not exist."""
    if out is not None and not out.parent.is_dir():
        raise click.BadParameter(f"{out.parent}: no such folder", param_hint="--out")
