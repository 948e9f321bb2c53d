"""How far each partition of a topic has been stored, and the low watermark over them.

After each batch is stored, the consumer records per partition the latest
recording time (``recorded_at``, which defaults to ``occurred_at``) among the events
it stored, and when it did. The follower takes the lowest of those over the
partitions still moving: a partition silent for ``idle_s`` seconds (drained, or
held by a consumer that died) no longer holds the others back, and when every
partition is silent there is no watermark at all, so a drained stream ends with
everything visible, as a batch run would see it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa

from engine.store.ddl import create_missing

metadata = sa.MetaData()
progress = sa.Table(  # not a projection: a rebuild of the read models must not reset it
    "stream_progress", metadata,
    sa.Column("topic", sa.String(249), primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("recorded_upto_us", sa.BigInteger, nullable=False),
    sa.Column("updated_us", sa.BigInteger, nullable=False),  # wall clock of the last update
)


class Mark(NamedTuple):
    partition: int
    recorded_upto_us: int
    updated_us: int


def low_watermark(marks: Iterable[Mark], now_us: int, idle_s: float) -> int | None:
    """The lowest recording time over partitions updated in the last ``idle_s`` seconds;
    None when none was (nothing to wait for)."""
    moving = [m.recorded_upto_us for m in marks if now_us - m.updated_us < idle_s * 1e6]
    return min(moving) if moving else None


class PartitionProgress:
    """Records a topic's per-partition progress in the store's database."""

    def __init__(self, engine: sa.Engine, topic: str):
        self.engine = engine
        self.topic = topic
        create_missing(engine, metadata.sorted_tables)

    def record(self, upto: dict[int, int]) -> None:
        """Move each partition's mark forward (never back: a late event is no regress)."""
        if not upto:
            return
        now = int(time.time() * 1e6)
        rows = [{"topic": self.topic, "partition": p, "recorded_upto_us": us, "updated_us": now}
                for p, us in sorted(upto.items())]
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
            furthest = sa.func.greatest
        else:
            from sqlalchemy.dialects.sqlite import insert
            furthest = sa.func.max  # SQLite's max() of two values is scalar
        stmt = insert(progress)
        stmt = stmt.on_conflict_do_update(
            index_elements=["topic", "partition"],
            set_={"recorded_upto_us": furthest(progress.c.recorded_upto_us,
                                               stmt.excluded.recorded_upto_us),
                  "updated_us": stmt.excluded.updated_us})
        with self.engine.begin() as conn:
            conn.execute(stmt, rows)

    def marks(self) -> list[Mark]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(progress.c.partition, progress.c.recorded_upto_us,
                                          progress.c.updated_us)
                                .where(progress.c.topic == self.topic)).fetchall()
        return [Mark(int(p), int(r), int(u)) for p, r, u in rows]
