"""Several processes opening one new database at once each create the side tables:
none may fail because another created a table first (the CI failure of 2026-11-24,
three consumers racing on ``CREATE TABLE stream_progress`` on PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from engine.store.ddl import create_missing
from projections.projector import Projector, engine_for
from projections.tables import metadata as read_models
from streams.alerts import outbox_position
from streams.progress import PartitionProgress

OPENERS = 6


def race(store_url: str, work: Callable[[sa.Engine], None]) -> list[BaseException]:
    """Run ``work`` from OPENERS threads at once, each on its own engine, like processes."""
    engines = [engine_for(store_url) for _ in range(OPENERS)]
    for engine in engines:  # connect first, so the barrier releases them into the DDL together
        engine.connect().close()  # the pooled connection stays open for the race
    barrier = threading.Barrier(OPENERS)
    errors: list[BaseException] = []

    def run(engine: sa.Engine) -> None:
        barrier.wait()
        try:
            work(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for engine in engines:
        engine.dispose()
    return errors


def some_tables(round_: int) -> list[sa.Table]:
    md = sa.MetaData()
    return [sa.Table(f"side_{round_}_{i}", md,
                     sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("name", sa.String(40), index=True))
            for i in range(4)]


def test_concurrent_first_opens_create_each_table_once(store_url: str) -> None:
    for round_ in range(8):
        tables = some_tables(round_)
        created: list[list[str]] = []
        errors = race(store_url, lambda e, c=created, t=tables: c.append(create_missing(e, t)))
        assert errors == []
        # each table was created by exactly one opener, the others found it there
        assert sorted(n for names in created for n in names) == sorted(t.name for t in tables)
    engine = engine_for(store_url)
    try:
        inspector = sa.inspect(engine)
        names = set(inspector.get_table_names())
        assert {f"side_{r}_{i}" for r in range(8) for i in range(4)} <= names
        assert [ix["name"] for ix in inspector.get_indexes("side_7_3")] == ["ix_side_7_3_name"]
    finally:
        engine.dispose()


@pytest.mark.parametrize("opener", ["projector", "progress", "outbox", "all"])
def test_consumers_starting_together_open_the_side_tables(store_url: str, opener: str) -> None:
    def work(engine: sa.Engine) -> None:
        if opener in ("projector", "all"):
            Projector(engine).create()
        if opener in ("progress", "all"):
            PartitionProgress(engine, "city")
        if opener in ("outbox", "all"):
            outbox_position(engine, "alerts", 0)

    assert race(store_url, work) == []
    engine = engine_for(store_url)
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    if opener in ("projector", "all"):
        assert set(read_models.tables) <= names
    if opener in ("progress", "all"):
        assert "stream_progress" in names


def test_followers_starting_together_agree_on_the_outbox_start(store_url: str) -> None:
    seen: list[int] = []
    starts = iter(range(100, 100 + OPENERS))
    lock = threading.Lock()

    def work(engine: sa.Engine) -> None:
        with lock:
            start = next(starts)
        seen.append(outbox_position(engine, "alerts", start))

    assert race(store_url, work) == []
    assert len(seen) == OPENERS and len(set(seen)) == 1  # the first one's start, for all
