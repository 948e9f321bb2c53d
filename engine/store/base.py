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

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from engine.chain import (
    EMPTY_HEAD,
    LINK,
    ChainHead,
    ChainProblem,
    VerifyResult,
    content_digest,
    link,
)
from engine.errors import SkillauditError
from engine.parse import NewEvent
from engine.quarantine import QuarantinedLine, QuarantineEntry, Reason

ROW_COLUMNS = (
    "originator_id, originator_version, topic, state, event_id, recorded_at, chain_seq, chain_hash"
)

VERSION_CACHE_MAX = 1_000_000  # streams whose head version a writer remembers (bounds memory)


class StoreError(SkillauditError):
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


class DuplicateEventId(Exception):
    """An insert hit the unique event id: the batch must be checked against the store."""


Row = tuple[str, int, str, bytes, str | None, int | None, int, bytes]
"""originator_id, originator_version, topic, state, event_id, recorded_at, chain_seq, chain_hash"""


def chain_rows(
    head: ChainHead, items: Sequence[tuple[str, int, str, bytes, str | None, int | None, bytes]]
) -> tuple[list[Row], ChainHead]:
    """Attach ``chain_seq`` and ``chain_hash`` to (…, content digest) items in insert order."""
    out: list[Row] = []
    seq, prev = head.seq, head.hash
    for stream, version, topic, state, event_id, recorded, digest in items:
        seq += 1
        prev = link(prev, seq, version, digest)
        out.append((stream, version, topic, state, event_id, recorded, seq, prev))
    return out, ChainHead(seq, prev, head.position + len(out))


def library_item(originator_id: str, s: Any) -> tuple[str, int, str, bytes, None, None, bytes]:
    """A chain item for an event saved through eventsourcing's own path (no event id)."""
    return (originator_id, s.originator_version, s.topic, s.state, None, None,
            content_digest(originator_id, s.topic, None, None, s.state))


def split_repeats(events: Sequence[NewEvent]) -> tuple[dict[str, NewEvent], list[NewEvent]]:
    """The first event of each id in a batch, and the later repeats of an id."""
    first: dict[str, NewEvent] = {}
    repeats: list[NewEvent] = []
    for e in events:
        if e[0] in first:
            repeats.append(e)
        else:
            first[e[0]] = e
    return first, repeats


def conflict_entry(e: NewEvent) -> QuarantineEntry:
    """A re-sent event id with different content: kept for review, never stored twice."""
    return QuarantineEntry(
        source=e.source or "(unknown)", line_no=e.line_no, raw=e.state,
        reason=Reason.CONFLICTING_DUPLICATE,
        message=f"event_id {e.event_id!r} is already stored with different content; the "
                "stored event is kept and this version is quarantined for review",
    )


