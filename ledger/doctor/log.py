"""What the log holds: whether the read models have caught up with it, and its integrity.

``check_projections`` compares each read model's position with the log's head (and notices an
unfinished rebuild) without catching anything up: the lag is reported. ``check_integrity`` is
``antq audit verify``: every event against its leaf, the stored nodes, the root and every signed
checkpoint; a failure calls for exit 3.
"""

from __future__ import annotations

from ledger.doctor.findings import FAIL, OK, SKIP, TAMPERED, WARN, Finding
from ledger.doctor.schema import Layout, ReadModels
from ledger.doctor.stores import Store
from ledger.errors import IntegrityError


def check_projections(store: Store, layout: Layout, read_models: ReadModels) -> Finding:
    """Each read model's position against the log's head, and an unfinished rebuild."""
    name = "projections"
    head = store.head()
    if not layout.read_models_built:
        if not head:
            return Finding(name, OK, "no events yet, no read models yet")
        (events,) = store.rows(f"SELECT COUNT(*) FROM {store.log.name}")[0]
        return Finding(
            name,
            OK,
            f"not built yet: the first read command builds them from the log's {events} events",
        )
    stored = dict(store.rows(f"SELECT name, position FROM {read_models.positions_table}"))
    if read_models.rebuilding in stored:
        return Finding(
            name,
            FAIL,
            "a rebuild of the read models is running or was interrupted: reads are refused "
            "until it finishes",
            "if no rebuild is running: antq projections rebuild",
        )
    positions = {model: int(stored.get(model, 0)) for model in read_models.names}
    ahead = sorted(model for model, position in positions.items() if position > head)
    if ahead:
        return Finding(
            name,
            FAIL,
            f"read model(s) {', '.join(ahead)} are at position "
            f"{max(positions[m] for m in ahead)}, past the log's head ({head}): the log lost "
            "events, or the read models come from another copy of the ledger",
            "see the integrity check (antq audit verify); then run: antq projections rebuild",
        )
    behind = {model: position for model, position in positions.items() if position < head}
    if not behind:
        return Finding(name, OK, f"all {len(positions)} read models at the log's head ({head})")
    lowest = min(behind.values())
    (count,) = store.rows(
        f"SELECT COUNT(*) FROM {store.log.name} WHERE {store.log.position} > ?", (lowest,)
    )[0]
    models = ", ".join(behind) if len(behind) < len(positions) else f"all {len(positions)}"
    return Finding(
        name,
        WARN,
        f"read models behind the log: {models} up to {count} event(s) behind "
        f"(at position {lowest}, head {head})",
        "run any read command (e.g. antq standings), or keep antq projections follow running",
    )


def check_integrity(
    store: Store, layout: Layout, trusted_key: bytes | None, quick: bool = False
) -> Finding:
    """``antq audit verify``: every event against its leaf, the stored nodes, the root and
    every signed checkpoint (with the ledger's public key, when it is known to be theirs)."""
    from ledger.audit import verify

    name = "integrity"
    if quick:
        return Finding(
            name,
            SKIP,
            "skipped (--quick): the log was not scanned",
            "run antq doctor without --quick, or antq audit verify",
        )
    if not layout.has_tree:
        return Finding(name, SKIP, "skipped (no integrity tree yet: see schema)")
    try:
        result = verify(store, None, trusted_key)
    except IntegrityError as error:
        return Finding(name, FAIL, str(error), TAMPERED, exit_code=3)
    return Finding(
        name,
        OK,
        f"{result.tree_size} events up to log position {result.log_position}, root "
        f"{result.root.hex()}; extends {result.checkpoints} signed checkpoint(s)",
    )
