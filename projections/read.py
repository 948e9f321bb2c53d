"""Read query results into pandas as columns, not rows.

The check-in frame of a 200,000-person city has about 7.5 million rows; read
through DB-API tuples it takes close to a minute and 9 GB here. connectorx
(Rust) reads SQLite and PostgreSQL straight into Arrow columns, which pandas
takes over without building one Python object per value: about 5 seconds and
2 GB. Queries that select ``position`` are read in ranges of it by parallel
threads (one per core, at most 4) and put back in position order.

connectorx bundles its own SQLite. Two SQLite libraries in one process must not
open the same database file: closing a file in one drops the POSIX locks the
other holds on it (sqlite.org/howtocorrupt.html, 2.2.1), which here showed up as
stale reads and "disk I/O error". So SQLite files are read by connectorx in a
separate reader process that hands the Arrow columns back over a pipe;
PostgreSQL, reached over the network, is read in this process. The plain
SQLAlchemy path remains for anything connectorx cannot read (and for empty
results, which it cannot type).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import sqlalchemy as sa

from engine.processes import OWN_GROUP
from projections.arrow_read import _read_arrow
from projections.chinatime import in_china_time

log = logging.getLogger(__name__)

_ROOT = str(Path(__file__).resolve().parents[1])
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None  # memory-backed when there is one


def _connectorx_url(engine: sa.Engine) -> str | None:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return "sqlite://" + str(Path(url.database).resolve())
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    return None


class _Reader:
    """Reader processes of this process, started on first use: one per thread reading at
    once (at most ``MAX_READERS``), so a read-ahead in the background does not queue the
    foreground's reads behind it."""

    MAX_READERS = 2
    _idle: ClassVar[list[subprocess.Popen[bytes]]] = []
    _started = 0
    _free = threading.Condition()

    @classmethod
    def _forget(cls) -> None:
        """In a forked child: the parent's reader processes are not ours to talk to."""
        cls._idle, cls._started, cls._free = [], 0, threading.Condition()

    @classmethod
    def read(cls, target: str, sql: str, partition_on: str | None = None) -> Any:
        import pyarrow as pa

        proc = cls._take()
        ok = False
        try:
            assert proc.stdin is not None and proc.stdout is not None
            fd, path = tempfile.mkstemp(suffix=".arrow", dir=_SCRATCH)
            os.close(fd)
            try:
                proc.stdin.write(json.dumps([target, sql, partition_on, path]).encode()
                                 + b"\n")
                proc.stdin.flush()
                size = int.from_bytes(_read_exactly(proc.stdout, 8), "big")
                reply = _read_exactly(proc.stdout, size)
                ok = True  # the process answered: it can serve the next request
                if reply[:2] != b"ok":
                    raise RuntimeError(reply[2:].decode(errors="replace"))
                with pa.memory_map(path) as source:  # no copy through a pipe
                    return pa.ipc.open_file(source).read_all()
            finally:
                os.unlink(path)
        finally:
            cls._give_back(proc, ok)

    @classmethod
    def _take(cls) -> subprocess.Popen[bytes]:
        with cls._free:
            while True:
                while cls._idle:
                    proc = cls._idle.pop()
                    if proc.poll() is None:
                        return proc
                    cls._started -= 1
                if cls._started < cls.MAX_READERS:
                    cls._started += 1
                    break
                cls._free.wait()
        try:
            return subprocess.Popen(
                [sys.executable, "-c", "from projections.arrow_read import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(
                    p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}, **OWN_GROUP)
        except BaseException:
            with cls._free:
                cls._started -= 1
                cls._free.notify()
            raise

    @classmethod
    def _give_back(cls, proc: subprocess.Popen[bytes], ok: bool) -> None:
        with cls._free:
            if ok and proc.poll() is None:
                cls._idle.append(proc)
            else:
                cls._started -= 1
                _close(proc)
            cls._free.notify()

    @classmethod
    def stop(cls) -> None:
        with cls._free:
            idle, cls._idle = cls._idle, []
            cls._started -= len(idle)
        for proc in idle:
            _close(proc)


def _close(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()


atexit.register(_Reader.stop)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_Reader._forget)


def _read_exactly(stream: Any, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise RuntimeError("the columnar reader process stopped")
    return bytes(data)


def _dtype(column: Any) -> str:
    t = column.type
    if isinstance(t, sa.Boolean):
        return "boolean"
    if isinstance(t, sa.Integer):
        return "Int64"
    if isinstance(t, sa.Float):
        return "float64"
    return "object"  # not arrow-backed: pandas cannot join empty arrow strings


def typed_empty(query: sa.Select[Any]) -> pd.DataFrame:
    """An empty frame whose columns carry the types a filled one would have."""
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c)) for c in query.selected_columns})


def exact_money(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns (``*_fen``) as nullable integers: exact, and missing stays missing
    (a plain int64 column would turn a missing amount into a float NaN)."""
    for col in frame.columns:
        if col.endswith("_fen") and frame[col].dtype != "Int64":
            frame[col] = frame[col].astype("Int64")
    return frame


def read_frame(engine: sa.Engine, query: sa.Select[Any], *, few: bool = False) -> pd.DataFrame:
    """The query's rows as a DataFrame (columnar when connectorx can read the database).

    ``few``: the caller expects a handful of rows (a stream's new findings, say), for
    which a plain read is far cheaper than the columnar reader's setup of some 25 ms.
    """
    target = None if few else _connectorx_url(engine)
    if target is not None:
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        # read-model rows carry their log position: big tables are read in ranges of it
        key = "position" if "position" in {c.name for c in query.selected_columns} else None
        try:
            if engine.dialect.name == "sqlite":
                table = _Reader.read(target, sql, key)
            else:
                table = _read_arrow(target, sql, key)
        except RuntimeError as exc:  # connectorx cannot read it (a column of NULLs only …)
            log.debug("reading rows, not columns (%s): %s", exc, sql)
            table = None
        except Exception:  # not expected, and the rows still answer: say so, then read them
            log.warning("the columnar read failed; reading rows instead", exc_info=True)
            table = None
        if table is not None:
            # pandas cannot join empty Arrow-backed strings: empty frames are typed here
            return table.to_pandas() if table.num_rows else typed_empty(query)
    with engine.connect() as conn:
        result = conn.execute(query)
        rows = result.fetchall()
    if not rows:
        return typed_empty(query)
    frame = pd.DataFrame(rows, columns=list(result.keys()))
    return _typed_like_columnar(frame, query) if few else frame


def read_rows(engine: sa.Engine, query: sa.Select[Any], *, few: bool = False) -> pd.DataFrame:
    """Read-model rows as the rules see them: times in Beijing's calendar, money exact,
    in log order."""
    return in_log_order(exact_money(in_china_time(read_frame(engine, query, few=few))))


def in_log_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by ``position``: a database returns them in whatever order its plan reads
    them (PostgreSQL's follow the heap), and the same rows must make the same frame."""
    if "position" not in frame.columns or frame["position"].is_monotonic_increasing:
        return frame
    return frame.sort_values("position", kind="stable", ignore_index=True)


def _typed_like_columnar(frame: pd.DataFrame, query: sa.Select[Any]) -> pd.DataFrame:
    """Columns with no value at all typed as the columnar reader types them (plain rows
    would leave them as Python ``None`` objects), so either read gives the same frame."""
    for column in query.selected_columns:
        name = column.name
        if frame[name].dtype == object and frame[name].isna().all():
            kind = _dtype(column)
            frame[name] = frame[name].astype("str" if kind == "object" else kind)
    return frame
