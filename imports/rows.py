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

from engine.parse import NewEvent, parse_canonical
from engine.quarantine import Reason
from engine.serial import canonical_obj
from imports.headers import field_names
from imports.kinds import ITEM, Kind
from imports.layout import KEPT, Header
from imports.values import UNREAD, Refusal, is_blank, plain

CACHE_LIMIT = 50_000  # distinct cells remembered per column (codes repeat; times do not)
_UNSET, _BLANK = UNREAD, object()  # not read yet (as a quick reader says), a blank cell
KEPT_PREFIX = "\0"  # a column kept under its own header, among the values of a row


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
                       if c.field else _Placed(c.index, c.header, KEPT_PREFIX + c.header, plain, {})
                       for c in header.columns if c.field or c.target == KEPT]
        self.fixed = {f: kind.parsers[f](v) for f, v in fixed.items()}  # checked at load
        self.headers = {c.target: c.header for c in header.columns if c.field}
        self._loop = [(p.index, p.field, p.cache, p) for p in self.placed]
        self._width = max((p.index + 1 for p in self.placed), default=0)
        self.kept = [p.field for p in self.placed if p.field.startswith(KEPT_PREFIX)]
        self._required = tuple(f for f in kind.required if not f.startswith(ITEM))

    def group_key(self, cells: list[Any]) -> str | None:
        """The claim number a row names (its group), or None when blank or unreadable."""
        field = self.kind.group_by
        for index, name, _, p in self._loop:
            if name == field and index < len(cells) and not is_blank(cells[index]):
                try:
                    return str(p.parse(cells[index]))
                except Refusal:
                    return None
        value = self.fixed.get(field or "")
        return None if value is None else str(value)

    def column_of(self, field: str) -> str:
        """The header a field was read from, or the field itself when the sheet lacks it."""
        return self.headers.get(field, field)

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """The fields of one row, parsed; raises ``RowRefusal`` at the first bad cell."""
        out: dict[str, Any] = dict(self.fixed)
        width = len(cells)
        unset, blank = _UNSET, _BLANK
        for index, field, cache, p in self._loop:  # the hot loop: locals only
            if index >= width:
                continue
            cell = cells[index]
            value = cache.get(cell, unset)  # cells are text, numbers, times: hashable
            if value is unset:
                value = self._parse(p, cell)
            if value is not blank:
                out[field] = value
        return out

    def values_many(self, rows: list[list[Any]]) -> list[dict[str, Any] | RowRefusal]:
        """``values`` of many rows, column by column (a third of the Python work of going
        row by row); a row with a bad cell gets the ``RowRefusal`` of its first one."""
        fixed, width = self.fixed, self._width
        outs: list[dict[str, Any]] = [dict(fixed) for _ in rows] if fixed else [{} for _ in rows]
        if any(len(r) < width for r in rows):  # a short line of a CSV: the rest is blank
            rows = [r if len(r) >= width else [*r, *[""] * (width - len(r))] for r in rows]
        refused: dict[int, RowRefusal] = {}
        unset, blank = _UNSET, _BLANK
        for index, field, cache, p in self._loop:
            get = cache.get
            column = [r[index] for r in rows]
            found = [get(cell, unset) for cell in column]  # cells are hashable
            quick = getattr(p.parse, "quick", None)  # times: the usual form, read in bulk
            if quick is not None:
                found = [quick(cell) if v is unset else v for cell, v in zip(column, found,
                                                                              strict=True)]
            for i in [i for i, v in enumerate(found) if v is unset]:
                value = get(column[i], unset)  # parsed for an earlier row of this batch
                if value is unset:
                    try:
                        value = self._parse(p, column[i])
                    except RowRefusal as why:
                        value = blank
                        refused.setdefault(i, why)
                found[i] = value
            for out, value in zip(outs, found, strict=True):
                if value is not blank:
                    out[field] = value
        results: list[dict[str, Any] | RowRefusal] = list(outs)
        for i, why in refused.items():
            results[i] = why
        return results

    @staticmethod
    def _parse(p: _Placed, cell: Any) -> Any:
        if is_blank(cell):
            value = _BLANK
        else:
            try:
                value = p.parse(cell)
            except Refusal as r:
                raise RowRefusal(p.header, cell, r) from None
        if len(p.cache) >= CACHE_LIMIT:
            p.cache.clear()
        p.cache[cell] = value
        return value

    def envelope(self, values: dict[str, Any]) -> dict[str, Any]:
        """The event (without id) of one row's values, or ``RowRefusal`` for a missing field.

        ``values`` becomes the event's ``data``: the envelope's fields are taken out of it."""
        kind = self.kind
        for f in self._required:
            if f not in values:
                raise self.missing(f)
        occurred = values.pop("occurred_at", None)
        if occurred is None:
            for f in kind.occurred_from:
                if f in values:
                    occurred = values[f] + "T00:00:00+08:00"
                    break
            else:
                raise self.missing("occurred_at")
        recorded = values.pop("recorded_at", None)
        env = {"type": kind.event_type, "occurred_at": occurred,
               "source": values.pop("source", kind.source), "data": values}
        if recorded is not None:
            env["recorded_at"] = recorded
        for key in self.kept:  # columns kept under their own header, unless a field has it
            if key in values:
                value = values.pop(key)
                values.setdefault(key[1:], value)
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
            if key.startswith(KEPT_PREFIX):
                item.setdefault(key[1:], value)
        items.append(item)
        for key, value in values.items():
            if key.startswith((ITEM, KEPT_PREFIX)):
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


def canonical_parts(env: dict[str, Any]) -> tuple[bytes, bytes]:
    """The envelope's canonical bytes without an id, split where the id goes.

    Canonical keys are sorted, so ``data`` comes first and ``event_id`` right after
    it, before ``occurred_at``; the last ``,"occurred_at":`` is the envelope's (inside
    ``data`` a quote in a value is escaped, and no kept column is named so), and the
    id is put there without encoding the event a second time."""
    whole = canonical_obj(env)
    at = whole.rindex(b',"occurred_at":')
    return whole[:at], whole[at:]


def key_of(kind: str, parts: tuple[bytes, bytes]) -> bytes:
    """SHA-256 of the kind and the event's canonical content: what its id is made of."""
    return hashlib.sha256(b"".join((kind.encode(), b"\0", *parts))).digest()


def with_id(parts: tuple[bytes, bytes], event_id_: str) -> bytes:
    """The canonical bytes of the envelope with its id: what ``canonical_obj`` writes."""
    head, rest = parts
    return b"".join((head, b',"event_id":', canonical_obj(event_id_), rest))


def event_id(kind: str, key: bytes, occurrence: int) -> str:
    """``imp-<kind>-<24 hex>``; the n-th identical row of a file adds ``-n``."""
    base = f"imp-{kind}-{key[:12].hex()}"
    return base if occurrence == 0 else f"{base}-{occurrence}"


def to_event(kind: str, env: dict[str, Any], source: str, line_no: int) -> NewEvent:
    """The storable event of one envelope (a quarantined row read again), checked as
    ``ingest`` checks a line (``Malformed`` when the spec refuses it). Values are
    ``str``, ``int``, ``bool`` or ``Decimal``, so the canonical encoding is the one
    ``ingest`` would store."""
    parts = canonical_parts(env)
    state = with_id(parts, event_id(kind, key_of(kind, parts), 0))
    return parse_canonical(state, source, line_no)
