"""Spreadsheets written as exports are: by the writers of each format, into a test's folder.

Rows are lists of cells, header and title rows included; a cell may be text, a
number, a date or a time, as the format can hold it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from engine.store.base import EventStore
from tests.engine.store_contract import all_rows

Rows = Sequence[Sequence[Any]]


def write_xlsx(path: Path, rows: Rows, sheet: str = "Sheet1",
               merges: Sequence[str] = (), more: dict[str, Rows] | None = None) -> Path:
    """An .xlsx by openpyxl (Excel's own format); ``merges`` like ``"A1:F1"``."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for cells in merges:
        ws.merge_cells(cells)
    for name, other in (more or {}).items():
        extra = book.create_sheet(name)
        for row in other:
            extra.append(list(row))
    book.save(path)
    return path


def write_ods(path: Path, rows: Rows, sheet: str = "Sheet1") -> Path:
    """An OpenDocument sheet by pandas' odf writer (what LibreOffice and WPS save)."""
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
    frame.to_excel(path, engine="odf", sheet_name=sheet, header=False, index=False)
    return path


def write_text(path: Path, rows: Rows, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV or TXT export in the given encoding (``utf-8-sig`` writes the byte-order mark)."""
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if c is None else c for c in row])
    return path


def stored(store: EventStore) -> list[dict[str, Any]]:
    """Every stored event as JSON, in the log's order."""
    return [json.loads(r.state) for r in all_rows(store)]


def contents(store: EventStore) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """(type, occurred_at, recorded_at, data) of every stored event: what it says."""
    return [(e["type"], e["occurred_at"], e.get("recorded_at"), e["data"]) for e in stored(store)]
