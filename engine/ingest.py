"""Bulk ingest: validate every line, append good events in batches, quarantine the rest.

Each batch is one transaction holding its events and its quarantine rows, so a
crash mid-way loses nothing committed, and re-running the same ingest stores
nothing twice (event ids are the idempotency key). SQLite and psycopg release
the GIL only partly, so large inputs are parsed in a second process instead and
handed over as columns, which pickle cheaply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.chain import ChainHead
from engine.errors import SkillauditError
from engine.parse import NewEvent, parse_line
from engine.processes import helper_items
from engine.quarantine import Malformed, QuarantineEntry
from engine.rowformats import format_of
from engine.sources import Source, SourceError, read_chunks
from engine.store.base import AppendResult, EventStore
from engine.store.ddl import STATISTICS_AFTER

BATCH_LINES = 20_000
PARALLEL_MIN_BYTES = 8 << 20  # below this, starting a parser process costs more than it saves


@dataclass
class IngestSummary:
    """What an ingest did, for the closing summary line and ``--json``."""

    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    quarantine_known: int = 0
    conflicts: int = 0
    blank: int = 0
    lines: int = 0
    seconds: float = 0.0
    head: ChainHead | None = None
    sources: list[str] = field(default_factory=list)
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)  # first few problems
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why it stopped)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (file, what to change)

    @property
    def events_per_s(self) -> float:
        return (self.stored + self.duplicates) / self.seconds if self.seconds > 0 else 0.0

    def add(self, r: AppendResult) -> None:
        self.stored += r.stored
        self.duplicates += r.duplicates
        self.quarantined += r.quarantined
        self.quarantine_known += r.quarantine_known
        self.conflicts += len(r.conflicts)
        self.head = r.head

    def as_json(self) -> dict[str, object]:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "seconds": round(self.seconds, 3),
            "quarantine_already_known": self.quarantine_known,
            "conflicting_duplicates": self.conflicts,
            "blank_lines": self.blank,
            "lines": self.lines,
            "events_per_s": round(self.events_per_s, 1),
            "chain_head": str(self.head) if self.head else None,
            "sources": self.sources,
            "failed_files": [{"file": f, "error": m} for f, m in self.failed],
            "notes": [{"file": f, "note": m} for f, m in self.notes],
        }


@dataclass(frozen=True)
class Progress:
    source: Source
    bytes_done: int
    lines: int
    stored: int
    quarantined: int
    elapsed: float


def parse_batch(lines: Sequence[bytes], source: str, first_line: int
                ) -> tuple[list[NewEvent], list[QuarantineEntry], int]:
    """Split numbered lines into valid events and quarantine entries; count blank lines."""
    events: list[NewEvent] = []
    bad: list[QuarantineEntry] = []
    blank = 0
    for n, line in enumerate(lines, first_line):
        if not line.strip():
            blank += 1
            continue
        try:
            events.append(parse_line(line, source, n))
        except Malformed as m:
            bad.append(QuarantineEntry(source, n, line, m.reason, m.message))
    return events, bad, blank


JSON_ARRAY_NOTE = ("this looks like one JSON array; write one event per line (JSON Lines), "
                   "e.g. `jq -c '.[]' FILE > FILE.jsonl` 这像是一个 JSON 数组：请每行写一个事件")


def json_array_note(lines: Sequence[bytes]) -> str | None:
    """A file's first lines that open a JSON array, where JSON Lines were expected."""
    for line in lines:
        text = line.lstrip(b"\xef\xbb\xbf \t")
        if text:
            return JSON_ARRAY_NOTE if text.startswith(b"[") else None
    return None


def _source_batches(path: str, batch_lines: int) -> Iterator[tuple[Any, ...]]:
    """One file's parsed batches; a file that stops part-way ends with a ``failed`` item."""
    source = Source.of(path)
    try:
        for first, lines, consumed in read_chunks(source, batch_lines):
            note = json_array_note(lines) if first == 1 else None
            if note:
                yield "note", source.name, note
            events, bad, blank = parse_batch(lines, source.name, first)
            yield "batch", source.name, source.size, events, bad, blank, len(lines), consumed
    except SourceError as exc:
        yield "failed", source.name, str(exc)


def _columns(item: tuple[Any, ...]) -> tuple[Any, ...]:
    """A batch's events as columns, which pickle several times faster than rows."""
    if item[0] == "batch":
        item = (*item[:3], tuple(zip(*item[3], strict=True)), *item[4:])
    return item


def _rows(item: tuple[Any, ...]) -> tuple[Any, ...]:
    if item[0] == "batch":
        item = (*item[:3], list(zip(*item[3], strict=True)), *item[4:])
    return item


