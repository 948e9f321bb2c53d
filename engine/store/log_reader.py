"""Reads of the event log by position or event id, on a SQLAlchemy engine on its database.

A timeline, the evidence list of a finding, a detection run's notes and an evidence
pack's Merkle leaves are read where the read models are, on their engine, not through
the store's own connections. Their SQL lives here, beside the stores, in the dialect
of the engine's backend (``LogSource``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import sqlalchemy as sa

from engine.store.log_source import LogSource, log_source

_IN_CHUNK = 900  # positions or ids per IN (...) query
_STREAM_BATCH = 50_000  # chain hashes fetched per round trip


class LoggedEvent(NamedTuple):
    """One stored event as a reader needs it: its place, its type and its stored JSON."""

    position: int
    topic: str
    state: bytes


class LogReader:
    """The log of the database ``engine`` points at (the store's own database)."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._source: LogSource = log_source(engine.dialect.name)

    def event_ids_at(self, positions: Iterable[int]) -> dict[int, str]:
        """The event id stored at each position (positions not stored are absent)."""
        wanted = sorted({int(p) for p in positions})
        t, pos = self._source.table, self._source.position
        out: dict[int, str] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _IN_CHUNK):
                listed = ", ".join(str(p) for p in wanted[i:i + _IN_CHUNK])
                rows = conn.execute(sa.text(
                    f"SELECT {pos}, event_id FROM {t} WHERE {pos} IN ({listed})")).fetchall()
                out.update((int(p), e) for p, e in rows)
        return out

    def positions_of(self, event_ids: Sequence[str]) -> dict[str, int]:
        """The position of each stored event id (ids not stored are absent)."""
        t, pos = self._source.table, self._source.position
        query = sa.text(f"SELECT event_id, {pos} FROM {t} WHERE event_id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(event_ids), _IN_CHUNK):
                rows = conn.execute(query, {"ids": list(event_ids[i:i + _IN_CHUNK])}).fetchall()
                out.update((e, int(p)) for e, p in rows)
        return out

    def events_at(self, positions: Iterable[int]) -> list[LoggedEvent]:
        """The events stored at these positions, in log order."""
        wanted = sorted({int(p) for p in positions})
        t, pos = self._source.table, self._source.position
        out: list[LoggedEvent] = []
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _IN_CHUNK):
                listed = ", ".join(str(p) for p in wanted[i:i + _IN_CHUNK])
                rows = conn.execute(sa.text(
                    f"SELECT {pos}, topic, state FROM {t} WHERE {pos} IN ({listed}) "
                    f"ORDER BY {pos}")).fetchall()
                out.extend(LoggedEvent(int(p), str(topic), bytes(state))
                           for p, topic, state in rows)
        return out

    def events_of_type(self, topic: str, upto: int | None = None) -> list[LoggedEvent]:
        """Every stored event of one type (at or before ``upto``), in log order: a rare
        type read at the head of the log, on the events table's index by type."""
        t, pos = self._source.table, self._source.position
        bound = "" if upto is None else f" AND {pos} <= {int(upto)}"
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                f"SELECT {pos}, topic, state FROM {t} WHERE topic = :t{bound} ORDER BY {pos}"),
                {"t": topic}).fetchall()
        return [LoggedEvent(int(p), str(tp), bytes(state)) for p, tp, state in rows]

    def chain_hashes(self, upto: int) -> Iterator[bytes]:
        """Every chain hash with position <= ``upto``, in log order (only that column).

        Straight from the driver's cursor (server-side on PostgreSQL): SQLAlchemy's
        row objects cost four times the read itself at millions of rows.
        """
        t, pos = self._source.table, self._source.position
        raw = self.engine.raw_connection()
        try:
            if self._source.backend == "postgresql":
                cur = raw.driver_connection.cursor(name="skillaudit_chain_hashes")  # type: ignore[union-attr]
                sql = f"SELECT chain_hash FROM {t} WHERE {pos} <= %s ORDER BY {pos}"
            else:
                cur = raw.cursor()
                sql = f"SELECT chain_hash FROM {t} WHERE {pos} <= ? ORDER BY {pos}"
            cur.execute(sql, (upto,))
            while part := cur.fetchmany(_STREAM_BATCH):
                for (h,) in part:
                    yield bytes(h)
            cur.close()
        finally:
            raw.close()
