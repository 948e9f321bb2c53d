"""Creating missing tables when several processes open one database at once.

Consumers in a group start together and each creates the side tables it needs
(read models, stream progress, the alerts outbox). ``CREATE TABLE IF NOT
EXISTS`` alone is not enough on PostgreSQL: two concurrent creates of the same
new table both pass the check and one fails on the catalogue's unique index
(``pg_type_typname_nsp_index``). So on PostgreSQL the check and the creates
run under one transaction-level advisory lock, the same key the event store's
own DDL takes; on SQLite they run under the database's write lock.

It also holds the other upkeep bulk writers owe a database: fresh planner
statistics after a bulk load (``refresh_statistics``).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

DDL_LOCK = 0x5A_A0D1  # advisory lock key: "skillaudit DDL"


def create_missing(engine: sa.Engine, tables: Iterable[sa.Table], *,
                   indexes: bool = True) -> list[str]:
    """Create those of ``tables`` (and, with ``indexes``, their indexes) that are missing.

    Returns the names of the tables created here, so a caller can tell a first open.
    """
    created: list[str] = []
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": DDL_LOCK})
        elif conn.dialect.name == "sqlite":  # the write lock before the look, not after it
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        existing = set(sa.inspect(conn).get_table_names())
        for table in tables:
            if table.name in existing:
                continue
            conn.execute(CreateTable(table, if_not_exists=True))
            if indexes:
                for index in table.indexes:
                    conn.execute(CreateIndex(index, if_not_exists=True))
            created.append(table.name)
    return created


# PostgreSQL plans from table statistics. A table loaded in bulk has none until
# autovacuum analyzes it (a minute later at best, never where it is switched off), and
# meanwhile a read of the rows past a position (the follower's every read) scans the
# whole table instead of its primary key. So bulk writers analyze what they filled.
STATISTICS_AFTER = 20_000  # rows written in one go that call for fresh statistics


def refresh_statistics(engine: sa.Engine, tables: Iterable[str]) -> None:
    """``ANALYZE`` each table on PostgreSQL (sampled: a fraction of a second each);
    nothing elsewhere (SQLite's planner picks the position index without statistics)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in tables:
            conn.execute(sa.text(f'ANALYZE "{name}"'))