def _batches_in_process(paths: list[str], batch_lines: int) -> Iterator[tuple[Any, ...]]:
    for path in paths:
        yield from _source_batches(path, batch_lines)


def _parser_failed(message: str | None) -> IngestError:
    return IngestError(message or "the parsing process stopped unexpectedly; rerun the same "
                       "ingest: stored events are kept and nothing is stored twice")


def _batches_from_worker(paths: list[str], batch_lines: int) -> Iterator[tuple[Any, ...]]:
    """The batches parsed in a helper process while this one stores (``engine.processes``)."""
    return helper_items(_batches_in_process, (paths, batch_lines), name="skillaudit-parse",
                        failed=_parser_failed, pack=_columns, unpack=_rows)


class IngestError(SkillauditError):
    """An ingest could not go on; the message says what to do."""


def ingest(
    store: EventStore,
    paths: Iterable[str],
    *,
    batch_lines: int = BATCH_LINES,
    progress: Callable[[Progress], None] | None = None,
    keep_errors: int = 20,
    parallel: bool | None = None,
) -> IngestSummary:
    """Ingest JSONL files (``-`` = stdin, ``.gz`` ok) into ``store``.

    Large files are parsed in a second process while this one appends, so both
    cores work (``parallel=None`` decides by input size; stdin is read here).
    Each batch is one transaction; a rerun after a crash skips what was stored.
    """
    paths = list(paths)
    sources = [Source.of(p) for p in paths]  # refuse a missing or unreadable file up front
    if parallel is None:
        parallel = "-" not in paths and sum(s.size or 0 for s in sources) >= PARALLEL_MIN_BYTES
    summary = IngestSummary(sources=[s.name for s in sources])
    started = time.perf_counter()
    batches = (_batches_from_worker if parallel else _batches_in_process)(paths, batch_lines)
    for item in batches:
        if item[0] == "failed":
            summary.failed.append((item[1], item[2]))
            continue
        if item[0] == "note":
            summary.notes.append((item[1], item[2]))
            continue
        _, name, size, events, bad, blank, n_lines, consumed = item
        summary.lines += n_lines
        summary.blank += blank
        for q in bad[: max(0, keep_errors - len(summary.errors))]:
            summary.errors.append((q.source, q.line_no, str(q.reason), q.message))
        summary.add(store.append(events, bad))
        if progress:
            progress(Progress(Source(name, size), consumed, summary.lines, summary.stored,
                              summary.quarantined, time.perf_counter() - started))
    if summary.stored >= STATISTICS_AFTER:  # the planner's view of the log, at once
        store.refresh_statistics()
    summary.seconds = time.perf_counter() - started
    if summary.head is None:
        summary.head = store.head()
    return summary


@dataclass
class RetrySummary:
    """What a quarantine retry did."""

    resolved: int = 0
    still_failing: int = 0
    details: list[tuple[int, str, str]] = field(default_factory=list)  # (id, outcome, message)


def retry_quarantine(
    store: EventStore,
    ids: Sequence[int] | None = None,
    corrections: dict[int, bytes] | None = None,
) -> RetrySummary:
    """Validate open quarantine lines again, corrected where a correction is given.

    A line that now passes is appended (once: a re-sent event id is a duplicate)
    and its entry marked resolved with the event id; one that still fails keeps
    its entry open with the new reason. The original raw line is never erased.
    """
    corrections = corrections or {}
    wanted = set(ids) if ids else None
    summary = RetrySummary()
    for entry in store.quarantine_list("open"):
        if wanted is not None and entry.id not in wanted:
            continue
        raw = corrections.get(entry.id, entry.raw)
        try:
            row_format = format_of(entry.raw)  # a spreadsheet row, or None for a JSON line
            if row_format is None:
                event = parse_line(raw, f"quarantine#{entry.id}", entry.line_no)
            else:
                if entry.id in corrections:
                    raw = row_format.corrected(entry.raw, raw)
                event = row_format.reread(raw, f"quarantine#{entry.id}", entry.line_no)
        except Malformed as m:
            store.quarantine_mark(entry.id, resolved_event_id=None,
                                  message=f"{m.reason}: {m.message}")
            summary.still_failing += 1
            summary.details.append((entry.id, "failed", f"{m.reason}: {m.message}"))
            continue
        result = store.append([event], quarantine_conflicts=False)
        if result.conflicts:
            message = result.conflicts[0].message
            store.quarantine_mark(entry.id, resolved_event_id=None, message=message)
            summary.still_failing += 1
            summary.details.append((entry.id, "failed", message))
            continue
        store.quarantine_mark(entry.id, resolved_event_id=event.event_id)
        summary.resolved += 1
        outcome = "stored" if result.stored else "already stored"
        summary.details.append((entry.id, outcome, event.event_id))
    return summary
