"""A spreadsheet row in the quarantine: kept with what is needed to read it again.

The entry's raw bytes are one JSON object: the format's name first, then the
kind, file, sheet, row numbers, the column and value at fault, the row's cells
by header, how each header was placed and the mapping's fixed values. So
``quarantine retry`` converts the row again exactly as the import did, without
the file or the mapping, and ``quarantine export`` shows the row for correction;
a corrected ``row`` replaces the cells and the rest is kept.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from engine.parse import NewEvent
from engine.quarantine import Malformed, Reason
from imports.kinds import KINDS
from imports.layout import Column, Header
from imports.rows import Converter, RowRefusal, claim_envelope, to_event

FORMAT = "sheet-row/1"


def cell_json(cell: Any) -> Any:
    """A cell as JSON keeps it: text, numbers and booleans as they are, times in ISO form."""
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    if isinstance(cell, timedelta):
        return cell.total_seconds()
    if isinstance(cell, float) and cell != cell:
        return None
    return cell


def raw_of(kind: str, file: str, sheet: str | None, header: Header, fixed: dict[str, Any],
           rows: list[tuple[int, list[Any] | bytes]], column: str, value: Any,
           encoding: str | None = None) -> bytes:
    """The quarantine's raw bytes for one row (or the rows of one claim)."""
    cells: list[dict[str, Any]] = []
    undecoded: list[str] = []
    for _, row in rows:
        if isinstance(row, bytes):
            cells.append({})
            undecoded.append(base64.b64encode(row).decode("ascii"))
            continue
        cells.append({c.header: cell_json(row[c.index]) for c in header.columns
                      if c.index < len(row) and cell_json(row[c.index]) not in (None, "")})
    record: dict[str, Any] = {
        "format": FORMAT, "kind": kind, "file": file, "sheet": sheet,
        "rows": [n for n, _ in rows], "column": column, "value": cell_json(value),
        "cells": cells, "columns": {c.header: c.target for c in header.columns},
        "fixed": fixed,
    }
    if undecoded:
        record["undecoded_base64"] = undecoded
        record["encoding"] = encoding
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def reread(raw: bytes, source: str, line_no: int) -> NewEvent:
    """The event a quarantined row makes now; ``Malformed`` (zh/en) when it still cannot."""
    record = _record(raw)
    kind = KINDS.get(record.get("kind", ""))
    if kind is None:
        raise Malformed(Reason.UNKNOWN_TYPE, f"unknown kind {record.get('kind')!r}")
    columns = tuple(Column(i, h, t) for i, (h, t) in enumerate(record["columns"].items()))
    header = Header(0, 1, columns)
    converter = Converter(kind, header, record.get("fixed") or {})
    rows = [[cells.get(c.header) for c in columns] for cells in record["cells"]]
    if record.get("undecoded_base64") and not any(any(v is not None for v in r) for r in rows):
        raise Malformed(Reason.BAD_ENCODING, "the line's bytes are not "
                        f"{record.get('encoding')}: give the corrected row 请提供更正后的行")
    try:
        values = [converter.values(r) for r in rows]
        env = (claim_envelope(converter, values) if kind.group_by
               else converter.envelope(values[0]))
    except RowRefusal as refused:
        raise Malformed(refused.refusal.reason, refused.message) from None
    return to_event(kind.name, env, source, line_no)


def _record(raw: bytes) -> dict[str, Any]:
    try:
        record = json.loads(raw)
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise ValueError("not a spreadsheet row")
        return record
    except ValueError as exc:
        raise Malformed(Reason.NOT_JSON, f"not a quarantined spreadsheet row: {exc}") from None


def view(raw: bytes) -> dict[str, Any]:
    """The row (or the rows of a claim) by header, to correct in ``quarantine export``."""
    record = _record(raw)
    shown: dict[str, Any] = {"file": record["file"], "sheet": record["sheet"],
                             "column": record["column"], "value": record["value"]}
    cells = record["cells"]
    if len(cells) == 1:
        shown["row"] = cells[0]
    else:
        shown["rows"] = cells
    return shown


def corrected(raw: bytes, correction: bytes) -> bytes:
    """The entry with corrected cells: a ``row`` (``rows`` for a claim) replaces them."""
    record = _record(raw)
    try:
        fix = json.loads(correction)
    except ValueError:
        raise Malformed(Reason.NOT_JSON, "a spreadsheet row is corrected by its \"row\": "
                        "edit the row's cells in the exported file 请修改 row 中的单元格") from None
    if isinstance(fix, dict) and fix.get("format") == FORMAT:
        return correction  # the whole entry, edited
    if not isinstance(fix, dict) or not ("row" in fix or "rows" in fix):
        raise Malformed(Reason.NOT_OBJECT, "a spreadsheet row is corrected by its \"row\"")
    rows = fix["rows"] if "rows" in fix else [fix["row"]]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise Malformed(Reason.NOT_OBJECT, "\"row\" must be an object of header: value")
    columns = dict(record["columns"])
    for r in rows:
        for h in r:
            columns.setdefault(h, "")  # a header added by the correction is kept as data
    record.update(cells=rows, columns=columns)
    record.pop("undecoded_base64", None)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


class SheetRows:
    """The quarantine's reader of spreadsheet rows (registered by ``imports``)."""

    reread = staticmethod(reread)
    view = staticmethod(view)
    corrected = staticmethod(corrected)
