"""The Merkle tree's tables (``ledger.merkle``): a leaf per event, the roots of large complete
subtrees, and signed checkpoints; read and appended in the caller's transaction, through a cursor
in SQLite's dialect (``?`` placeholders, tuple rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from ledger.errors import IntegrityError
from ledger.merkle import (
    STORED_LEVEL,
    Frontier,
    Node,
    complete_root,
    frontier_nodes,
    leaf_hash,
)

TREE_TABLES = (
    # Leaf i covers the i-th event of the log, at ``position``.
    "CREATE TABLE IF NOT EXISTS integrity_leaves "
    "(idx INTEGER PRIMARY KEY, position INTEGER NOT NULL UNIQUE, hash BLOB NOT NULL)",
    # The root of every complete subtree of 2**STORED_LEVEL leaves or more.
    "CREATE TABLE IF NOT EXISTS integrity_nodes "
    "(level INTEGER, idx INTEGER, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
    # Signed checkpoints the ledger has issued (antq audit digest, exports, proofs).
    "CREATE TABLE IF NOT EXISTS integrity_checkpoints "
    "(tree_size INTEGER PRIMARY KEY, log_position INTEGER NOT NULL, root BLOB NOT NULL, "
    "created_at TEXT NOT NULL, public_key BLOB NOT NULL, signature BLOB NOT NULL)",
)


def tree_size(c: Any) -> int:
    """How many leaves the stored tree has."""
    c.execute("SELECT MAX(idx) FROM integrity_leaves")
    last = c.fetchone()[0]
    return 0 if last is None else last + 1


def stored_node(c: Any, level: int, index: int) -> bytes:
    """A complete subtree's root (a leaf at level 0): stored, or recomputed from its leaves
    below ``STORED_LEVEL``."""
    if 0 < level < STORED_LEVEL:
        first = index << level
        c.execute(
            "SELECT hash FROM integrity_leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
            (first, first + (1 << level)),
        )
        leaves = [bytes(row[0]) for row in c.fetchall()]
        found = complete_root(leaves) if len(leaves) == 1 << level else None
    else:
        if level == 0:
            c.execute("SELECT hash FROM integrity_leaves WHERE idx = ?", (index,))
        else:
            c.execute(
                "SELECT hash FROM integrity_nodes WHERE level = ? AND idx = ?", (level, index)
            )
        row = c.fetchone()
        found = None if row is None else bytes(row[0])
    if found is None:
        raise IntegrityError(
            f"the integrity tree lacks node {level}/{index}: run antq audit verify"
        )
    return found


def stored_frontier(c: Any, size: int | None = None) -> Frontier:
    """The stored tree (of ``size`` leaves, by default all of it), ready to grow or give its
    root: in two queries, the stored nodes it needs and the leaves after the last of them."""
    size = tree_size(c) if size is None else size
    wanted = frontier_nodes(size)
    found: dict[tuple[int, int], bytes] = {}
    large = [node for node in wanted if node[0] >= STORED_LEVEL]
    if large:
        c.execute(
            "SELECT level, idx, hash FROM integrity_nodes WHERE "
            + " OR ".join(["(level = ? AND idx = ?)"] * len(large)),
            [part for node in large for part in node],
        )
        found.update(((level, index), bytes(value)) for level, index, value in c.fetchall())
    tail = size >> STORED_LEVEL << STORED_LEVEL  # the first leaf under no stored node
    if tail < size:
        c.execute("SELECT idx, hash FROM integrity_leaves WHERE idx >= ? AND idx < ?", (tail, size))
        leaves = {index: bytes(value) for index, value in c.fetchall()}
        for level, index in wanted[len(large) :]:
            block = [leaves.get(i) for i in range(index << level, (index + 1) << level)]
            if None not in block:
                found[level, index] = complete_root(block)  # type: ignore[arg-type]
    for level, index in wanted:
        if (level, index) not in found:
            raise IntegrityError(
                f"the integrity tree lacks node {level}/{index}: run antq audit verify"
            )
    return Frontier(size, [found[node] for node in wanted])


def insert_rows(
    c: Any, table: str, columns: Sequence[tuple[str, str]], rows: Iterable[Any]
) -> None:
    """Insert ``rows`` into ``table``'s ``columns`` (name, PostgreSQL type): one statement run
    for each row, which is what SQLite does fastest."""
    names, marks = ", ".join(name for name, _ in columns), ", ".join("?" * len(columns))
    c.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


InsertRows = Callable[[Any, str, Sequence[tuple[str, str]], Iterable[Any]], None]
LEAF_COLUMNS = (("idx", "bigint"), ("position", "bigint"), ("hash", "bytea"))
NODE_COLUMNS = (("level", "integer"), ("idx", "bigint"), ("hash", "bytea"))


def append_to_tree(
    c: Any,
    events: Sequence[tuple[UUID | str, int, str, bytes]],
    positions: Sequence[int],
    insert: InsertRows = insert_rows,
) -> None:
    """Add a leaf for each new event (record id, version, topic, state) at its position, and
    the stored nodes the leaves complete, in the caller's write transaction (rows written with
    ``insert``, the storage's fastest way)."""
    frontier = stored_frontier(c)
    frontier.collect_from = STORED_LEVEL
    first = frontier.size
    hashes = [
        leaf_hash(position, record_id, version, topic, state)
        for (record_id, version, topic, state), position in zip(events, positions, strict=True)
    ]
    nodes: list[Node] = []
    frontier.extend(hashes, nodes)
    leaves = zip(range(first, first + len(hashes)), positions, hashes, strict=True)
    insert(c, "integrity_leaves", LEAF_COLUMNS, leaves)
    if nodes:
        insert(c, "integrity_nodes", NODE_COLUMNS, nodes)
