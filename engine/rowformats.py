"""Quarantined inputs that are not JSON lines: how each format is read again and corrected.

A spreadsheet row is quarantined as a JSON object that opens with its format's
name, ``{"format":"NAME",…}``. The package that reads that format registers how
to read such an entry again, show it for correction and apply a correction, so
``quarantine retry`` and ``quarantine export`` treat it as they treat a JSON line.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from engine.parse import NewEvent
from engine.quarantine import Malformed, Reason

_FORMAT_PREFIX = b'{"format":"'


class RowFormat(Protocol):
    """How the quarantine reads again, shows and corrects entries of one input format."""

    def reread(self, raw: bytes, source: str, line_no: int) -> NewEvent:
        """The event the entry makes now, or ``Malformed`` with why not."""

    def view(self, raw: bytes) -> dict[str, Any]:
        """The fields a person edits to correct the entry (e.g. the row's cells)."""

    def corrected(self, raw: bytes, correction: bytes) -> bytes:
        """The entry with a correction applied (as ``correction_of`` encoded it)."""


_FORMATS: dict[str, RowFormat] = {}


def register_format(name: str, row_format: RowFormat) -> None:
    """Let the quarantine read entries of ``name`` (called by the package that writes them)."""
    _FORMATS[name] = row_format


def format_name(raw: bytes) -> str | None:
    """The format an entry names, or None for a JSON line as sent."""
    if not raw.startswith(_FORMAT_PREFIX):
        return None
    end = raw.find(b'"', len(_FORMAT_PREFIX))
    return raw[len(_FORMAT_PREFIX):end].decode("utf-8", "replace") if end > 0 else None


def format_of(raw: bytes) -> RowFormat | None:
    """The registered reader of an entry, None for a JSON line; ``Malformed`` when the entry
    names a format no loaded package reads."""
    name = format_name(raw)
    if name is None:
        return None
    found = _FORMATS.get(name)
    if found is None:
        raise Malformed(Reason.WRONG_TYPE, f"a quarantined {name} entry: retry it with the "
                                           "skillaudit command line, which reads that format")
    return found


def row_view(raw: bytes) -> dict[str, Any]:
    """What to show for correcting an entry beside its raw bytes ({} for a JSON line)."""
    try:
        found = format_of(raw)
    except Malformed:
        return {}
    return found.view(raw) if found is not None else {}


def correction_of(obj: dict[str, Any]) -> bytes:
    """One correction as written in a corrections file: a corrected ``row`` (or ``rows``)
    of a spreadsheet entry, else the corrected ``raw`` line."""
    for key in ("rows", "row"):
        if key in obj:
            return json.dumps({key: obj[key]}, ensure_ascii=False).encode()
    return str(obj["raw"]).encode()
