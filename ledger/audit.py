"""Auditing the log against its Merkle tree and signed checkpoints: verify, issue, prove.

``verify`` reads every stored event once, in log order, beside the leaf the ledger wrote for it
when the event was committed, and recomputes the tree. It names the first position where the
two disagree, and checks every checkpoint the ledger issued (and one an inspector brings) is
extended by the log as it stands.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.errors import IntegrityError, NotFoundError
from ledger.merkle import (
    InclusionProof,
    inclusion_proof,
    leaf_hash,
    root_from_proof,
)
from ledger.scan import scan_log
from ledger.signing import Checkpoint, sign_checkpoint
from ledger.tree_tables import stored_frontier, stored_node


@dataclass(frozen=True)
class Verified:
    """What a verification covered."""

    tree_size: int
    log_position: int
    root: bytes
    checkpoints: int  # how many signed checkpoints the log was shown to extend


def verify(
    recorder: Any, brought: Checkpoint | None = None, trusted_key: bytes | None = None
) -> Verified:
    """Recompute the tree from the stored events; raise IntegrityError naming the first bad
    position, or a checkpoint the log no longer extends."""
    with recorder.snapshot() as connection:
        checkpoints = stored_checkpoints(connection.cursor())
        if brought is not None and brought not in checkpoints:
            checkpoints.append(brought)
        for checkpoint in checkpoints:
            checkpoint.check_signature(trusted_key)
        wanted = {checkpoint.tree_size for checkpoint in checkpoints}
        size, roots, last_position = scan_log(connection, recorder.log, wanted)
        stored_root = stored_frontier(connection.cursor(), size).root()
    root = roots[size][0]
    if stored_root != root:
        raise IntegrityError(
            "the integrity tree's stored nodes do not match its leaves: the tree was altered"
        )
    for checkpoint in checkpoints:
        _check_extends(checkpoint, size, roots)
    return Verified(size, last_position, root, len(checkpoints))


def _check_extends(checkpoint: Checkpoint, size: int, roots: dict[int, tuple[bytes, int]]) -> None:
    when = checkpoint.created_at
    if checkpoint.tree_size > size:
        raise IntegrityError(
            f"position {checkpoint.log_position}: the log was truncated: the checkpoint of "
            f"{when} covers {checkpoint.tree_size} events, the log now holds {size}"
        )
    if checkpoint.tree_size == 0:
        return
    root, position = roots[checkpoint.tree_size]
    if root.hex() != checkpoint.root or position != checkpoint.log_position:
        raise IntegrityError(
            f"the log no longer extends the checkpoint of {when} ({checkpoint.tree_size} "
            f"events up to position {checkpoint.log_position}): that history was rewritten"
        )


def stored_checkpoints(cursor: Any) -> list[Checkpoint]:
    """The checkpoints this ledger issued, oldest first."""
    cursor.execute(
        "SELECT tree_size, log_position, root, created_at, public_key, signature "
        "FROM integrity_checkpoints ORDER BY tree_size"
    )
    rows = cursor.fetchall()
    return [
        Checkpoint(size, position, bytes(root).hex(), created, bytes(key).hex(), bytes(sig).hex())
        for size, position, root, created, key, sig in rows
    ]


def issue_checkpoint(recorder: Any, private_key: Any, through: int | None = None) -> Checkpoint:
    """Sign the tree as it stands (or as it stood at log position ``through``) and keep the
    checkpoint in the ledger."""
    with recorder.cursor(commit=True) as c:
        if through is None:
            c.execute("SELECT MAX(idx), MAX(position) FROM integrity_leaves")
        else:
            c.execute(
                "SELECT MAX(idx), MAX(position) FROM integrity_leaves WHERE position <= ?",
                (through,),
            )
        last, position = c.fetchone()
        size = 0 if last is None else last + 1
        c.execute("SELECT tree_size FROM integrity_checkpoints WHERE tree_size = ?", (size,))
        if c.fetchone() is not None:  # already signed at this size: the one kept is the one given
            return next(cp for cp in stored_checkpoints(c) if cp.tree_size == size)
        frontier = stored_frontier(c, size)
        position = position or 0
        checkpoint = sign_checkpoint(private_key, frontier.size, position, frontier.root())
        c.execute(
            "INSERT INTO integrity_checkpoints (tree_size, log_position, root, "
            "created_at, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)",
            (
                checkpoint.tree_size,
                checkpoint.log_position,
                bytes.fromhex(checkpoint.root),
                checkpoint.created_at,
                bytes.fromhex(checkpoint.public_key),
                bytes.fromhex(checkpoint.signature),
            ),
        )
    return checkpoint


def prove(recorder: Any, record_id: UUID, private_key: Any) -> dict[str, Any]:
    """Inclusion proofs of every event of one record against a checkpoint covering them all
    (the latest issued, or a new one): what ``check_proof`` needs, with no database."""
    with recorder.cursor(commit=False) as c:
        log = recorder.log
        c.execute(
            f"SELECT l.idx, e.{log.position}, e.originator_version, e.topic, e.state "
            f"FROM {log.name} e JOIN integrity_leaves l ON l.position = e.{log.position} "
            "WHERE e.originator_id = ? ORDER BY e.originator_version",
            (log.stored_id(record_id),),
        )
        events = c.fetchall()
        if not events:
            raise NotFoundError(f"no events of record {record_id.hex} in the integrity tree")
        c.execute("SELECT MAX(tree_size) FROM integrity_checkpoints")
        latest = c.fetchone()[0] or 0
    if latest <= events[-1][0]:
        checkpoint = issue_checkpoint(recorder, private_key)
    else:
        with recorder.cursor(commit=False) as c:
            checkpoint = stored_checkpoints(c)[-1]
    with recorder.cursor(commit=False) as c:
        proofs = [
            {
                "position": position,
                "version": version,
                "topic": topic,
                "state": base64.b64encode(bytes(state)).decode(),
                "leaf_index": index,
                "path": [
                    sibling.hex()
                    for sibling in inclusion_proof(
                        index, checkpoint.tree_size, lambda lvl, i: stored_node(c, lvl, i)
                    ).path
                ],
            }
            for index, position, version, topic, state in events
        ]
    return {"record_id": record_id.hex, "checkpoint": vars(checkpoint), "events": proofs}


def check_proof(document: dict[str, Any], trusted_key: bytes | None = None) -> Checkpoint:
    """Check a proof from ``prove`` offline; raise IntegrityError if any part fails."""
    try:
        checkpoint = Checkpoint.from_dict(document["checkpoint"], "proof")
        checkpoint.check_signature(trusted_key)
        record_id = UUID(document["record_id"])
        if not document["events"]:
            raise IntegrityError("the proof holds no events")
        for event in document["events"]:
            leaf = leaf_hash(
                event["position"],
                record_id,
                event["version"],
                event["topic"],
                base64.b64decode(event["state"]),
            )
            proof = InclusionProof(
                event["leaf_index"], checkpoint.tree_size, [bytes.fromhex(h) for h in event["path"]]
            )
            if root_from_proof(leaf, proof).hex() != checkpoint.root:
                raise IntegrityError(
                    f"position {event['position']}: the event is not in the checkpoint's tree"
                )
    except (KeyError, TypeError, ValueError) as error:
        raise IntegrityError(f"not a valid proof: {error}") from None
    return checkpoint
