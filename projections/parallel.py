"""Rebuild part of the log in helper processes, each into its own scratch SQLite file.

A full rebuild on SQLite is bound by SQLite parsing each event's JSON on one
core, and one database file takes one writer at a time. So ``Projector.run``
hands the later ranges of positions to helper processes (``python -m
projections.parallel``): each reads the store read-only (WAL lets it read while
the projector writes) and fills the same read-model tables in a scratch file
of its own. The projector then appends each part in position order with
``INSERT … SELECT *``, which SQLite copies record by record without decoding
(its transfer optimisation: same schema, rowid primary key, no index yet).

A helper is only an accelerator: a part that fails or never arrives is simply
applied by the projector itself, window by window, as if there were no helper.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable

from engine.processes import OWN_GROUP

# at least this many events per helper, or spawning one is not worth it
MIN_EVENTS_PER_JOB = 250_000
SUFFIX = ".rebuild-part-"  # scratch files: STORE.rebuild-part-PID-LO.db


def remove_stale(store_path: str) -> None:
    """Delete scratch files left by a rebuild whose process is gone (killed mid-way)."""
    for path in Path(os.path.abspath(store_path)).parent.glob(
            Path(store_path).name + SUFFIX + "*"):
        pid = path.name[len(Path(store_path).name + SUFFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def projected_tables() -> list[str]:
    """The read-model tables filled from the log (the ones a part holds)."""
    from projections.sources import ARRAY_TABLES, FACT_TABLES

    return [t.name for t in FACT_TABLES] + [t.name for t in ARRAY_TABLES]


def split(lo: int, hi: int, jobs: int, *, head_start: float = -0.08) -> list[tuple[int, int]]:
    """``jobs`` contiguous ranges covering (lo, hi]; the first is the projector's own.

    Its share is ``head_start`` off an even one: measured on 10M events, a helper
    filling a new file runs slower than the projector appending to the store's
    (which also drops the old tables first), so the projector takes a little more.
    """
    span = hi - lo
    jobs = max(1, min(jobs, span // MIN_EVENTS_PER_JOB))
    if jobs == 1:
        return [(lo, hi)]
    first = int(span / jobs * (1 - head_start))
    rest = (span - first) / (jobs - 1)
    bounds = [lo, lo + first] + [lo + first + round(rest * k) for k in range(1, jobs)]
    bounds[-1] = hi
    return list(itertools.pairwise(bounds))


@dataclass
class Part:
    """One helper process filling ``(lo, hi]`` into its own scratch file."""

    lo: int
    hi: int
    path: Path
    proc: subprocess.Popen[bytes] | None = None
    error: str = ""

    @classmethod
    def start(cls, store_path: str, lo: int, hi: int, window: int) -> Part:
        """Spawn a helper; its scratch file sits beside the store (room for a part of it)."""
        remove_stale(store_path)
        name = f"{os.path.abspath(store_path)}{SUFFIX}{os.getpid()}-{lo}.db"
        Path(name).unlink(missing_ok=True)
        part = cls(lo, hi, Path(name))
        root = Path(__file__).resolve().parents[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)}
        part.proc = subprocess.Popen(
            [sys.executable, "-m", "projections.parallel", store_path, name, str(lo), str(hi),
             str(window)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
            **OWN_GROUP)
        return part

    def wait(self) -> bool:
        """True when the helper filled its part completely."""
        if self.proc is None:
            return False
        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            lines = (err or b"").decode(errors="replace").strip().splitlines()
            self.error = lines[-1] if lines else f"exit code {self.proc.returncode}"
            return False
        return True

    def discard(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)


def fill(store_path: str, part_path: str, lo: int, hi: int, window: int) -> None:
    """Fill every projected table of a fresh scratch file from events (lo, hi] of the store."""
    from engine.store.log_source import EVENTS_TABLE, log_source
    from projections.sources import ARRAY_TABLES, FACT_TABLES
    from projections.statements import array_statement, fact_statement
    from projections.tables import metadata

    conn = sqlite3.connect(Path(part_path).resolve().as_uri(), uri=True, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # a scratch file: a failed helper is discarded
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("ATTACH DATABASE ? AS store", (Path(store_path).resolve().as_uri() + "?mode=ro",))
    ddl = sqlite_dialect.dialect()
    for name in projected_tables():
        conn.execute(str(CreateTable(metadata.tables[name]).compile(dialect=ddl)))
    log = log_source("sqlite", f"store.{EVENTS_TABLE}")  # the store, attached read-only
    statements = [fact_statement(log, t) for t in FACT_TABLES] + [
        array_statement(log, t) for t in ARRAY_TABLES]
    parent = os.getppid()
    for w_lo in range(lo, hi, window):
        if os.getppid() != parent:
            raise SystemExit("the rebuilding process is gone")
        # one read snapshot per window, so the projector's checkpoints are not held back
        conn.execute("BEGIN")
        for statement in statements:
            conn.execute(statement, {"lo": w_lo, "hi": min(w_lo + window, hi)})
        conn.execute("COMMIT")
    conn.close()


if __name__ == "__main__":
    store, part, lo_, hi_, window_ = sys.argv[1:6]
    fill(store, part, int(lo_), int(hi_), int(window_))
