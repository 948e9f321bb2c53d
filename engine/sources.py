"""Read JSON Lines from files, ``.gz`` files or standard input, streaming.

Yields numbered lines in chunks so memory stays bounded whatever the size,
and reports how many bytes were consumed for progress bars.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from engine.errors import SkillauditError, UsageError

GZIP_MAGIC = b"\x1f\x8b"


class SourceError(SkillauditError):
    """A file stopped being readable part-way (truncated or corrupt); lines before it stand."""

    def __init__(self, name: str, lines_read: int, message: str):
        super().__init__(f"{name}: {message} after line {lines_read:,}; the lines before it are "
                         "stored: fix or replace the file and rerun the same ingest to finish it "
                         "(nothing is stored twice)")
        self.name = name
        self.lines_read = lines_read


@dataclass(frozen=True)
class Source:
    """One input: its display name, and its size in bytes when known (for progress)."""

    name: str
    size: int | None

    @classmethod
    def of(cls, path: str) -> Source:
        """The input at ``path``, refused with ``UsageError`` when it cannot be read at all."""
        if path == "-":
            return cls("-", None)
        p = Path(path)
        if p.is_dir():
            raise UsageError(f"{path} is a folder, not a file: name the files in it "
                             f"(e.g. {p / '*.jsonl'})")
        if not p.exists():
            raise UsageError(f"input file not found: {path}")
        try:
            with open(p, "rb") as f:
                head = f.read(2)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}; check its "
                             "permissions") from None
        if p.name.endswith(".gz") and head != GZIP_MAGIC:
            raise UsageError(f"{path} is named .gz but is not gzip-compressed: rename it "
                             "without .gz if it is plain JSON Lines")
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
    line_no = 0
    try:
        while True:
            try:
                lines = stream.readlines(chunk_lines * 256)
            except EOFError:
                raise SourceError(source.name, line_no, "the compressed file ends "
                                  "mid-stream (truncated)") from None
            except (OSError, zlib.error) as exc:
                raise SourceError(source.name, line_no, f"cannot be read further ({exc})") \
                    from None
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
