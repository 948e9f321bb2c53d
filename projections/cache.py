"""Read-model rows kept between reads, so a long-running reader fetches only new rows.

Every read-model table is insert-only and keyed by the event's position, and a
projection is deterministic (a rebuild writes the same rows again), so rows at
or below a position, once read, never change: a follower that detects every
second reads each table's new rows only. Windows are applied in position order,
each in one transaction, so a read that sees position P sees every row below it.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from projections.read import read_frame
from projections.tables import metadata


class RowCache:
    """Per (table, columns): the rows read so far and the highest position among them."""

    def __init__(self) -> None:
        self._frames: dict[tuple[str, tuple[str, ...]], tuple[int, pd.DataFrame]] = {}

    def rows(self, engine: sa.Engine, name: str, columns: list[str] | None) -> pd.DataFrame:
        """The table's current rows (the named columns), reading only what is new."""
        table = metadata.tables[name]
        wanted = columns or [c.name for c in table.c]
        read = wanted if "position" in wanted else [*wanted, "position"]
        key = (name, tuple(read))
        upto, cached = self._frames.get(key, (0, None))
        query = sa.select(*[table.c[c] for c in read]).where(table.c.position > upto)
        if cached is None or cached.empty:
            frame = read_frame(engine, query)  # columnar: the first read is the big one
        else:
            with engine.connect() as conn:  # a few new rows: plain rows beat connectorx's setup
                result = conn.execute(query)
                rows = result.fetchall()
            frame = cached
            if rows:
                try:
                    fresh = pd.DataFrame(rows, columns=list(result.keys())).astype(
                        cached.dtypes.to_dict())
                    frame = pd.concat([cached, fresh], ignore_index=True)
                except (TypeError, ValueError):  # types that cannot meet: read it whole
                    frame = read_frame(engine, sa.select(*[table.c[c] for c in read]))
        if not frame.empty:
            upto = int(frame["position"].max())
        self._frames[key] = (upto, frame)
        return frame[wanted]  # a copy: callers may add columns without touching the cache
