"""Where the read models stand: the last position of each table a view is folded from.

Answers shared between requests (the findings queue, the credit ratings) are kept
while these stay put. The access log moves many times a second and tells nothing
about the facts, so it is never part of a marker; nor is the tracking row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from projections.tables import metadata

NOT_FACTS = frozenset({"rm_access", "rm_tracking"})


def fact_tables(leave_out: Iterable[str] = ()) -> list[str]:
    """Every read-model table with a position, but the access log (and ``leave_out``)."""
    out = NOT_FACTS | set(leave_out)
    return [t.name for t in metadata.sorted_tables
            if t.name.startswith("rm_") and "position" in t.c and t.name not in out]


_KEPT: dict[tuple[Any, ...], tuple[int, ...]] = {}
_KEPT_SIZE = 256
_kept_lock = threading.Lock()


def marker(engine: sa.Engine, tables: Iterable[str], upto: int | None = None, *,
           applied: int | None = None) -> tuple[int, ...]:
    """The last position of each table (as of ``upto``), read through its primary key.

    With ``applied`` (the read models' applied position, read before this call) the
    answer is kept: the tables change only when the projector moves that position, so
    while it stays put the marker is a lookup, not a query per table."""
    tables = tuple(tables)
    key = (engine, tables, upto, applied)
    if applied is not None:
        with _kept_lock:
            kept = _KEPT.get(key)
        if kept is not None:
            return kept
    queries = []
    for name in tables:
        t = metadata.tables[name]
        q = sa.select(sa.func.max(t.c.position))
        queries.append(q if upto is None else q.where(t.c.position <= upto))
    with engine.connect() as conn:
        found = tuple(int(conn.execute(q).scalar() or 0) for q in queries)
    if applied is not None:
        with _kept_lock:
            if len(_KEPT) >= _KEPT_SIZE:
                _KEPT.clear()
            _KEPT[key] = found
    return found
