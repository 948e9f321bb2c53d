"""Where the table is: the header row among title rows, and the rows that hold no record.

Government exports open with a title (2023年职业技能培训花名册), a line of who
filled it in, sometimes a header of two rows whose upper cells are merged over
groups of columns, and close with totals (合计, 总计, 小计) and notes (注：…).
The header is the row — or pair of rows — that names the most fields of the
kind; each column is then placed: a field, a row number (序号, never kept), a
column the mapping leaves out, or a column kept under its own header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from imports.headers import MONEY_FIELDS, ROW_NUMBER, YUAN_UNITS, normalise, without_unit
from imports.mapping import LEAVE_OUT
from imports.readers import column_letter
from imports.values import is_blank

HEADER_SEARCH = 30  # rows looked at for the header
KEPT, NUMBERING = "", "#"  # placements other than a field: kept as data, row numbering
_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计|总合计|total|sum|grandtotal)\b", re.IGNORECASE)
_NOTE = re.compile(r"^(注|备注|说明|填表说明|填报说明|制表|制表人|填报人|审核人|经办人|负责人|"
                   r"单位负责人|note)", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    """One column as placed: its header as written, and the field it feeds (or why none)."""

    index: int  # position in the row's cells
    header: str  # as written, or the column letter when the header cell is empty
    target: str  # a field, KEPT, NUMBERING or LEAVE_OUT
    note: str = ""  # why a column that looks like a field was not placed

    @property
    def field(self) -> str | None:
        return self.target if self.target not in (KEPT, NUMBERING, LEAVE_OUT) else None


@dataclass(frozen=True)
class Header:
    """The header found in a sheet: its last row number and the columns it places."""

    row: int  # row number of the (last) header row; data starts below it
    rows: int  # 1, or 2 for a two-row header
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [normalise(c.header) for c in self.columns]


def place(header: Any, names: dict[str, str]) -> tuple[str, str]:
    """(target, note) of one header cell against the names a kind's fields go by."""
    key = normalise(header)
    if not key:
        return KEPT, ""
    if key in names:
        return names[key], ""
    if key in ROW_NUMBER:
        return NUMBERING, ""
    base, unit = without_unit(key)
    if unit is not None and base in names:
        target = names[base]
        if target in MONEY_FIELDS and unit not in YUAN_UNITS:
            return KEPT, (f"unit {unit} is not yuan: amounts are read in 元 only; convert the "
                          f"column or map it in a mapping file 单位不是元")
        return target, ""
    return KEPT, ""


def _cell_text(cell: Any) -> str:
    return "" if is_blank(cell) else re.sub(r"\s+", " ", str(cell)).strip()


def _columns(cells: list[Any], names: dict[str, str], first_column: int) -> list[Column]:
    out: list[Column] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        header = _cell_text(cell) or f"列{column_letter(first_column + i)}"
        target, note = place(cell, names)
        if target != KEPT and target not in (NUMBERING, LEAVE_OUT) and target in {
                c.target for c in out}:
            target, note = KEPT, f"a second column for {target}; the first one is used"
        n = seen[header] = seen.get(header, 0) + 1
        out.append(Column(i, header if n == 1 else f"{header}#{n}", target, note))
    return out


def _score(columns: list[Column]) -> int:
    return len({c.target for c in columns if c.field})


def _merged(upper: list[Any], lower: list[Any]) -> list[Any]:
    """A two-row header read as one: the lower cell, or the (merged) upper one above it."""
    width = max(len(upper), len(lower))
    up = list(upper) + [""] * (width - len(upper))
    low = list(lower) + [""] * (width - len(lower))
    return [lo if not is_blank(lo) else u for u, lo in zip(up, low, strict=True)]


def find_header(top: list[tuple[int, list[Any]]], names: dict[str, str],
                first_column: int = 0) -> Header | None:
    """The header among a sheet's first rows (row number, cells), or None when none names
    at least two fields. Of those placing as many fields, the one ending first wins (a
    header repeated lower down is not it), and a single row over a pair ending there."""
    best: Header | None = None
    best_key = (1, 0, 0)  # fields placed (two at least), then the earliest, then the fewest rows
    rows = [(n, cells) for n, cells in top[:HEADER_SEARCH] if isinstance(cells, list)]
    for i, (n, cells) in enumerate(rows):
        candidates = [(cells, 1)]
        if i + 1 < len(rows) and rows[i + 1][0] == n + 1:
            candidates.append((_merged(cells, rows[i + 1][1]), 2))
        for merged, height in candidates:
            columns = _columns(merged, names, first_column)
            key = (_score(columns), -(n + height), -height)
            if key > best_key:
                best_key = key
                best = Header(n + height - 1, height, tuple(columns))
    return best


_TOTAL_FIRST = frozenset("合总小共累TtSsGg")


def may_be_total(cells: list[Any]) -> bool:
    """Cheaply: does one of the first four cells start as a total's word does?"""
    for cell in cells[:4]:
        if cell.__class__ is str and cell and cell.lstrip()[:1] in _TOTAL_FIRST:
            return True
    return False


def skip_reason(cells: list[Any], header: Header) -> str | None:
    """Why a row below the header holds no record (blank, total, repeated header, note)."""
    filled = [(i, c) for i, c in enumerate(cells) if not is_blank(c)]
    numbering = {c.index for c in header.columns if c.target == NUMBERING}
    if not filled or all(i in numbering and str(c).strip().replace(".", "").isdigit()
                         for i, c in filled):  # nothing, or only its row number
        return "blank"
    firsts = [normalise(c) for _, c in filled[:3]]
    if any(_TOTAL.match(f) for f in firsts if isinstance(f, str)):
        return "total"
    names = header.names
    same = sum(1 for i, c in filled if i < len(names) and normalise(c) == names[i])
    if same >= max(2, len(filled) // 2):
        return "repeated header"
    if len(filled) == 1 and _NOTE.match(normalise(filled[0][1])):
        return "note"
    return None
