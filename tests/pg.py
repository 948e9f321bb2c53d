"""A fresh PostgreSQL database per test, on the local server, dropped afterwards.

``SKILLAUDIT_TEST_PG`` (``host:port``, default ``127.0.0.1:5432``) and
``SKILLAUDIT_TEST_PG_USER`` (default ``postgres``; trust authentication) say where.
When the server cannot be reached the caller fails, naming what to start:
PostgreSQL tests never skip silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

ADMIN_DB = "test"


def server() -> tuple[str, int, str]:
    host, _, port = os.environ.get("SKILLAUDIT_TEST_PG", "127.0.0.1:5432").rpartition(":")
    return host or "127.0.0.1", int(port or 5432), os.environ.get(
        "SKILLAUDIT_TEST_PG_USER", "postgres")


class PostgresUnavailable(Exception):
    """The test server cannot be reached; the message says what to start."""


_unreachable: str | None = None


def _admin() -> psycopg.Connection:
    global _unreachable
    host, port, user = server()
    if _unreachable is not None:
        raise PostgresUnavailable(_unreachable)
    try:
        return psycopg.connect(host=host, port=port, user=user, dbname=ADMIN_DB,
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        _unreachable = (
            f"PostgreSQL is not reachable at {host}:{port} as {user!r} (database {ADMIN_DB!r}): "
            f"{str(exc).strip()}\n-> start the server (e.g. `pg_ctlcluster 15 main start` or "
            "`service postgresql start`) and create the database "
            f"(`createdb -U postgres {ADMIN_DB}`), or set SKILLAUDIT_TEST_PG=host:port; "
            "to leave PostgreSQL out on purpose, deselect with -m 'not postgres'"
        )
        raise PostgresUnavailable(_unreachable) from None


def url_of(name: str) -> str:
    host, port, user = server()
    return f"postgresql://{user}@{host}:{port}/{name}"


def create_database() -> str:
    """Create ``sa_test_<random>`` and return its name (raises ``PostgresUnavailable``)."""
    name = f"sa_test_{uuid.uuid4().hex[:16]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(name: str) -> None:
    """Terminate every connection to the database and drop it."""
    with _admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new empty database's name for the duration of the block."""
    name = create_database()
    try:
        yield name
    finally:
        drop_database(name)
