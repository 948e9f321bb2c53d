"""A progress line for long work, drawn only on an interactive terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from engine.sources import is_terminal


def _fmt_n(n: float) -> str:
    return f"{n:,.0f}"


class ProgressLine:
    """``label  42% |█████░░░░░| 1,234 lines · 56,789/s · ETA 12s`` redrawn in place."""

    def __init__(self, label: str, stream: TextIO | None = None, every: float = 0.2):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = is_terminal(self.stream)
        self.every = every
        self._last = 0.0
        self._drawn = False

    def update(self, done: float, total: float | None, unit: str, rate_of: float,
               elapsed: float, extra: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        rate = rate_of / elapsed if elapsed > 0 else 0.0
        parts = [self.label]
        if total:
            frac = min(done / total, 1.0)
            bar = "█" * int(frac * 24) + "░" * (24 - int(frac * 24))
            eta = (elapsed / frac - elapsed) if frac > 0 else 0
            parts.append(f"{frac:4.0%} |{bar}| ETA {eta:4.0f}s")
        parts.append(f"{_fmt_n(rate)} {unit}/s")
        if extra:
            parts.append(extra)
        self.stream.write("\r" + "  ".join(parts) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
