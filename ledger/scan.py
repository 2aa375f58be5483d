"""The verifying scan of the log: every stored event beside the leaf the ledger wrote for it,
recomputed and compared, with the stored nodes above them.

The connection is an ``sqlite3`` one, or one that speaks its dialect (``ledger.postgres``). A
long log in an SQLite file is scanned in two processes: the first ``2**k`` leaves (the largest
power of two in the tree, a complete subtree) here, the rest in a worker. The tree's root is then
the first part's root followed by the second part's subtree roots, as RFC 6962 splits it.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import struct
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from ledger.errors import IntegrityError
from ledger.merkle import STORED_LEVEL, Frontier, Node, fold, raw_leaf_hash
from ledger.recorder import LogTable

SCAN_BATCH = 10_000
PARALLEL_FROM = 1 << 17  # leaves; below this a second process costs more than it saves


@dataclass(frozen=True)
class Scanned:
    """What one part of the scan found: its leaves' count and subtree roots, and the subtree
    roots (with the last position) at each wanted tree size that falls in it."""

    size: int
    hashes: list[bytes]
    wanted: dict[int, tuple[list[bytes], int]]
    last_position: int


def scan_log(
    connection: Any, log: LogTable, wanted: set[int]
) -> tuple[int, dict[int, tuple[bytes, int]], int]:
    """Scan the whole log in ``connection``'s snapshot; return the tree size, the (root, last
    position) at each wanted size and at the full size, and the last position. Raises
    IntegrityError naming the first bad position."""
    (leaves,) = connection.execute("SELECT COUNT(*) FROM integrity_leaves").fetchone()
    (head,) = connection.execute(f"SELECT MAX({log.position}) FROM {log.name}").fetchone()
    in_file = isinstance(connection, sqlite3.Connection)
    split = 1 << (leaves.bit_length() - 1) if leaves >= PARALLEL_FROM and in_file else 0
    boundary = connection.execute(
        "SELECT position FROM integrity_leaves WHERE idx = ?", (split,)
    ).fetchone()
    if not split or boundary is None:
        parts = [scan_part(connection, log, 0, 0, head or 0, wanted)]
    else:
        path = connection.execute("PRAGMA database_list").fetchone()[2]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            rest = pool.submit(_scan_in_worker, path, log, split, boundary[0] - 1, head, wanted)
            try:
                first = scan_part(connection, log, 0, 0, boundary[0] - 1, wanted)
            except IntegrityError:
                rest.cancel()
                raise
            if first.size != split:  # the first part's last events are gone
                _missing(connection, first.size)
            parts = [first, rest.result()]
    size = parts[-1].size if len(parts) == 1 else split + parts[1].size
    extra = connection.execute(
        "SELECT position FROM integrity_leaves WHERE idx = ?", (size,)
    ).fetchone()
    if extra is not None:
        raise IntegrityError(f"position {extra[0]}: the event is missing (deleted)")
    before: list[bytes] = []
    roots: dict[int, tuple[bytes, int]] = {}
    for part in parts:
        for wanted_size, (hashes, position) in part.wanted.items():
            roots[wanted_size] = (fold(before + hashes), position)
        before += part.hashes
    last_position = max((p.last_position for p in parts), default=0)
    roots[size] = (fold(before), last_position)
    return size, roots, last_position


def _scan_in_worker(
    path: str, log: LogTable, first_leaf: int, after: int, through: int, wanted: set[int]
) -> Scanned:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return scan_part(connection, log, first_leaf, after, through, wanted)
    finally:
        connection.close()


def scan_part(
    connection: Any,
    log: LogTable,
    first_leaf: int,
    after: int,
    through: int,
    wanted: set[int],
) -> Scanned:
    """Check the events after position ``after`` through ``through``, which must be the leaves
    from ``first_leaf`` on (a multiple of a power of two above the part's size)."""
    at = f"e.{log.position}"
    cursor = connection.execute(
        f"SELECT {at}, e.originator_id, e.originator_version, e.topic, e.state, l.idx, l.hash "
        f"FROM {log.name} e LEFT JOIN integrity_leaves l ON l.position = {at} "
        f"WHERE {at} > ? AND {at} <= ? ORDER BY {at}",
        (after, through),
    )
    frontier = Frontier(collect_from=STORED_LEVEL)
    found: dict[int, tuple[list[bytes], int]] = {}
    nodes: list[Node] = []  # stored-level nodes recomputed, compared after each batch
    position, id_bytes = after, log.id_bytes
    while batch := cursor.fetchmany(SCAN_BATCH):
        expected = first_leaf + frontier.size
        leaves = []
        for position, record_id, version, topic, state, index, stored in batch:
            if index != expected:
                _explain_gap(connection, position, index, expected)
            try:
                leaf = raw_leaf_hash(position, id_bytes(record_id), version, topic, state)
            except (TypeError, ValueError, AttributeError, struct.error):
                leaf = None  # a column that is not even of its type
            if leaf != stored:
                raise IntegrityError(
                    f"position {position}: the stored event's bytes differ from those the "
                    "ledger committed (changed or moved)"
                )
            leaves.append(leaf)
            expected += 1
        start = first_leaf + frontier.size
        for size in sorted(n for n in wanted if start < n <= expected):
            frontier.extend(leaves[first_leaf + frontier.size - start : size - start], nodes)
            found[size] = (frontier.hashes(), batch[size - start - 1][0])
        frontier.extend(leaves[first_leaf + frontier.size - start :], nodes)
        _compare_nodes(connection, nodes, first_leaf)
    return Scanned(frontier.size, frontier.hashes(), found, position)


def _explain_gap(connection: Any, position: int, index: int | None, expected: int) -> None:
    """The event at ``position`` is not the next leaf's: say which event is missing or extra."""
    if index is None or index < expected:
        raise IntegrityError(
            f"position {position}: an event the integrity tree does not cover "
            "(written around the ledger)"
        )
    _missing(connection, expected, position)


def _missing(connection: Any, leaf: int, otherwise: int | None = None) -> None:
    row = connection.execute("SELECT position FROM integrity_leaves WHERE idx = ?", (leaf,))
    (position,) = row.fetchone() or (otherwise,)
    raise IntegrityError(f"position {position}: the event is missing (deleted)")


def _compare_nodes(connection: Any, nodes: list[Node], first_leaf: int) -> None:
    """Check the stored nodes against the recomputed ones (numbered from ``first_leaf``; the
    leaves are checked one by one already), then forget them."""
    by_level: dict[int, list[tuple[int, bytes]]] = {}
    for level, index, value in nodes:
        by_level.setdefault(level, []).append(((first_leaf >> level) + index, value))
    nodes.clear()
    for level, computed in by_level.items():
        stored = dict(
            connection.execute(
                "SELECT idx, hash FROM integrity_nodes WHERE level = ? AND idx BETWEEN ? AND ?",
                (level, computed[0][0], computed[-1][0]),
            ).fetchall()
        )
        for index, value in computed:
            if stored.get(index) != value:
                first = index << level
                raise IntegrityError(
                    f"the integrity tree's node {level}/{index} (over the leaves from "
                    f"{first + 1} to {first + (1 << level)}) was altered or removed"
                )
