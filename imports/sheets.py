"""One sheet to batches of events and quarantine entries, in the order its rows stand.

Rows above the header (titles) and rows that hold no record (blank, totals,
a repeated header, notes) are counted as skipped, with why; a row that cannot
be converted is quarantined with its file, sheet, row number, column, value and
reason; the rest become events whose ids derive from their content. Everything
here is picklable, so a helper process can run it while the parent stores.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.parse import NewEvent, parse_canonical
from engine.quarantine import Malformed, QuarantineEntry, Reason
from imports.kinds import ITEM, Kind
from imports.layout import Header, find_header, may_be_total, skip_reason
from imports.mapping import Mapping
from imports.occurrences import Occurrences
from imports.quarantined import raw_of
from imports.readers import Row, Sheet
from imports.rows import (
    Converter,
    RowRefusal,
    canonical_parts,
    claim_envelope,
    event_id,
    key_of,
    with_id,
)
from imports.values import Refusal

BATCH_ROWS = 20_000


@dataclass
class SheetInfo:
    """What the import made of a sheet's layout: for the summary and ``--preview``."""

    label: str
    file: str
    sheet: str | None
    kind: str
    header_row: int = 0  # 0: no header found
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (header, target, note)
    fixed: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # required fields with no column or value
    encoding: str | None = None
    problem: str = ""  # why the sheet was not imported


@dataclass
class SheetBatch:
    """One batch of a sheet: events to append, rows to quarantine, and the rows' counts."""

    label: str
    events: list[NewEvent]
    bad: list[QuarantineEntry]
    rows: int
    skipped: Counter[str]
    done: int  # rows (workbook) or bytes (text file) read so far, for progress
    total: int | None


_FIELD = re.compile(r"\$\.data\.([A-Za-z_]+)|`([A-Za-z_]+)`")


class _SheetRun:
    """The state of converting one sheet: its converter, counters and the batch being filled."""

    def __init__(self, sheet: Sheet, kind: Kind, header: Header, fixed: dict[str, Any]):
        self.sheet = sheet
        self.kind = kind
        self.header = header
        self.fixed = fixed
        self.converter = Converter(kind, header, fixed)
        self.occurrences = Occurrences()
        self.pending: list[tuple[list[Row], tuple[bytes, bytes], bytes]] = []
        self.events: list[NewEvent] = []
        self.bad: list[QuarantineEntry] = []
        self.rows = 0
        self.skipped: Counter[str] = Counter()
        self.groups: dict[str, list[tuple[int, list[Any], dict[str, Any] | RowRefusal]]] = {}

    def quarantine(self, rows: list[Row], refused: RowRefusal) -> None:
        first = rows[0][0]
        raw = raw_of(self.kind.name, self.sheet.file, self.sheet.name, self.header, self.fixed,
                     rows, refused.column, refused.value, self.sheet.encoding)
        where = f"row {first}" if len(rows) == 1 else f"rows {first}-{rows[-1][0]}"
        self.bad.append(QuarantineEntry(self.sheet.label, first, raw, refused.refusal.reason,
                                        f"{where}: {refused.message}"))

    def event(self, rows: list[Row], env: dict[str, Any]) -> None:
        """An event of the batch; its id is made when the batch is complete (``flush``)."""
        parts = canonical_parts(env)
        self.pending.append((rows, parts, key_of(self.kind.name, parts)))

    def flush(self) -> None:
        """The batch's events: their ids (identical ones numbered), checked as ``ingest``
        checks lines; one the spec refuses is quarantined naming its column."""
        pending, self.pending = self.pending, []
        numbers = self.occurrences.number([key for _, _, key in pending])
        name = self.kind.name
        for (rows, parts, key), n in zip(pending, numbers, strict=True):
            try:
                self.events.append(parse_canonical(with_id(parts, event_id(name, key, n)),
                                                   self.sheet.label, rows[0][0]))
            except Malformed as m:
                found = _FIELD.search(m.message)
                column = self.converter.column_of(next(g for g in found.groups() if g)) \
                    if found else "-"
                self.quarantine(rows, RowRefusal(column, "", Refusal(m.reason, m.message,
                                                                     m.reason.zh)))

    def add(self, batch: list[Row]) -> None:
        """Rows read, converted column by column (``Converter.values_many``)."""
        self.rows += len(batch)
        rows: list[tuple[int, list[Any]]] = []
        for n, cells in batch:
            if isinstance(cells, bytes):
                self.quarantine([(n, cells)], RowRefusal("-", "", Refusal(
                    *_undecodable(self.sheet.encoding))))
            # a row that holds no record fails to convert, so rows are classified only then,
            # or when a total's word leads (a total row can hold every required field)
            elif not (may_be_total(cells) and self.skip(cells)):
                rows.append((n, cells))
        converted = self.converter.values_many([cells for _, cells in rows])
        for (n, cells), values in zip(rows, converted, strict=True):
            if self.kind.group_by:
                self.add_to_group(n, cells, values)
                continue
            try:
                if isinstance(values, RowRefusal):
                    raise values
                env = self.converter.envelope(values)
            except RowRefusal as refused:
                if not self.skip(cells):
                    self.quarantine([(n, cells)], refused)
                continue
            self.event([(n, cells)], env)

    def add_to_group(self, n: int, cells: list[Any], values: dict[str, Any] | RowRefusal
                     ) -> None:
        """A claim's row: kept with the other rows of its claim, a refused one too."""
        claim = self.converter.group_key(cells)
        if claim is None or isinstance(values, RowRefusal):
            if self.skip(cells):
                return
            if claim is None:
                self.quarantine([(n, cells)], values if isinstance(values, RowRefusal)
                                else self.converter.missing(self.kind.group_by or ""))
                return
        self.groups.setdefault(claim, []).append((n, cells, values))

    def skip(self, cells: list[Any]) -> bool:
        why = skip_reason(cells, self.header)
        if why is not None:
            self.skipped[why] += 1
        return why is not None

    def close_groups(self) -> None:
        """Claims: each group of rows becomes one event (or one quarantine entry)."""
        for group in self.groups.values():
            rows: list[Row] = [(n, cells) for n, cells, _ in group]
            refused = [v for _, _, v in group if isinstance(v, RowRefusal)]
            try:
                if refused:  # one bad row: the claim is kept whole in the quarantine
                    raise refused[0]
                env = claim_envelope(self.converter, [v for _, _, v in group])
            except RowRefusal as why:
                self.quarantine(rows, why)
                continue
            self.event(rows, env)
        self.groups.clear()

    def batch(self, done: int, total: int | None) -> SheetBatch:
        self.flush()
        out = SheetBatch(self.sheet.label, self.events, self.bad, self.rows, self.skipped,
                         done, total)
        self.events, self.bad, self.rows, self.skipped = [], [], 0, Counter()
        return out


