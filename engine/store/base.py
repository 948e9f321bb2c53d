"""What skillaudit's log adds to an ``eventsourcing`` application recorder.

The concrete stores (``sqlite.py``, ``postgres.py``) subclass the library's
own application recorders, so the library's recorder test cases run against
them, and add: idempotent batch append keyed by the spec's ``event_id``, the
SHA-256 chain written under the recorder's insert lock, chain verification,
the quarantine table, and reads by position or recording time.

Nothing here updates or deletes a stored event; the tables carry triggers
that refuse it, so only someone bypassing the store can, and ``verify`` then
names the first event that was touched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.chain import EMPTY_HEAD, ChainHead, ChainProblem, VerifyResult, link
from engine.parse import NewEvent
from engine.quarantine import QuarantinedLine, QuarantineEntry, Reason

ROW_COLUMNS = (
    "originator_id, originator_version, topic, state, event_id, recorded_at, chain_seq, chain_hash"
)

VERSION_CACHE_MAX = 1_000_000  # streams whose head version a writer remembers (bounds memory)


class StoreError(Exception):
    """A store operation failed in a way the user must act on (message says how)."""


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One stored event with its place in the global order and in the chain."""

    position: int
    stream: str
    version: int
    topic: str
    state: bytes
    event_id: str | None
    recorded_at_us: int | None
    chain_seq: int
    chain_hash: bytes


@dataclass
class AppendResult:
    """What one append did: stored, skipped as already stored, and rejected lines kept."""

    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    quarantine_known: int = 0
    conflicts: list[QuarantineEntry] = field(default_factory=list)
    head: ChainHead = EMPTY_HEAD


def chain_rows(
    head: ChainHead, rows: Sequence[tuple[str, int, str, bytes, str | None, int | None]]
) -> tuple[list[tuple[Any, ...]], ChainHead]:
    """Attach ``chain_seq`` and ``chain_hash`` to rows in insert order, starting after ``head``."""
    out: list[tuple[Any, ...]] = []
    seq, prev = head.seq, head.hash
    for stream, version, topic, state, event_id, recorded in rows:
        seq += 1
        prev = link(prev, seq, stream, version, topic, event_id, recorded, state)
        out.append((stream, version, topic, state, event_id, recorded, seq, prev))
    return out, ChainHead(seq, prev, head.position + len(out))


def conflict_entry(e: NewEvent) -> QuarantineEntry:
    """A re-sent event id with different content: kept for review, never stored twice."""
    return QuarantineEntry(
        source=e.source or "(unknown)", line_no=e.line_no, raw=e.state,
        reason=Reason.CONFLICTING_DUPLICATE,
        message=f"event_id {e.event_id!r} is already stored with different content; the "
                "stored event is kept and this version is quarantined for review",
    )


class EventStore(ABC):
    """The log: one global order, streams by subject, idempotent by ``event_id``, chained."""

    url: str

    @abstractmethod
    def append(
        self, events: Sequence[NewEvent], quarantine: Sequence[QuarantineEntry] = ()
    ) -> AppendResult:
        """Store new events and quarantine entries atomically; known event ids are skipped."""

    @abstractmethod
    def head(self) -> ChainHead:
        """The chain head: ``EMPTY_HEAD`` when the store holds no events."""

    @abstractmethod
    def read(self, after: int = 0, limit: int = 10_000, upto: int | None = None) -> list[StoredRow]:
        """Stored events with position > ``after`` (and <= ``upto``) in global order."""

    @abstractmethod
    def count_by_type(self) -> dict[str, int]:
        """Number of stored events of each type (empty dict for an empty store)."""

    @abstractmethod
    def find_seq(self, seq: int) -> int | None:
        """The position of the row holding chain position ``seq``, or None."""

    @abstractmethod
    def position_recorded_by(self, recorded_before_us: int) -> int:
        """The highest position of an event recorded at or before the time (0 if none)."""

    @abstractmethod
    def quarantine_list(self, status: str | None = "open") -> list[QuarantinedLine]:
        """Quarantined lines, oldest first; ``status=None`` lists every line."""

    @abstractmethod
    def quarantine_mark(self, entry_id: int, *, resolved_event_id: str | None,
                        message: str | None = None) -> None:
        """Record a retry: resolved by an event id, or still failing with a new message."""

    @abstractmethod
    def quarantine_count(self) -> int:
        """Open quarantine lines."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def iter_rows(self, after: int = 0, upto: int | None = None,
                  batch: int = 20_000) -> Iterator[list[StoredRow]]:
        """Every stored event after ``after`` in global order, in batches (memory bounded)."""
        while True:
            rows = self.read(after, batch, upto)
            if not rows:
                return
            yield rows
            after = rows[-1].position

    def verify(self, progress: Callable[[int], None] | None = None,
               expect_head: str | None = None) -> VerifyResult:
        """Recompute the chain from the first event; name the first one that does not fit."""
        seq, prev, checked, last_pos = 0, EMPTY_HEAD.hash, 0, 0
        for rows in self.iter_rows():
            for r in rows:
                expected_seq = seq + 1
                if r.chain_seq != expected_seq:
                    problem = self._seq_problem(r, expected_seq)
                    return VerifyResult(checked, ChainHead(seq, prev, last_pos), problem)
                digest = link(prev, r.chain_seq, r.stream, r.version, r.topic, r.event_id,
                              r.recorded_at_us, r.state)
                if digest != r.chain_hash:
                    return VerifyResult(checked, ChainHead(seq, prev, last_pos), ChainProblem(
                        r.position, r.event_id, "changed",
                        f"event {r.event_id or r.stream} at position {r.position} "
                        f"(chain #{r.chain_seq}) does not match its hash: its content was "
                        "changed after it was stored",
                    ))
                seq, prev, last_pos = r.chain_seq, digest, r.position
                checked += 1
            if progress:
                progress(checked)
        head = ChainHead(seq, prev, last_pos)
        if expect_head is not None and expect_head not in (head.hex, str(head)):
            return VerifyResult(checked, head, ChainProblem(
                last_pos, None, "head",
                f"the chain is consistent but its head {head} differs from the expected "
                f"{expect_head}: events were removed from or rewritten at the end",
            ))
        return VerifyResult(checked, head, None)

    def _seq_problem(self, r: StoredRow, expected_seq: int) -> ChainProblem:
        elsewhere = self.find_seq(expected_seq)
        name = r.event_id or r.stream
        if elsewhere is not None:
            return ChainProblem(
                r.position, r.event_id, "reordered",
                f"event {name} at position {r.position} holds chain #{r.chain_seq} but "
                f"#{expected_seq} was expected there (it is at position {elsewhere}): "
                "stored events were reordered",
            )
        return ChainProblem(
            r.position, r.event_id, "missing",
            f"chain #{expected_seq}..#{r.chain_seq - 1} missing before event {name} at "
            f"position {r.position}: stored events were deleted",
        )
