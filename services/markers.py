"""Where the read models stand: the last position of each table a view is folded from.

Answers shared between requests (the findings queue, the credit ratings) are kept
while these stay put. The access log moves many times a second and tells nothing
about the facts, so it is never part of a marker; nor is the tracking row.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from projections.tables import metadata

NOT_FACTS = frozenset({"rm_access", "rm_tracking"})


def fact_tables(leave_out: Iterable[str] = ()) -> list[str]:
    """Every read-model table with a position, but the access log (and ``leave_out``)."""
    out = NOT_FACTS | set(leave_out)
    return [t.name for t in metadata.sorted_tables
            if t.name.startswith("rm_") and "position" in t.c and t.name not in out]


def marker(engine: sa.Engine, tables: Iterable[str], upto: int | None = None
           ) -> tuple[int, ...]:
    """The last position of each table (as of ``upto``), read through its primary key."""
    queries = []
    for name in tables:
        t = metadata.tables[name]
        q = sa.select(sa.func.max(t.c.position))
        queries.append(q if upto is None else q.where(t.c.position <= upto))
    with engine.connect() as conn:
        return tuple(int(conn.execute(q).scalar() or 0) for q in queries)
