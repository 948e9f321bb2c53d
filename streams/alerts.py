"""Findings leave as alerts, from the log itself (an outbox), so none is lost.

Each finding raised or withdrawn is a stored event, so the alert publisher reads
them after a recorded position (``services.detection.finding_changes``), sends them, waits for the
broker's acknowledgement and only then moves the position on. A crash between
the two re-sends a few alerts, never skips one; ``alert_id`` (the finding and the
log position of its event) lets a reader recognise a repeat.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from kafka import KafkaProducer

from engine.store.ddl import create_missing

metadata = sa.MetaData()
outbox = sa.Table(  # not a projection: a rebuild of the read models must not reset it
    "stream_outbox", metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


def outbox_position(engine: sa.Engine, name: str, start: int) -> int:
    """The position alerts were published up to; created at ``start`` the first time."""
    create_missing(engine, metadata.sorted_tables)
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    with engine.begin() as conn:  # insert-if-absent: two followers starting at once agree
        conn.execute(insert(outbox).values(name=name, position=start)
                     .on_conflict_do_nothing(index_elements=["name"]))
        return int(conn.execute(sa.select(outbox.c.position)
                                .where(outbox.c.name == name)).scalar_one())


def set_outbox_position(engine: sa.Engine, name: str, position: int) -> None:
    with engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.name == name).values(position=position))


def send_alerts(producer: KafkaProducer, topic: str,
                alerts: list[tuple[int, str, dict[str, Any]]]) -> None:
    """Send alerts keyed by finding id (one finding's alerts stay in order) and wait."""
    for _, fid, alert in alerts:
        producer.send(topic, key=fid.encode(),
                      value=json.dumps(alert, ensure_ascii=False, default=str).encode())
    producer.flush()