def _undecodable(encoding: str | None) -> tuple[Reason, str, str]:
    return (Reason.BAD_ENCODING, f"the line's bytes are not {encoding}, the encoding of the "
            "rest of the file; correct the row", f"该行字节不是文件的编码 {encoding}")


def sheet_info(sheet: Sheet, kind: Kind, mapping: Mapping, header: Header | None) -> SheetInfo:
    info = SheetInfo(sheet.label, sheet.file, sheet.name, kind.name, encoding=sheet.encoding,
                     fixed=mapping.fixed_values(kind.name))
    if header is None:
        info.problem = (f"no header row of {kind.name}: none of the first rows names two of its "
                        f"columns (see `skillaudit import --preview`) 未找到表头")
        return info
    info.header_row = header.row
    info.columns = [(c.header, c.target, c.note) for c in header.columns]
    have = {c.target for c in header.columns} | set(info.fixed)
    stand_in = have & set(kind.occurred_from)
    info.missing = [f for f in sorted(kind.required) if f not in have
                    and not (f.startswith(ITEM) and f.removeprefix(ITEM) in have)]
    if "occurred_at" not in have and not stand_in:
        info.missing.append("occurred_at")
    return info


def sheet_batches(sheet: Sheet, kind: Kind, mapping: Mapping,
                  batch_rows: int = BATCH_ROWS) -> Iterator[SheetInfo | SheetBatch]:
    """The sheet's info, then its batches; a sheet without a header yields its info only."""
    rows = sheet.rows()
    top: list[Row] = []
    for row in rows:
        top.append(row)
        if len(top) >= 30:
            break
    header = find_header([r for r in top if isinstance(r[1], list)],  # type: ignore[misc]
                         mapping.names(kind.name), sheet.first_column)
    info = sheet_info(sheet, kind, mapping, header)
    yield info
    if header is None:
        return
    run = _SheetRun(sheet, kind, header, info.fixed)
    titles = sum(1 for n, cells in top if n < header.row - header.rows + 1
                 and not (isinstance(cells, list) and all(c in ("", None) for c in cells)))
    if titles:
        run.skipped["title"] = titles
    below = itertools.chain((r for r in top if r[0] > header.row), rows)
    while batch := list(itertools.islice(below, batch_rows)):
        run.add(batch)
        if len(batch) == batch_rows:
            yield run.batch(*_progress(sheet, batch[-1][0]))
    run.close_groups()
    last = _progress(sheet, sheet.total_rows or 0)
    yield run.batch(*last)


def _progress(sheet: Sheet, row: int) -> tuple[int, int | None]:
    if sheet.name is None:
        return sheet.consumed, sheet.size
    return row, sheet.total_rows
