"""A progress bar for long work (``rich.progress``), drawn only on an interactive terminal.

``ingest 导入 ━━━━━━╸━━━━  42% ETA 0:00:12  1,234 lines  56,789 lines/s  12 stored 已存``:
the bar, share done and time left when the total is known, the count done and its
rate, and the caller's note (what is stored, the detector running). Piped or redirected
nothing is drawn: no cursor movement or carriage returns reach a log.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

from engine.ingest import Progress as IngestProgress
from skillaudit.console import console_for


class ProgressLine:
    """One bar on stderr (or ``stream``, or ``console``), redrawn at most every ``every``
    seconds and removed by ``close``."""

    def __init__(self, label: str, stream: TextIO | None = None, every: float = 0.2,
                 console: Console | None = None):
        self.label = label
        self.console = console or console_for(stream if stream is not None else sys.stderr)
        self.enabled = self.console.is_terminal
        self.every = every
        self._started = time.monotonic()
        self._last = 0.0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def update(self, done: float, total: float | None, unit: str, rate_of: float,
               elapsed: float | None = None, extra: str = "") -> None:
        """``done`` of ``total`` (None: unknown); ``rate_of`` is the count shown, in
        ``unit``, over ``elapsed`` seconds (None: since the bar was made)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        if elapsed is None:
            elapsed = now - self._started
        rate = rate_of / elapsed if elapsed > 0 else 0.0
        eta = ""
        if total:
            frac = min(done / total, 1.0)
            if frac > 0:
                eta = f"ETA {timedelta(seconds=round(elapsed / frac - elapsed))}"
        fields = {"eta": eta, "count": f"{rate_of:,.0f} {unit}", "rate": f"{rate:,.0f} {unit}/s",
                  "extra": extra}
        if self._progress is None or self._task is None:
            self._progress = self._bar()
            self._task = self._progress.add_task(self.label, completed=done,
                                                 total=total or None, **fields)
            self._progress.start()  # drawn, in place from now on
            return
        self._progress.update(self._task, completed=done, total=total or None, **fields)
        self._progress.refresh()

    def _bar(self) -> Progress:
        def text(field: str, style: str = "") -> TextColumn:
            return TextColumn(f"{{task.fields[{field}]}}", style=style, markup=False)

        return Progress(
            TextColumn("{task.description}", markup=False), BarColumn(bar_width=24),
            TaskProgressColumn(), text("eta", "progress.remaining"), text("count"),
            text("rate", "progress.data.speed"), text("extra", "dim"),
            console=self.console, transient=True, auto_refresh=False, redirect_stdout=False)

    def close(self) -> None:
        """Remove the bar (if one was drawn) so what follows starts on a clean line."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = self._task = None


def ingest_progress(bar: ProgressLine) -> Callable[[IngestProgress], None]:
    """An ingest's progress callback drawing on ``bar``: lines read, stored, quarantined."""
    def update(p: IngestProgress) -> None:
        bar.update(p.bytes_done, p.source.size, "lines", p.lines, p.elapsed,
                   f"{p.stored:,} stored 已存 · {p.quarantined:,} quarantined 隔离")
    return update
