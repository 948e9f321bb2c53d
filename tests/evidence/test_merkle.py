"""The Merkle tree: the streaming builder agrees with RFC 6962's definition; proofs bind."""

from __future__ import annotations

import hashlib

import pytest

from evidence import merkle


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]


def test_known_roots() -> None:
    """Small trees written out by hand from the definition."""
    a, b, c = leaves(3)
    la, lb, lc = (merkle.leaf_hash(x) for x in (a, b, c))
    assert la == hashlib.sha256(b"\x00" + a).digest()
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()
    assert merkle.root_of([a]) == la
    assert merkle.root_of([a, b]) == hashlib.sha256(b"\x01" + la + lb).digest()
    assert merkle.root_of([a, b, c]) == merkle.node_hash(merkle.node_hash(la, lb), lc)


@pytest.mark.parametrize("n", [*range(1, 34), 64, 65, 100])
def test_streamed_root_and_every_proof_match_the_definition(n: int) -> None:
    data = leaves(n)
    tree = merkle.build(iter(data), n, range(n))
    assert tree.size == n and tree.root == merkle.root_of(data)
    for i in range(n):
        assert tree.proofs[i] == merkle.proof_of(data, i)
        assert merkle.verify_inclusion(data[i], i, n, tree.proofs[i], tree.root)


def test_wrong_proofs_are_rejected() -> None:
    n = 13
    data = leaves(n)
    tree = merkle.build(iter(data), n, range(n))
    other = hashlib.sha256(b"forged").digest()
    for i in range(n):
        path = tree.proofs[i]
        assert not merkle.verify_inclusion(other, i, n, path, tree.root)  # another leaf
        assert not merkle.verify_inclusion(data[i], (i + 1) % n, n, path, tree.root)  # wrong place
        assert not merkle.verify_inclusion(data[i], i, n, path[:-1], tree.root)  # too short
        assert not merkle.verify_inclusion(data[i], i, n, [*path, other], tree.root)  # too long
        for k in range(len(path)):
            bent = [*path[:k], other, *path[k + 1:]]
            assert not merkle.verify_inclusion(data[i], i, n, bent, tree.root)
        assert not merkle.verify_inclusion(data[i], i, n, path, other)  # another root
    assert not merkle.verify_inclusion(data[0], n, n, tree.proofs[0], tree.root)


def test_a_different_leaf_count_is_refused() -> None:
    with pytest.raises(ValueError, match="expected 5 leaves, read 4"):
        merkle.build(iter(leaves(4)), 5)
    with pytest.raises(IndexError):
        merkle.build(iter(leaves(4)), 4, [4])
