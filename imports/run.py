"""``import_paths``: files and folders of exports into the store; ``preview``: the same, unstored.

Each sheet is read, converted and appended in batches through the store's bulk
path (one transaction a batch, with its quarantine rows), so the chain,
idempotency and quarantine work as for ``ingest``. Large inputs are converted in
a helper process while this one stores, as ``ingest`` parses, so both cores work.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.chain import ChainHead
from engine.errors import SkillauditError, UsageError
from engine.ingest import PARALLEL_MIN_BYTES
from engine.privacy import mask_record
from engine.store.base import AppendResult, EventStore
from engine.store.ddl import STATISTICS_AFTER
from imports.kinds import KINDS
from imports.layout import HEADER_SEARCH
from imports.mapping import Mapping, load_mapping
from imports.readers import SUFFIXES, WORKBOOKS, sheets_of
from imports.sheets import BATCH_ROWS, SheetBatch, SheetInfo, sheet_batches
from imports.worker import in_worker


@dataclass(frozen=True)
class Job:
    """One file to import as one kind (and only one sheet when named)."""

    path: str
    kind: str
    sheet: str | None = None


@dataclass
class SheetSummary:
    """What happened to one sheet (or text file): for the per-file lines of the summary."""

    info: SheetInfo
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    conflicts: int = 0
    quarantined: int = 0
    quarantine_known: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # first few: row, reason, msg

    def add(self, r: AppendResult, b: SheetBatch, keep: int) -> None:
        self.rows += b.rows
        self.stored += r.stored
        self.duplicates += r.duplicates
        self.conflicts += len(r.conflicts)
        self.quarantined += r.quarantined
        self.quarantine_known += r.quarantine_known
        self.skipped.update(b.skipped)
        for q in b.bad[: max(0, keep - len(self.errors))]:
            self.errors.append((q.line_no, str(q.reason), q.message))

    def as_json(self) -> dict[str, Any]:
        i = self.info
        return {"file": i.file, "sheet": i.sheet, "kind": i.kind, "header_row": i.header_row,
                "encoding": i.encoding, "rows": self.rows, "stored": self.stored,
                "duplicates": self.duplicates, "conflicting_duplicates": self.conflicts,
                "quarantined": self.quarantined, "quarantine_already_known":
                self.quarantine_known, "skipped": dict(self.skipped), "problem": i.problem,
                "columns": [{"header": h, "field": t, "note": n} for h, t, n in i.columns],
                "missing": i.missing,
                "errors": [{"row": r, "reason": c, "message": m} for r, c, m in self.errors]}


@dataclass
class ImportSummary:
    """What an import did, per sheet and in all."""

    sheets: list[SheetSummary] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why it stopped)
    seconds: float = 0.0
    head: ChainHead | None = None

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sheets)

    @property
    def problems(self) -> bool:
        """A file or sheet that could not be imported (refused rows are accounted for in the
        quarantine, as ``ingest`` accounts for lines)."""
        return bool(self.failed) or any(s.info.problem for s in self.sheets)

    def as_json(self) -> dict[str, Any]:
        return {"stored": self.total("stored"), "duplicates": self.total("duplicates"),
                "quarantined": self.total("quarantined"), "rows": self.total("rows"),
                "seconds": round(self.seconds, 3),
                "chain_head": str(self.head) if self.head else None,
                "sheets": [s.as_json() for s in self.sheets],
                "failed_files": [{"file": f, "error": m} for f, m in self.failed]}


@dataclass(frozen=True)
class ImportProgress:
    label: str
    done: int
    total: int | None
    rows: int
    stored: int
    quarantined: int
    elapsed: float


# -- which files, as which kind ----------------------------------------------------------------

def _in_folder(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not p.name.startswith(("~$", ".")))


def plan_jobs(paths: Iterable[str], kind: str | None, mapping: Mapping,
              sheet: str | None = None) -> list[Job]:
    """The files to import and each one's kind, refused before anything is stored when a
    path is missing, a file has no kind, or a named sheet is not there."""
    if kind is not None and kind not in KINDS:
        raise UsageError(f"--kind {kind}: kinds are {', '.join(KINDS)}")
    jobs: list[Job] = []
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise UsageError(f"not found: {path} 文件不存在")
        files = _in_folder(p) if p.is_dir() else [p]
        if p.is_dir() and not files:
            raise UsageError(f"{path} holds no spreadsheet ({', '.join(sorted(SUFFIXES))}) "
                             "文件夹中没有表格文件")
        for f in files:
            pattern = mapping.match(f.name)
            if p.is_dir():
                chosen = pattern.kind if pattern else kind
            else:
                chosen = kind or (pattern.kind if pattern else None)
            if chosen is None:
                raise UsageError(f"{f}: which kind of export is it? give --kind "
                                 f"({'|'.join(KINDS)}) or a [files] pattern in the mapping file "
                                 "请用 --kind 指定类型")
            wanted = sheet or (pattern.sheet if pattern and pattern.kind == chosen else None)
            if f.suffix.lower() not in SUFFIXES:
                raise UsageError(f"{f}: not a spreadsheet ({', '.join(sorted(SUFFIXES))})")
            if wanted is not None and f.suffix.lower() in WORKBOOKS:
                sheets_of(str(f), wanted)  # refuses a sheet that is not there
            jobs.append(Job(str(f.resolve()), chosen, wanted))
    return jobs


# -- converting (here or in a helper process) --------------------------------------------------

def job_items(jobs: Sequence[Job], mapping: Mapping, batch_rows: int
              ) -> Iterator[SheetInfo | SheetBatch | tuple[str, str, str]]:
    """Every job's sheets and batches; a file that cannot be read ends with a ``failed``."""
    for job in jobs:
        try:
            for sheet in sheets_of(job.path, job.sheet):
                yield from sheet_batches(sheet, KINDS[job.kind], mapping, batch_rows)
        except SkillauditError as exc:
            yield ("failed", job.path, str(exc))
        except OSError as exc:  # unreadable part-way (permissions, a disk error)
            yield ("failed", job.path, f"cannot be read: {exc.strerror or exc} 无法读取")


