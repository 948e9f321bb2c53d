"""Read-model rows kept between reads, so a long-running reader fetches only new rows.

Every read-model table is insert-only and keyed by the event's position, and a
projection is deterministic (a rebuild writes the same rows again), so rows at
or below a position, once read, never change: a follower that detects every
second reads each table's new rows only. Windows are applied in position order,
each in one transaction, so a read that sees position P sees every row below it.
"""

from __future__ import annotations

import contextlib
from datetime import date

import pandas as pd
import sqlalchemy as sa

from projections.chinatime import in_china_time
from projections.horizon import COLUMNS as KEPT
from projections.read import in_log_order, read_rows
from projections.tables import metadata


class RowCache:
    """Per (table, columns): the rows read so far and the highest position among them.

    New rows are read over one kept connection in autocommit mode: a follower reads
    some thirty tables every second, and a pooled connection per read costs a ping,
    a BEGIN and a ROLLBACK round trip each time.
    """

    def __init__(self) -> None:
        self._frames: dict[tuple[str, tuple[str, ...]], tuple[int, pd.DataFrame]] = {}
        self._conn: sa.Connection | None = None
        # frames derived from these rows, by name: (day, the reads it took, frame); see
        # ``projections.views.carried``
        self.derived: dict[str, tuple[date, dict, pd.DataFrame]] = {}

    def head(self, name: str) -> int:
        """The highest position of ``name`` read so far (under any columns)."""
        return max((upto for (table, _), (upto, _) in self._frames.items() if table == name),
                   default=0)

    def rows(self, engine: sa.Engine, name: str, columns: list[str] | None) -> pd.DataFrame:
        """The table's current rows (the named columns), reading only what is new."""
        table = metadata.tables[name]
        wanted = columns or [c.name for c in table.c]
        # position for reading on, recorded_us for a stream's horizon: kept whatever the
        # caller asked, so reads with and without a horizon share one cache entry
        read = [*wanted, *(c for c in KEPT if c not in wanted)]
        key = (name, tuple(read))
        upto, cached = self._frames.get(key, (0, None))
        query = sa.select(*[table.c[c] for c in read]).where(table.c.position > upto)
        if cached is None:
            frame = read_rows(engine, query)  # columnar: the first read is the big one
        else:  # a few new rows: plain rows beat connectorx's setup
            keys, rows = self._fetch(engine, query)
            frame = cached
            if rows and cached.empty:  # the table's first rows: their types come from it
                frame = read_rows(engine, query)
            elif rows:
                try:
                    fresh = pd.DataFrame(rows, columns=keys)
                    have = fresh.dtypes
                    fresh = fresh.astype({c: t for c, t in cached.dtypes.items()
                                          if have[c] != t})  # the others are alike already
                    frame = pd.concat([cached, in_log_order(in_china_time(fresh))],
                                      ignore_index=True)
                except (TypeError, ValueError):  # types that cannot meet: read it whole
                    frame = read_rows(engine, sa.select(*[table.c[c] for c in read]))
        if not frame.empty:
            upto = int(frame["position"].max())
        self._frames[key] = (upto, frame)
        return frame[wanted]  # a copy: callers may add columns without touching the cache

    def _fetch(self, engine: sa.Engine, query: sa.Select) -> tuple[list[str], list]:
        """Run ``query`` on the kept connection, on a new one if the server dropped it."""
        try:
            return self._execute(engine, query)
        except sa.exc.DBAPIError:  # a restarted server, say: once more, freshly connected
            self.close()
            return self._execute(engine, query)

    def _execute(self, engine: sa.Engine, query: sa.Select) -> tuple[list[str], list]:
        if self._conn is None or self._conn.engine is not engine:
            self.close()
            self._conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        result = self._conn.execute(query)
        # plain tuples: pandas probes each row it is given for a dtype, and a probe of
        # SQLAlchemy's Row raises and catches a KeyError inside, per row
        return list(result.keys()), [tuple(row) for row in result]

    def close(self) -> None:
        """Give the kept connection back (the next read opens another)."""
        if self._conn is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._conn.close()
            self._conn = None
