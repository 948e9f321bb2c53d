"""The workbench's accounts and login sessions: two mutable tables beside the log.

A password hash must be replaceable and a login must be revocable, which the
append-only log cannot do; what accounts *do* goes to the log as access events
(``services.access``). The tables live in the store's own database, created
when first needed, on a connection of their own: the read models' connection
trades durability for speed (``PRAGMA synchronous=OFF``), and a password reset
must survive a power cut.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

accounts = sa.Table(
    "web_accounts", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed", sa.Integer, nullable=False, default=0),  # failed logins in a row
    sa.Column("locked_until_us", sa.BigInteger, nullable=False, default=0),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("changed_us", sa.BigInteger, nullable=False),  # password last set
    sa.Column("language", sa.Text, nullable=False, server_default="zh"),  # the pages'
)

logins = sa.Table(
    "web_logins", metadata,
    sa.Column("token_sha256", sa.Text, primary_key=True),  # never the token itself
    sa.Column("name", sa.Text, nullable=False, index=True),
    sa.Column("csrf", sa.Text, nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("expires_us", sa.BigInteger, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
)


def open_accounts(url: str) -> sa.Engine:
    """An engine on the store's database with the two tables in place."""
    if url.startswith(("postgresql://", "postgres://")):
        engine = sa.create_engine("postgresql+psycopg://" + url.split("://", 1)[1],
                                  pool_pre_ping=True)
    else:
        engine = sa.create_engine(url)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

    metadata.create_all(engine, checkfirst=True)
    _add_new_columns(engine)
    return engine


def _add_new_columns(engine: sa.Engine) -> None:
    """Columns a later version added, with their defaults: unlike the read models these
    tables cannot be rebuilt from the log, so they grow in place."""
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if column.server_default is None:
                raise RuntimeError(f"{table.name}.{column.name} needs a server default to be "
                                   "added to an existing table")
            kind = column.type.compile(engine.dialect)
            default = column.server_default.arg  # type: ignore[attr-defined]
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind} "
                    f"NOT NULL DEFAULT '{default}'")


class Verified:
    """Logins a server process checked lately, by (store, token digest): each is trusted
    for ``within`` seconds before the table is asked again. Ending a login (logout, a
    disabled or reset account, a new password) forgets it here at once."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._kept: dict[tuple[str, str], tuple[str, Any, float]] = {}  # name, login, when
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], within: float) -> Any:
        with self._lock:
            hit = self._kept.get(key)
        if hit is None or time.monotonic() - hit[2] >= within:
            return None
        return hit[1]

    def put(self, key: tuple[str, str], name: str, login: Any) -> None:
        with self._lock:
            self._kept[key] = (name, login, time.monotonic())
            if len(self._kept) > self.size:  # the older half goes
                for k in sorted(self._kept, key=lambda k: self._kept[k][2])[:self.size // 2]:
                    del self._kept[k]

    def drop(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._kept.pop(key, None)

    def forget(self, name: str | None = None) -> None:
        """Every login kept (``name``'s only, when given) is asked again next time."""
        with self._lock:
            if name is None:
                self._kept.clear()
            else:
                for k in [k for k, (n, _, _) in self._kept.items() if n == name]:
                    del self._kept[k]


VERIFIED = Verified()  # this process's: each server process keeps its own
