"""Bulk writers give PostgreSQL's planner statistics for what they filled.

Without them (autovacuum off, or not yet run after a load) a
read of the rows past a position, which the stream's follower makes of every read
model every cycle, scans the whole table instead of its primary key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

import engine.ingest as ingest_module
import projections.projector as projector_module
from engine.ingest import ingest
from engine.store.factory import open_store
from projections.projector import Projector, engine_for
from synth import generate

pytestmark = pytest.mark.postgres


def reltuples(engine: sa.Engine, table: str) -> float:
    """-1 until the table was first analyzed (or vacuumed)."""
    with engine.connect() as conn:
        return float(conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = :t"),
                                  {"t": table}).scalar())


def plan_past_the_end(engine: sa.Engine, table: str) -> str:
    """How PostgreSQL would read the last few rows by position."""
    with engine.connect() as conn:
        top = conn.execute(sa.text(f"SELECT max(position) FROM {table}")).scalar()
        rows = conn.execute(sa.text(f"EXPLAIN SELECT * FROM {table} WHERE position > :p"),
                            {"p": int(top) - 5}).scalars()
        return "\n".join(rows)


def load_city(url: str, tmp_path: Path) -> sa.Engine:
    out = tmp_path / "city.jsonl"
    generate(50, 5, out, tmp_path / "truth.json")
    store = open_store(url)
    try:
        summary = ingest(store, [str(out)], parallel=False)
        assert summary.stored > 1_000
    finally:
        store.close()
    engine = engine_for(url)
    Projector(engine).run()
    return engine


def test_a_bulk_load_and_its_projection_are_analyzed(pg_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "STATISTICS_AFTER", 1_000)
    monkeypatch.setattr(projector_module, "STATISTICS_AFTER", 1_000)
    engine = load_city(pg_url, tmp_path)
    assert reltuples(engine, "stored_events") > 1_000
    assert reltuples(engine, "rm_attendance") > 100
    assert "Index Scan" in plan_past_the_end(engine, "rm_attendance")
    engine.dispose()


def test_small_writes_leave_statistics_to_autovacuum(pg_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the threshold nothing is analyzed, and then the planner scans the whole
    table for the same read (what the analyze is there to prevent)."""
    monkeypatch.setattr(ingest_module, "STATISTICS_AFTER", 10**9)
    monkeypatch.setattr(projector_module, "STATISTICS_AFTER", 10**9)
    engine = load_city(pg_url, tmp_path)
    assert reltuples(engine, "stored_events") == -1
    assert reltuples(engine, "rm_attendance") == -1
    assert "Seq Scan" in plan_past_the_end(engine, "rm_attendance")
    engine.dispose()
