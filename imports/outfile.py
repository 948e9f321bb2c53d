"""``import --out``: the converted events written as JSON Lines instead of stored.

For a look before storing, or to hand to another system: the file holds the
events of the spec, one a line, with the ids an import would store, so a later
``skillaudit ingest`` of it and an import of the sheets store the same events
once. Rows that could not be converted go beside it, one JSON object a line in
the form ``quarantine export`` writes, so none is lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from engine.chain import EMPTY_HEAD, ChainHead
from engine.parse import NewEvent
from engine.quarantine import QuarantineEntry
from engine.rowformats import row_view
from engine.store.base import AppendResult


def rejected_path(out: str | Path) -> Path:
    """``events.jsonl`` → ``events.rejected.jsonl``."""
    p = Path(out)
    stem = p.name[: -len(".jsonl")] if p.name.endswith(".jsonl") else p.stem
    return p.with_name(stem + ".rejected.jsonl")


class JsonlOut:
    """Takes ``append`` like a store and writes the events to a file instead."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.rejected = rejected_path(path)
        self._events: IO[bytes] = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        self._bad: IO[str] | None = None
        self._ids: set[str] = set()
        self._count = 0

    def append(self, events: Sequence[NewEvent], quarantine: Sequence[QuarantineEntry] = ()
               ) -> AppendResult:
        result = AppendResult()
        for e in events:
            if e.event_id in self._ids:
                result.duplicates += 1
                continue
            self._ids.add(e.event_id)
            self._events.write(e.state + b"\n")
            result.stored += 1
        for q in quarantine:
            if self._bad is None:
                self._bad = open(self.rejected, "w", encoding="utf-8")  # noqa: SIM115
            record = {"source": q.source, "line": q.line_no, "reason": str(q.reason),
                      "message": q.message, **row_view(q.raw)}
            self._bad.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            result.quarantined += 1
        self._count += result.stored
        result.head = self.head()
        return result

    def head(self) -> ChainHead:
        """No chain: a file of events is not the log (its ``seq`` counts the events written)."""
        return ChainHead(self._count, EMPTY_HEAD.hash, 0)

    def refresh_statistics(self) -> None:
        return None

    def close(self) -> None:
        self._events.close()
        if self._bad is not None:
            self._bad.close()
