"""Findings leave as alerts, from the log itself (an outbox), so none is lost.

Each finding raised or withdrawn is a stored event, so the alert publisher reads
them from the read models after a recorded position, sends them, waits for the
broker's acknowledgement and only then moves the position on. A crash between
the two re-sends a few alerts, never skips one; ``alert_id`` (the finding and the
log position of its event) lets a reader recognise a repeat.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from kafka import KafkaProducer

from findings.listing import as_records
from projections.tables import metadata as rm
from projections.views import Views

metadata = sa.MetaData()
outbox = sa.Table(  # not a projection: a rebuild of the read models must not reset it
    "stream_outbox", metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


def outbox_position(engine: sa.Engine, name: str, start: int) -> int:
    """The position alerts were published up to; created at ``start`` the first time."""
    metadata.create_all(engine, checkfirst=True)
    with engine.begin() as conn:
        value = conn.execute(sa.select(outbox.c.position).where(outbox.c.name == name)).scalar()
        if value is None:
            conn.execute(outbox.insert().values(name=name, position=start))
            return start
    return int(value)


def set_outbox_position(engine: sa.Engine, name: str, position: int) -> None:
    with engine.begin() as conn:
        conn.execute(outbox.update().where(outbox.c.name == name).values(position=position))


def latest_alert_position(views: Views) -> int:
    """The last finding or withdrawal event position (where a new outbox starts)."""
    last = 0
    for table in ("rm_findings", "rm_findings_withdrawn"):
        rows = views.rows(table, ["position"])
        if not rows.empty:
            last = max(last, int(rows["position"].max()))
    return last


def alerts_after(views: Views, after: int) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, finding id, alert) for each finding raised or withdrawn after ``after``.

    A raised alert is the finding in the spec's form, ID numbers masked (alerts
    leave the system); a withdrawal names the finding and the facts withdrawn.
    """
    out: list[tuple[int, str, dict[str, Any]]] = []
    raised = views.rows("rm_findings", where=[rm.tables["rm_findings"].c.position > after])
    if not raised.empty:
        frame = raised.set_index("finding_id", drop=True)
        frame["first_raised_at"] = frame["occurred_at"]
        frame["new"] = True
        for (fid, row), rec in zip(frame.iterrows(), as_records(frame), strict=True):
            pos = int(row["position"])
            out.append((pos, str(fid), {"alert": "raised", "alert_id": f"{fid}@{pos}", **rec}))
    gone = views.rows("rm_findings_withdrawn",
                      where=[rm.tables["rm_findings_withdrawn"].c.position > after])
    for r in gone.itertuples(index=False):
        pos = int(r.position)
        out.append((pos, r.finding_id, {
            "alert": "withdrawn", "alert_id": f"{r.finding_id}@{pos}",
            "finding_id": r.finding_id, "code": r.code, "facts_digest": r.facts_digest,
            "run_id": r.run_id, "reason": r.reason, "detected_at": r.occurred_at}))
    out.sort(key=lambda a: a[0])
    return out


def send_alerts(producer: KafkaProducer, topic: str,
                alerts: list[tuple[int, str, dict[str, Any]]]) -> None:
    """Send alerts keyed by finding id (one finding's alerts stay in order) and wait."""
    for _, fid, alert in alerts:
        producer.send(topic, key=fid.encode(),
                      value=json.dumps(alert, ensure_ascii=False, default=str).encode())
    producer.flush()


def as_frame(alerts: list[tuple[int, str, dict[str, Any]]]) -> pd.DataFrame:
    """Alerts as a table (for tests and summaries)."""
    return pd.DataFrame([a for _, _, a in alerts])
