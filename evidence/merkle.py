"""A Merkle tree over the chain hashes, RFC 6962 / RFC 9162 style, with inclusion proofs.

The hash chain alone proves an event belongs to the log only to someone who
replays the whole log. A Merkle root over every chain hash lets a pack carry a
short proof (about log2(n) hashes) that each of its events sits at its place in
a log of n events, checkable without the database. Leaves and nodes are
domain-separated (``0x00`` / ``0x01`` prefixes) so a node can never pass as a leaf.

``build`` reads the leaves once, in order, keeping O(log n) hashes plus
the few subtree roots the requested proofs need, so 10M leaves fit in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# -- the definition (RFC 6962 §2.1), on a list: small trees and tests ----------------------------

def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]): the root over raw leaf data; SHA-256 of nothing for no leaves."""
    n = len(leaves)
    if n == 0:
        return _sha256(b"").digest()
    if n == 1:
        return leaf_hash(leaves[0])
    k = _split(n)
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def proof_of(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index``, bottom up."""
    n = len(leaves)
    if not 0 <= index < n:
        raise IndexError(f"leaf {index} is outside a tree of {n} leaves")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*proof_of(leaves[:k], index), root_of(leaves[k:])]
    return [*proof_of(leaves[k:], index - k), root_of(leaves[:k])]


# -- streaming: one pass over the leaves --------------------------------------------------------

def _path_ranges(index: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The leaf ranges [a, b) whose roots form the audit path of ``index`` in [lo, hi)."""
    out: list[tuple[int, int]] = []
    while hi - lo > 1:
        k = lo + _split(hi - lo)
        if index < k:
            out.append((k, hi))
            hi = k
        else:
            out.append((lo, k))
            lo = k
    return out[::-1]  # bottom up


@dataclass(frozen=True)
class Tree:
    """What one pass produced: the size, the root and the proofs asked for."""

    size: int
    root: bytes
    proofs: dict[int, list[bytes]]


def build(leaves: Iterable[bytes], size: int, indices: Iterable[int] = ()) -> Tree:
    """Root and audit paths of ``indices`` over ``size`` raw leaves read once, in order.

    The size must be known up front (the chain head's seq) so the subtrees a
    proof needs are known before the leaves arrive; a different count raises.
    """
    wanted_idx = sorted(set(indices))
    for i in wanted_idx:
        if not 0 <= i < size:
            raise IndexError(f"leaf {i} is outside a tree of {size} leaves")
    paths = {i: _path_ranges(i, 0, size) for i in wanted_idx}
    wanted = {r for path in paths.values() for r in path}
    found: dict[tuple[int, int], bytes] = {}
    stack: list[tuple[int, int, bytes]] = []  # (start, width, root) of full subtrees
    push, pop, sha = stack.append, stack.pop, _sha256
    n = 0
    for leaf in leaves:
        start, width, h = n, 1, sha(b"\x00" + leaf).digest()
        n += 1
        if wanted and (start, n) in wanted:
            found[(start, n)] = h
        while stack and stack[-1][1] == width:
            start, _, left = pop()
            h = sha(b"\x01" + left + h).digest()
            width <<= 1
            if wanted and (start, n) in wanted:
                found[(start, n)] = h
        push((start, width, h))
    if n != size:
        raise ValueError(f"expected {size} leaves, read {n}")
    if not stack:
        return Tree(0, sha(b"").digest(), {})
    # the right edge: the roots of the full subtrees folded from the right, e.g. [k, n)
    start, _, root = stack[-1]
    found[(start, n)] = root
    for start, _, left in reversed(stack[:-1]):
        root = node_hash(left, root)
        found[(start, n)] = root
    return Tree(n, root, {i: [found[r] for r in path] for i, path in paths.items()})


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes],
                     root: bytes) -> bool:
    """True when ``path`` proves raw ``leaf`` is leaf ``index`` of the tree of ``size`` with
    ``root`` (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root
