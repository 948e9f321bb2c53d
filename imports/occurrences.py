"""How many identical events came before each one in a file: the ``-n`` of its id.

Two identical check-ins in one sheet are two events, so the second's id gets
``-1``; counting them needs every event's content key seen so far. Kept as
Python ints in a set that would take about 60 bytes a row; kept here as sorted
arrays of 64-bit keys (numpy), 8 bytes a row, merged as they grow so that a
batch is looked up in a few vectorised searches. Exact: a key is the first 8
bytes of the event's SHA-256 content key, and only repeated keys are counted in
a dictionary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Occurrences:
    """The occurrence number of each event key of a file, batch after batch, in file order."""

    def __init__(self) -> None:
        self.levels: list[np.ndarray] = []  # sorted, distinct; sizes shrinking down the list
        self.counts: dict[int, int] = {}  # keys seen twice or more: the last number given

    def number(self, keys: Sequence[bytes]) -> list[int]:
        """For each key (in order), how many earlier keys of the file are the same."""
        if not keys:
            return []
        batch = np.frombuffer(b"".join(k[:8] for k in keys), dtype=">u8").astype(np.uint64)
        seen = np.zeros(len(batch), dtype=bool)
        for level in self.levels:
            at = np.searchsorted(level, batch)
            at[at == len(level)] = 0
            seen |= level[at] == batch
        _, inverse, counts = np.unique(batch, return_inverse=True, return_counts=True)
        out = [0] * len(keys)
        here: set[int] = set()
        for i in np.flatnonzero(seen | (counts[inverse] > 1)).tolist():
            k = int(batch[i])
            if k in self.counts:
                n = self.counts[k] + 1
            elif seen[i] or k in here:
                n = 1
            else:
                here.add(k)  # the first of its kind in the file
                continue
            self.counts[k] = out[i] = n
        self._add(np.unique(batch[~seen]))  # each key kept once, in one level
        return out

    def _add(self, distinct: np.ndarray) -> None:
        if not len(distinct):
            return
        self.levels.append(distinct)
        while len(self.levels) > 1 and len(self.levels[-2]) <= 2 * len(self.levels[-1]):
            top = self.levels.pop()
            self.levels[-1] = np.union1d(self.levels[-1], top)
