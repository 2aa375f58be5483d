"""The Merkle tree against RFC 6962 §2.1's recursive definitions of MTH and PATH."""

from __future__ import annotations

import hashlib
from itertools import pairwise
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    InclusionProof,
    Node,
    frontier_nodes,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_proof,
)

PROPERTIES = settings(max_examples=40, deadline=None)


# --- RFC 6962 §2.1, written straight from the text -------------------------------------


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (the leaves here are already hashed entries)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = split_point(n)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf m."""
    n = len(leaves)
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


# --- helpers ------------------------------------------------------------------------------


def grown(leaves: list[bytes]) -> tuple[Frontier, dict[tuple[int, int], bytes]]:
    """A frontier fed every leaf, and the nodes it reported completing, by (level, index)."""
    frontier, nodes = Frontier(), list[Node]()
    for leaf in leaves:
        frontier.append(leaf, nodes)
    return frontier, {(level, index): value for level, index, value in nodes}


def lookup(stored: dict[tuple[int, int], bytes]):
    return lambda level, index: stored[(level, index)]


leaf_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=0, max_size=300)
nonempty_leaf_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=300)
distinct_leaf_lists = st.lists(
    st.binary(min_size=32, max_size=32), min_size=2, max_size=300, unique=True
)


# --- properties ---------------------------------------------------------------------------


def test_the_empty_tree_has_the_hash_of_the_empty_string() -> None:
    assert (Frontier().root(), EMPTY_ROOT) == (hashlib.sha256(b"").digest(),) * 2


@PROPERTIES
@given(leaf_lists)
def test_the_frontier_root_is_rfc_6962_mth(leaves: list[bytes]) -> None:
    frontier, _ = grown(leaves)

    assert (frontier.size, frontier.root()) == (len(leaves), mth(leaves))


@PROPERTIES
@given(leaf_lists, st.data())
def test_a_frontier_rebuilt_from_stored_nodes_has_the_same_root_and_grows_alike(
    leaves: list[bytes], data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(leaves)))
    _, stored = grown(leaves[:cut])
    resumed = Frontier(cut, [stored[node] for node in frontier_nodes(cut)])
    for leaf in leaves[cut:]:
        resumed.append(leaf)

    assert resumed.root() == mth(leaves)


@PROPERTIES
@given(nonempty_leaf_lists, st.data())
def test_every_inclusion_proof_is_rfc_6962_path_and_leads_to_the_root(
    leaves: list[bytes], data: st.DataObject
) -> None:
    _, stored = grown(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")

    proof = inclusion_proof(index, size, lookup(stored))

    assert (proof.path, root_from_proof(leaves[index], proof)) == (
        path(index, leaves[:size]),
        mth(leaves[:size]),
    )


@PROPERTIES
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40))
def test_the_proofs_of_all_leaves_of_small_trees_lead_to_the_root(leaves: list[bytes]) -> None:
    _, stored = grown(leaves)
    root = mth(leaves)

    assert all(
        root_from_proof(leaf, inclusion_proof(i, len(leaves), lookup(stored))) == root
        for i, leaf in enumerate(leaves)
    )


def leads_elsewhere(leaf: bytes, proof: InclusionProof, root: bytes) -> bool:
    """The proof fails: it is rejected as malformed, or leads to another root."""
    try:
        return root_from_proof(leaf, proof) != root
    except ValueError:
        return True


@PROPERTIES
@given(distinct_leaf_lists, st.data())
def test_a_proof_for_another_leaf_fails(leaves: list[bytes], data: st.DataObject) -> None:
    _, stored = grown(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    other = data.draw(st.integers(0, len(leaves) - 1).filter(lambda i: i != index))
    proof = inclusion_proof(index, len(leaves), lookup(stored))

    assert leads_elsewhere(leaves[other], proof, mth(leaves))


@PROPERTIES
@given(distinct_leaf_lists, st.data())
def test_a_proof_moved_to_another_index_fails(leaves: list[bytes], data: st.DataObject) -> None:
    _, stored = grown(leaves)
    size = len(leaves)
    index = data.draw(st.integers(0, size - 1))
    moved = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
    proof = inclusion_proof(index, size, lookup(stored))

    assert leads_elsewhere(leaves[index], InclusionProof(moved, size, proof.path), mth(leaves))


@PROPERTIES
@given(distinct_leaf_lists, st.data())
def test_a_proof_claimed_for_another_tree_size_fails(
    leaves: list[bytes], data: st.DataObject
) -> None:
    # Checked, as a verifier does, against the root of the tree of the size it claims.
    _, stored = grown(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    claimed = data.draw(st.integers(1, len(leaves)).filter(lambda s: s != size), label="claimed")
    index = data.draw(st.integers(0, min(size, claimed) - 1), label="index")
    proof = inclusion_proof(index, size, lookup(stored))

    assert leads_elsewhere(
        leaves[index], InclusionProof(index, claimed, proof.path), mth(leaves[:claimed])
    )


@PROPERTIES
@given(distinct_leaf_lists, st.data())
def test_a_proof_with_one_sibling_changed_fails(leaves: list[bytes], data: st.DataObject) -> None:
    _, stored = grown(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = inclusion_proof(index, len(leaves), lookup(stored))
    which = data.draw(st.integers(0, len(proof.path) - 1))
    bit = data.draw(st.integers(0, 255))
    siblings = list(proof.path)
    changed = bytearray(siblings[which])
    changed[bit // 8] ^= 1 << bit % 8
    siblings[which] = bytes(changed)

    assert leads_elsewhere(leaves[index], InclusionProof(index, len(leaves), siblings), mth(leaves))


@pytest.mark.parametrize(("index", "size"), [(-1, 5), (5, 5), (0, 0)])
def test_no_proof_is_given_for_a_leaf_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="not in a tree"):
        inclusion_proof(index, size, lambda level, i: b"")


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 100, 255, 256, 257])
def test_the_frontier_names_one_complete_subtree_per_bit_of_the_size(size: int) -> None:
    nodes = frontier_nodes(size)
    spans = [(index << level, (index + 1) << level) for level, index in nodes]

    assert (len(nodes), spans[0][0], spans[-1][1]) == (size.bit_count(), 0, size)
    assert all(a[1] == b[0] for a, b in pairwise(spans))


@PROPERTIES
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_a_leaf_and_a_node_over_the_same_bytes_differ(left: bytes, right: bytes) -> None:
    # A leaf's preimage begins 0x00, a node's 0x01: even bytes that parse as a leaf's fields
    # never hash as a node.
    state = left + right
    record = UUID(bytes=bytes(16))
    leaf = leaf_hash(0, record, 0, "", state)

    assert leaf != node_hash(left, right)
    assert hashlib.sha256(b"\x00" + left + right).digest() != node_hash(left, right)


def test_the_leaf_hash_covers_every_field_of_the_stored_event() -> None:
    record = UUID("12345678123456781234567812345678")
    base = leaf_hash(7, record, 3, "ledger.units:AdminUnit.Registered", b"state")

    variants = [
        leaf_hash(8, record, 3, "ledger.units:AdminUnit.Registered", b"state"),
        leaf_hash(7, UUID(int=record.int + 1), 3, "ledger.units:AdminUnit.Registered", b"state"),
        leaf_hash(7, record, 4, "ledger.units:AdminUnit.Registered", b"state"),
        leaf_hash(7, record, 3, "ledger.units:AdminUnit.Renamed", b"state"),
        leaf_hash(7, record, 3, "ledger.units:AdminUnit.Registered", b"statf"),
        # The topic's length is hashed, so bytes cannot move between topic and state.
        leaf_hash(7, record, 3, "ledger.units:AdminUnit.Registeredst", b"ate"),
    ]

    assert base not in variants
    assert leaf_hash(7, record.hex, 3, "ledger.units:AdminUnit.Registered", b"state") == base


@pytest.mark.parametrize("claimed", [4, 8, -4])
def test_a_proof_claiming_an_index_outside_the_tree_fails(claimed: int) -> None:
    leaves = [bytes([n]) * 32 for n in range(4)]
    _, stored = grown(leaves)
    proof = inclusion_proof(0, 4, lookup(stored))

    assert leads_elsewhere(leaves[0], InclusionProof(claimed, 4, proof.path), mth(leaves))