def import_paths(store: EventStore, paths: Iterable[str], *, kind: str | None = None,
                 mapping: Mapping | str | None = None, sheet: str | None = None,
                 progress: Callable[[ImportProgress], None] | None = None,
                 batch_rows: int = BATCH_ROWS, parallel: bool | None = None,
                 keep_errors: int = 10) -> ImportSummary:
    """Import files and folders of exports into ``store``; say per sheet what became of it."""
    mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    jobs = plan_jobs(paths, kind, mapping, sheet)
    if parallel is None:
        parallel = sum(Path(j.path).stat().st_size for j in jobs) >= PARALLEL_MIN_BYTES
    items = (in_worker(job_items, jobs, mapping, batch_rows) if parallel
             else job_items(jobs, mapping, batch_rows))
    summary = ImportSummary()
    started = time.perf_counter()
    by_label: dict[str, SheetSummary] = {}
    for item in items:
        if isinstance(item, SheetInfo):
            by_label[item.label] = SheetSummary(item)
            summary.sheets.append(by_label[item.label])
        elif isinstance(item, SheetBatch):
            s = by_label[item.label]
            result = store.append(item.events, item.bad)
            s.add(result, item, keep_errors)
            summary.head = result.head
            if progress:
                progress(ImportProgress(item.label, item.done, item.total, s.rows, s.stored,
                                        s.quarantined, time.perf_counter() - started))
        else:
            summary.failed.append((item[1], item[2]))
    if summary.total("stored") >= STATISTICS_AFTER:
        store.refresh_statistics()  # the planner's view of the log, at once
    summary.head = summary.head or store.head()
    summary.seconds = time.perf_counter() - started
    return summary


# -- preview -----------------------------------------------------------------------------------

@dataclass
class SheetPreview:
    """The mapping chosen for a sheet, and its first rows as events (or why not)."""

    info: SheetInfo
    events: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def preview(paths: Iterable[str], *, kind: str | None = None, mapping: Mapping | str | None = None,
            sheet: str | None = None, rows: int = 5, unmask: bool = False) -> list[SheetPreview]:
    """What an import would do with the first rows of each sheet; nothing is stored."""
    mapping = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    out: list[SheetPreview] = []
    for job in plan_jobs(paths, kind, mapping, sheet):
        try:
            sheets = sheets_of(job.path, job.sheet)
        except SkillauditError as exc:
            info = SheetInfo(job.path, job.path, None, job.kind, problem=str(exc))
            out.append(SheetPreview(info))
            continue
        for s in sheets:
            s._rows = itertools.islice(s.rows(), HEADER_SEARCH + rows)
            shown: SheetPreview | None = None
            for item in sheet_batches(s, KINDS[job.kind], mapping, batch_rows=1 << 30):
                if isinstance(item, SheetInfo):
                    shown = SheetPreview(item)
                    out.append(shown)
                    continue
                assert shown is not None
                shown.skipped.update(item.skipped)
                for e in item.events[:rows]:
                    event = json.loads(e.state)
                    shown.events.append(event if unmask else mask_record(event))
                shown.refused += [(q.line_no, q.message) for q in item.bad]
    return out
