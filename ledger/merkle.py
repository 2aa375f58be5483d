"""The ledger's Merkle tree over its global log, as in RFC 6962 (Certificate Transparency).

Leaf ``i`` covers the ``i``-th stored event (0-based, in log order) exactly as stored: its
position, record id, version, topic and state bytes (ciphertext where encrypted). Leaves and
nodes are domain-separated, so a leaf can never pass for a node::

    leaf = SHA-256(0x00 || position (8 bytes, big-endian) || record id (16 bytes)
                   || version (8 bytes, big-endian) || topic length (2 bytes) || topic (UTF-8)
                   || state)
    node = SHA-256(0x01 || left || right)

The root of ``n`` leaves splits at the largest power of two below ``n`` (RFC 6962 §2.1). The
ledger stores every leaf, and the root of every complete subtree of ``2**STORED_LEVEL`` leaves or
more ("node ``(level, index)``" covers leaves ``index * 2**level`` up to
``(index + 1) * 2**level``); a node below that level is recomputed from at most 128 leaves. So an
inclusion proof reads a few dozen rows, and the tree costs a stored event one extra row.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

Node = tuple[int, int, bytes]  # (level, index, hash)
STORED_LEVEL = 8  # interior nodes are stored from this level up
_sha256 = hashlib.sha256


_LEAF_HEAD = struct.Struct(">cQ16sQH")  # 0x00, position, record id, version, topic length


def leaf_hash(
    position: int, record_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    """The hash of one stored event, as the tree's leaf. Raises ValueError (or struct.error,
    TypeError) for a value that could not have been stored."""
    raw_id = record_id.bytes if isinstance(record_id, UUID) else bytes.fromhex(record_id)
    return raw_leaf_hash(position, raw_id, version, topic, state)


def raw_leaf_hash(position: int, raw_id: bytes, version: int, topic: str, state: bytes) -> bytes:
    """``leaf_hash`` of a record id given as its 16 bytes."""
    if len(raw_id) != 16:
        raise ValueError(f"record id {raw_id.hex()} is not 16 bytes")
    name = topic.encode()
    return _sha256(
        _LEAF_HEAD.pack(b"\x00", position, raw_id, version, len(name)) + name + state
    ).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = _sha256(b"").digest()  # the root of a tree with no leaves (RFC 6962)


def frontier_nodes(size: int) -> list[tuple[int, int]]:
    """The (level, index) of the complete subtrees that make up a tree of ``size`` leaves,
    left to right (one per bit set in ``size``)."""
    nodes, offset = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, offset >> level))
            offset += 1 << level
    return nodes


class Frontier:
    """The roots of the complete subtrees of a growing tree: enough to append leaves and to
    compute the root, in memory that grows with the log's logarithm only."""

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = (), collect_from: int = 0) -> None:
        """A tree of ``size`` leaves whose frontier hashes are ``hashes``; ``append`` collects
        the nodes it completes from level ``collect_from`` up (0: the leaf too)."""
        self.size = size
        self.collect_from = collect_from
        levels = [level for level, _ in frontier_nodes(size)]
        self._stack: list[tuple[int, bytes]] = list(zip(levels, hashes, strict=True))

    def append(self, leaf: bytes, new_nodes: list[Node] | None = None) -> None:
        """Add the next leaf; with ``new_nodes``, also collect the nodes it completes."""
        self.extend((leaf,), new_nodes)

    def extend(self, leaves: Iterable[bytes], new_nodes: list[Node] | None = None) -> None:
        """Add the next leaves; with ``new_nodes``, also collect the nodes they complete."""
        stack, index, sha256 = self._stack, self.size, _sha256
        collect = -1 if new_nodes is None else self.collect_from
        for leaf in leaves:
            if collect == 0:
                new_nodes.append((0, index, leaf))  # type: ignore[union-attr]
            level, value = 0, leaf
            while stack and stack[-1][0] == level:
                value = sha256(b"\x01" + stack.pop()[1] + value).digest()  # node_hash, inlined
                level += 1
                if 0 <= collect <= level:
                    new_nodes.append((level, index >> level, value))  # type: ignore[union-attr]
            stack.append((level, value))
            index += 1
        self.size = index

    def root(self) -> bytes:
        """The tree's root hash (RFC 6962's Merkle Tree Hash)."""
        return fold(self.hashes())

    def hashes(self) -> list[bytes]:
        """The roots of its complete subtrees, left to right."""
        return [value for _, value in self._stack]


def fold(subtrees: list[bytes]) -> bytes:
    """The root of a tree given the roots of its complete subtrees, left to right."""
    if not subtrees:
        return EMPTY_ROOT
    value = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        value = node_hash(left, value)
    return value


@dataclass(frozen=True)
class InclusionProof:
    """That leaf ``index`` is in the tree of ``size`` leaves: the sibling hashes from the
    leaf up (RFC 6962 §2.1.1's audit path)."""

    index: int
    size: int
    path: list[bytes]


def inclusion_proof(index: int, size: int, node: Callable[[int, int], bytes]) -> InclusionProof:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves, reading stored
    complete-subtree roots through ``node(level, index)``."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    return InclusionProof(index, size, _path(index, 0, size, node))


def _path(index: int, start: int, size: int, node: Callable[[int, int], bytes]) -> list[bytes]:
    """Audit path of leaf ``index`` within the subtree of leaves [start, start + size)."""
    if size == 1:
        return []
    split = 1 << (size - 1).bit_length() - 1  # the largest power of two below size
    if index < start + split:
        return [*_path(index, start, split, node), _subtree(start + split, size - split, node)]
    return [*_path(index, start + split, size - split, node), _subtree(start, split, node)]


def complete_root(leaves: list[bytes]) -> bytes:
    """The root of a complete subtree, from its leaves (a power of two of them)."""
    level = leaves
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _subtree(start: int, size: int, node: Callable[[int, int], bytes]) -> bytes:
    """The root of leaves [start, start + size), from stored complete subtrees."""
    return fold([node(level, (start >> level) + index) for level, index in frontier_nodes(size)])


def root_from_proof(leaf: bytes, proof: InclusionProof) -> bytes:
    """The root a proof leads to from ``leaf`` (RFC 9162 §2.1.3.2); equal to the signed root
    exactly when the leaf is in that tree at that index."""
    if not 0 <= proof.index < proof.size:
        raise ValueError(f"leaf {proof.index} is not in a tree of {proof.size} leaves")
    index, last, value = proof.index, proof.size - 1, leaf
    for sibling in proof.path:
        if last == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if index & 1 or index == last:
            value = node_hash(sibling, value)
            if not index & 1:
                while index and not index & 1:
                    index, last = index >> 1, last >> 1
        else:
            value = node_hash(value, sibling)
        index, last = index >> 1, last >> 1
    if last != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return value
