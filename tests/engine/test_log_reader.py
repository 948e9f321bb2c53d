"""The log read on a SQLAlchemy engine (``LogReader``, ``LogSource``) says what the store's
own reads say, on SQLite and PostgreSQL: the same ids, positions, bytes and chain hashes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from engine.store.base import EventStore, StoredRow
from engine.store.log_reader import LogReader
from engine.store.log_source import log_source
from projections.projector import engine_for
from tests.engine.store_contract import all_rows, new_events

N = 1_000  # more than one IN (...) chunk of positions or ids


@pytest.fixture
def stored(store: EventStore, store_url: str) -> Iterator[tuple[list[StoredRow], sa.Engine]]:
    store.append(new_events(N))
    engine = engine_for(store_url)
    try:
        yield all_rows(store), engine
    finally:
        engine.dispose()


def test_event_ids_and_positions_agree_with_the_store(
        stored: tuple[list[StoredRow], sa.Engine]) -> None:
    rows, engine = stored
    log = LogReader(engine)
    beyond = rows[-1].position + 10
    ids = log.event_ids_at([*(r.position for r in reversed(rows)), beyond])
    assert ids == {r.position: r.event_id for r in rows}  # every chunk; none for `beyond`
    picked = rows[::97]
    assert log.positions_of([r.event_id for r in picked] + ["no-such-event"]) == {
        r.event_id: r.position for r in picked}
    assert len(log.positions_of([r.event_id for r in rows])) == N  # more than one chunk


def test_events_at_positions_come_in_log_order_as_stored(
        stored: tuple[list[StoredRow], sa.Engine]) -> None:
    rows, engine = stored
    picked = [rows[500], rows[3], rows[-1], rows[3]]
    got = LogReader(engine).events_at(r.position for r in picked)
    assert [(e.position, e.topic, e.state) for e in got] == [
        (r.position, r.topic, r.state) for r in sorted({r.position: r for r in picked}.values(),
                                                       key=lambda r: r.position)]
    assert len(LogReader(engine).events_at(r.position for r in rows)) == N


def test_chain_hashes_up_to_a_position_are_the_stored_ones_in_order(
        stored: tuple[list[StoredRow], sa.Engine]) -> None:
    rows, engine = stored
    log = LogReader(engine)
    assert list(log.chain_hashes(rows[599].position)) == [r.chain_hash for r in rows[:600]]
    assert list(log.chain_hashes(0)) == []


def test_the_projectors_fragments_read_the_same_log(
        stored: tuple[list[StoredRow], sa.Engine]) -> None:
    rows, engine = stored
    source = log_source(engine.dialect.name)
    with engine.connect() as conn:
        assert conn.execute(sa.text(source.head())).scalar() == rows[-1].position
        window = {"lo": rows[9].position, "hi": rows[19].position}
        topics = set(conn.execute(sa.text(source.topics_between()), window).scalars())
        assert topics == {r.topic for r in rows[10:20]}
        # the window's rows, with the state decoded as JSON the backend can read
        listed = conn.execute(sa.text(
            f"SELECT e.position, {source.get('e.j', 'event_id', 'str')} "
            f"FROM {source.rows(tuple(topics))} ORDER BY e.position"), window).fetchall()
    assert [(int(p), e) for p, e in listed] == [(r.position, r.event_id) for r in rows[10:20]]
