"""Read JSON Lines from files, ``.gz`` files or standard input, streaming.

Yields numbered lines in chunks so memory stays bounded whatever the size,
and reports how many bytes were consumed for progress bars.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Source:
    """One input: its display name, and its size in bytes when known (for progress)."""

    name: str
    size: int | None

    @classmethod
    def of(cls, path: str) -> Source:
        if path == "-":
            return cls("-", None)
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"input file not found: {path}")
        return cls(str(p.resolve()), p.stat().st_size)


class _CountingReader(io.RawIOBase):
    """Counts compressed bytes read, so a .gz file's progress is measured on disk."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.raw.readinto(b)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0


def read_chunks(source: Source, chunk_lines: int = 5000
                ) -> Iterator[tuple[int, list[bytes], int]]:
    """Yield (first line number, lines without their newline, bytes consumed so far)."""
    if source.name == "-":
        raw: BinaryIO = sys.stdin.buffer
        counter = _CountingReader(raw)
    else:
        raw = open(source.name, "rb")  # noqa: SIM115 - closed below
        counter = _CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    stream: BinaryIO = buffered
    if source.name.endswith(".gz"):
        stream = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
        stream = io.BufferedReader(stream, buffer_size=1 << 20)  # type: ignore[arg-type]
    try:
        line_no = 0
        while True:
            lines = stream.readlines(chunk_lines * 256)
            if not lines:
                break
            first = line_no + 1
            line_no += len(lines)
            yield first, [ln.rstrip(b"\r\n") for ln in lines], counter.count
    finally:
        if source.name != "-":
            raw.close()


def is_terminal(stream: object = None) -> bool:
    """True when progress should be drawn (an interactive terminal, not CI logs)."""
    target = stream if stream is not None else sys.stderr
    return bool(getattr(target, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"