class EventStore(ABC):
    """The log: one global order, streams by subject, idempotent by ``event_id``, chained.

    ``append`` is written once here; a backend supplies the few statements it
    needs (the ``_``-prefixed hooks), each run inside the write transaction.
    """

    url: str
    _last_seq: int = -1  # chain seq this object last wrote: its caches are valid while equal
    _versions: dict[str, int]
    _versions_complete: bool = False  # cache holds every stream (built from an empty store)
    _expect_repeats: bool = False  # the last batch held known ids: check before inserting

    # -- backend hooks (inside the write transaction) ------------------------------------------

    @abstractmethod
    def _writing(self) -> AbstractContextManager[Any]:
        """A write transaction holding the store's insert lock; yields a cursor."""

    @abstractmethod
    def _head(self, c: Any) -> ChainHead:
        """The chain head as seen inside the transaction."""

    @abstractmethod
    def _stored_states(self, c: Any, event_ids: list[str]) -> dict[str, bytes]:
        """Canonical states of those event ids that are already stored."""

    @abstractmethod
    def _stream_versions(self, c: Any, streams: list[str]) -> dict[str, int]:
        """Head version of those streams that already exist."""

    @abstractmethod
    def _insert_rows(self, c: Any, rows: list[Row]) -> None:
        """Insert chained rows; raise ``DuplicateEventId`` on a known event id."""

    @abstractmethod
    def _savepoint(self, c: Any) -> AbstractContextManager[None]:
        """Undo the block's writes (and re-raise) when it raises."""

    @abstractmethod
    def _insert_quarantine(self, c: Any, entries: list[QuarantineEntry]) -> int:
        """Insert entries not already kept (same source, line and bytes); return how many."""

    @abstractmethod
    def _last_position(self, c: Any) -> int:
        """The highest position stored."""

    # -- append --------------------------------------------------------------------------------

    def append(
        self, events: Sequence[NewEvent], quarantine: Sequence[QuarantineEntry] = (),
        *, quarantine_conflicts: bool = True,
    ) -> AppendResult:
        """Store new events and quarantine entries atomically; known event ids are skipped.

        A re-sent id with different content is reported in ``conflicts`` and kept in
        the quarantine, unless the caller is re-trying an entry already kept there.

        Optimistic for bulk loads: a batch is inserted straight away and only
        checked against the store when the insert meets a known event id (or
        the previous batch did), so a fresh load pays for no lookups.
        """
        if not hasattr(self, "_versions"):
            self._versions = {}
        result = AppendResult()
        with self._writing() as c:
            head = self._head(c)
            if head.seq != self._last_seq or len(self._versions) > VERSION_CACHE_MAX:
                self._versions.clear()
                self._versions_complete = head.seq == 0
            first, repeats = split_repeats(events)
            stored: dict[str, bytes] = {}
            rows: list[Row] = []
            updates: dict[str, int] = {}
            inserted = False
            if not self._expect_repeats:
                try:
                    with self._savepoint(c):
                        rows, new_head, updates = self._assign(c, head, first.values())
                        self._insert_rows(c, rows)
                    inserted = True
                except DuplicateEventId:
                    self._expect_repeats = True
            if not inserted:
                stored = self._stored_states(c, list(first))
                fresh = [e for i, e in first.items() if i not in stored]
                rows, new_head, updates = self._assign(c, head, fresh)
                self._insert_rows(c, rows)
                self._expect_repeats = bool(stored)
            conflicts = [
                conflict_entry(e) for e in [*repeats, *(first[i] for i in stored)]
                if e[4] != stored.get(e[0], first[e[0]][4])
            ]
            result.stored = len(rows)
            result.duplicates = len(events) - len(rows) - len(conflicts)
            result.conflicts = conflicts
            entries = [*quarantine, *(conflicts if quarantine_conflicts else [])]
            if entries:
                result.quarantined = self._insert_quarantine(c, entries)
                result.quarantine_known = len(entries) - result.quarantined
            result.head = (ChainHead(new_head.seq, new_head.hash, self._last_position(c))
                           if rows else head)
        self._versions.update(updates)
        self._last_seq = result.head.seq
        return result

    def _assign(self, c: Any, head: ChainHead, events: Iterable[NewEvent]
                ) -> tuple[list[Row], ChainHead, dict[str, int]]:
        """Give each event its stream version and chain link (the cache is not touched)."""
        events = list(events)
        cache = self._versions
        known: dict[str, int] = {}
        if not self._versions_complete:
            unknown = list({e[2] for e in events if e[2] not in cache})
            if unknown:
                known = self._stream_versions(c, unknown)
        local: dict[str, int] = {}
        rows: list[Row] = []
        append = rows.append
        seq, prev = head.seq, head.hash
        pack, sha = LINK.pack, hashlib.sha256
        for event_id, type_, stream, recorded, state, digest, *_ in events:
            version = (local.get(stream) or cache.get(stream) or known.get(stream, 0)) + 1
            local[stream] = version
            seq += 1
            prev = sha(prev + pack(seq, version) + digest).digest()  # == chain.link(...)
            append((stream, version, type_, state, event_id, recorded, seq, prev))
        return rows, ChainHead(seq, prev, head.position + len(rows)), {**known, **local}

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

    def refresh_statistics(self) -> None:
        """Let the database's planner see the log as it is after a bulk load (nothing to do
        where the planner needs no statistics; see ``engine.store.ddl.refresh_statistics``)."""
        return None

    def row_at(self, position: int) -> StoredRow | None:
        """The event stored at ``position``, or None."""
        rows = self.read(position - 1, 1, position)
        return rows[0] if rows else None

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
                digest = link(prev, r.chain_seq, r.version, content_digest(
                    r.stream, r.topic, r.event_id, r.recorded_at_us, r.state))
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
