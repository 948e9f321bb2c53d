"""Columnar reads: ranges read in parallel come back whole and in position order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from projections import arrow_read, read
from projections.projector import Projector, engine_for
from projections.tables import metadata


def _fill(engine: sa.Engine, n: int) -> None:
    t = metadata.tables["rm_sessions"]
    metadata.create_all(engine, tables=[t])
    rows = [{"position": p, "recorded_us": p, "occurred_at": "2024-01-01T08:00:00+08:00",
             "occurred_ts": 1704067200 + p, "class_id": f"C{p % 7}", "date": "2024-01-01",
             "hours": float(p % 5), "teacher": None if p % 3 else f"T{p}"}
            for p in range(3, 3 + 3 * n, 3)]  # gaps: positions are not dense
    with engine.begin() as conn:
        conn.execute(t.insert(), rows)


@pytest.mark.parametrize("partitions", [1, 2, 4])
def test_partitioned_read_is_whole_and_ordered(store_url: str, partitions: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engine_for(store_url)
    _fill(engine, 5_000)
    monkeypatch.setattr(arrow_read, "PARTITIONS", partitions)  # in-process reads (PostgreSQL)
    t = metadata.tables["rm_sessions"]
    frame = read.read_frame(engine, sa.select(t).where(t.c.position > 30))
    with engine.connect() as conn:
        plain = pd.DataFrame(conn.execute(sa.select(t).where(t.c.position > 30).order_by(
            t.c.position)).fetchall(), columns=list(t.c.keys()))
    assert len(frame) == len(plain) == 4_990
    assert list(frame["position"]) == list(plain["position"])  # in order
    assert frame["teacher"].isna().sum() == plain["teacher"].isna().sum()
    assert list(frame["class_id"]) == list(plain["class_id"])
    # a query without position is read whole; an empty result keeps its types
    assert len(read.read_frame(engine, sa.select(t.c.class_id))) == 5_000
    empty = read.read_frame(engine, sa.select(t).where(t.c.position < 0))
    assert empty.empty and str(empty["hours"].dtype) == "float64"


def test_in_order_sorts_interleaved_batches() -> None:
    import pyarrow as pa

    batches = [pa.record_batch({"position": np.arange(lo, lo + 3)}) for lo in (30, 0, 60, 3)]
    ordered = arrow_read._in_order(pa.Table.from_batches(batches), "position")
    assert ordered.column("position").to_pylist() == [0, 1, 2, 3, 4, 5, 30, 31, 32, 60, 61, 62]


def test_reads_from_several_threads_share_a_bounded_pool(sqlite_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = engine_for(sqlite_url)
    _fill(engine, 2_000)
    t = metadata.tables["rm_sessions"]
    queries = [sa.select(t).where(t.c.position > 3 * k) for k in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        frames = list(pool.map(lambda q: read.read_frame(engine, q), queries))
    assert [len(f) for f in frames] == [2_000 - k for k in range(8)]
    assert 1 <= read._Reader._started <= read._Reader.MAX_READERS
    assert all(p.poll() is None for p in read._Reader._idle)  # kept for the next reads


def test_read_ahead_gives_the_same_checkins(sqlite_url: str, tmp_path: Path) -> None:
    from projections.views import Views
    from tests.projections.test_projector import load

    engine = load(sqlite_url, tmp_path)
    Projector(engine).run()
    ahead = Views(engine)
    ahead.read_ahead()
    assert len(ahead.checkins) > 0
    pd.testing.assert_frame_equal(ahead.checkins, Views(engine).checkins)
    assert not ahead._ahead  # the background read was taken, not read twice


def test_what_connectorx_cannot_read_is_read_as_rows_and_said_in_the_log(
        sqlite_url: str, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    engine = engine_for(sqlite_url)
    _fill(engine, 10)
    t = metadata.tables["rm_sessions"]
    untyped = sa.select(t.c.position, sa.literal_column("NULL").label("absent"))
    with caplog.at_level(logging.DEBUG, logger="projections.read"):
        frame = read.read_frame(engine, untyped)  # connectorx cannot type a NULL literal
    assert len(frame) == 10 and frame["absent"].isna().all()
    assert "reading rows, not columns" in caplog.text and "null" in caplog.text.lower()

    def gone(*_: object) -> None:
        raise BrokenPipeError("the reader process is gone")

    monkeypatch.setattr(read._Reader, "read", gone)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="projections.read"):
        frame = read.read_frame(engine, sa.select(t))  # not expected: said, and still answered
    assert len(frame) == 10
    assert "columnar read failed" in caplog.text and "BrokenPipeError" in caplog.text
