"""One row to one event of the spec, or the column, value and reason it cannot become one.

The event's id derives from the kind and the event's own content (plus, for rows
that are identical, how many came before in the file): the same sheet imported
twice, or exported again as another format, gives the same ids and stores
nothing new; a corrected re-export stores only the rows that changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from engine.quarantine import Reason
from imports.headers import field_names
from imports.kinds import ITEM, Kind
from imports.layout import KEPT, Header
from imports.values import Refusal, is_blank, plain

_sorted = msgspec.json.Encoder(order="sorted")
_plain_encoder = msgspec.json.Encoder()
CACHE_LIMIT = 50_000  # distinct cells remembered per column (codes repeat; times do not)
_UNSET = object()


class RowRefusal(Exception):
    """A row that cannot become an event: the column and value at fault and why."""

    def __init__(self, column: str, value: Any, refusal: Refusal):
        super().__init__(f"{column}: {refusal.en}")
        self.column = column
        self.value = value
        self.refusal = refusal

    @property
    def message(self) -> str:
        return f"column {self.column}: {self.refusal.en} / 列「{self.column}」：{self.refusal.zh}"


@dataclass
class _Placed:
    index: int
    header: str
    field: str
    parse: Callable[[Any], Any]
    cache: dict[Any, Any]


class Converter:
    """Turns the rows of one sheet into envelopes (without ids), by its header and mapping."""

    def __init__(self, kind: Kind, header: Header, fixed: dict[str, Any]):
        self.kind = kind
        self.header = header
        self.placed = [_Placed(c.index, c.header, c.target, kind.parsers[c.target], {})
                       for c in header.columns if c.field]
        self.kept = [(c.index, c.header) for c in header.columns if c.target == KEPT]
        self.fixed = {f: kind.parsers[f](v) for f, v in fixed.items()}  # checked at load
        self.headers = {c.target: c.header for c in header.columns if c.field}

    def column_of(self, field: str) -> str:
        """The header a field was read from, or the field itself when the sheet lacks it."""
        return self.headers.get(field, field)

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """The fields of one row, parsed; raises ``RowRefusal`` at the first bad cell."""
        out: dict[str, Any] = dict(self.fixed)
        width = len(cells)
        for p in self.placed:
            if p.index >= width:
                continue
            cell = cells[p.index]
            if cell is None or cell == "" or (isinstance(cell, str) and is_blank(cell)):
                continue
            value = p.cache.get(cell, _UNSET)  # cells are text, numbers, times: hashable
            if value is _UNSET:
                try:
                    value = p.parse(cell)
                except Refusal as r:
                    raise RowRefusal(p.header, cell, r) from None
                if len(p.cache) >= CACHE_LIMIT:
                    p.cache.clear()
                p.cache[cell] = value
            out[p.field] = value
        for index, header in self.kept:
            if index < width and not is_blank(cells[index]):
                out.setdefault("\0" + header, plain(cells[index]))
        return out

    def envelope(self, values: dict[str, Any]) -> dict[str, Any]:
        """The event (without id) of one row's values, or ``RowRefusal`` for a missing field."""
        kind = self.kind
        missing = [f for f in kind.required if f not in values and not f.startswith(ITEM)]
        if missing:
            raise self.missing(missing[0])
        occurred = values.get("occurred_at")
        if occurred is None:
            for f in kind.occurred_from:
                if f in values:
                    occurred = values[f] + "T00:00:00+08:00"
                    break
            else:
                raise self.missing("occurred_at")
        data = {}
        extra = {}
        for key, value in values.items():
            if key.startswith("\0"):
                extra[key[1:]] = value
            elif key not in ("occurred_at", "recorded_at", "source"):
                data[key] = value
        for key, value in extra.items():
            data.setdefault(key, value)
        env = {"type": kind.event_type, "occurred_at": occurred,
               "source": values.get("source", kind.source), "data": data}
        if "recorded_at" in values:
            env["recorded_at"] = values["recorded_at"]
        return env

    def missing(self, field: str) -> RowRefusal:
        names = "/".join(field_names(self.kind.name, field)[:3]) or field
        return RowRefusal(self.column_of(field), "", Refusal(
            Reason.MISSING_FIELD, f"{field} is missing (a column such as {names}, or a fixed "
                                  "value in the mapping file)",
            f"缺少必填项 {names}"))


def claim_envelope(converter: Converter, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One claim from the values of its rows: claim fields alike on every row, items in order."""
    items = []
    claim: dict[str, Any] = {}
    for values in rows:
        item = {k.removeprefix(ITEM): v for k, v in values.items() if k.startswith(ITEM)}
        for key, value in values.items():  # a column of its own stays with the person's item
            if key.startswith("\0"):
                item.setdefault(key[1:], value)
        items.append(item)
        for key, value in values.items():
            if key.startswith((ITEM, "\0")):
                continue
            if key in claim and claim[key] != value:
                raise RowRefusal(converter.column_of(key), value, Refusal(
                    Reason.IMPOSSIBLE_VALUE,
                    f"rows of claim {values.get('claim_id')} disagree on {key} "
                    f"({claim[key]!r} and {value!r})", "同一申请的各行该项不一致"))
            claim.setdefault(key, value)
    for item in items:
        for f in ("person_id", "amount"):
            if f not in item:
                raise converter.missing(ITEM + f)
    claim.setdefault("amount", str(sum((Decimal(i["amount"]) for i in items), Decimal(0))))
    env = converter.envelope(claim)
    env["data"]["items"] = items
    return env


def content_key(kind: str, env: dict[str, Any]) -> bytes:
    """SHA-256 of the kind and the event's content: what its id is made of."""
    return hashlib.sha256(kind.encode() + b"\0" + _sorted.encode(env)).digest()


def event_id(kind: str, key: bytes, occurrence: int) -> str:
    """``imp-<kind>-<24 hex>``; the n-th identical row of a file adds ``-n``."""
    base = f"imp-{kind}-{key[:12].hex()}"
    return base if occurrence == 0 else f"{base}-{occurrence}"


def line_of(event_id_: str, env: dict[str, Any]) -> bytes:
    """The event as one JSON line, as a source would send it."""
    return _plain_encoder.encode({"event_id": event_id_, **env})
