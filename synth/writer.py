"""Writing the JSON Lines file: master data first, then day after day in recording order.

Output is plain or gzip (by the ``.gz`` suffix); gzip headers carry no name and no
time, so equal plans give byte-identical files. Lines are joined per day and written
in large chunks.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from synth.agenda import Agenda
from synth.emit_master import master
from synth.encoding import Ctx, Out

_BUFFER = 4 << 20


class Output:
    """A binary sink to ``path``: gzip (level 3, no name, mtime 0) when it ends in ``.gz``."""

    def __init__(self, path: Path) -> None:
        self.raw = open(path, "wb", buffering=_BUFFER)  # noqa: SIM115 - closed in close()
        self.stream: BinaryIO = self.raw
        if path.suffix == ".gz":
            self.stream = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw,
                                        compresslevel=3, mtime=0)

    def write(self, data: bytes) -> None:
        """Append bytes."""
        self.stream.write(data)

    def close(self) -> None:
        """Flush the compressor (if any), then the file."""
        if self.stream is not self.raw:
            self.stream.close()
        self.raw.close()


def _write(stream: Output, out: Out) -> int:
    if out:
        stream.write(("\n".join([pair[1] for pair in out]) + "\n").encode())
    return len(out)


def write_events(ctx: Ctx, agenda: Agenda, path: Path,
                 progress: Callable[[int, int], None] | None, total: int) -> int:
    """Write every event; returns how many. ``progress`` gets a share of ``total`` per day."""
    stream = Output(path)
    try:
        count = sum(_write(stream, chunk) for chunk in master(ctx))
        first, last = agenda.span()
        span = last - first + 1
        reported = -1
        for day in range(first, last + 1):
            count += _write(stream, agenda.run(ctx, day))
            if progress is not None:
                done = total * (day - first + 1) // span
                if done != reported and (done - reported >= max(1, total // 200) or day == last):
                    progress(done, total)
                    reported = done
    finally:
        stream.close()
    return count
