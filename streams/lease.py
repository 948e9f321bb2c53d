"""Which consumer runs detection: one lease per store, held while its holder lives.

Every consumer stores events, but findings must be derived once per change, so
one of them holds the detection lease. On PostgreSQL it is a session advisory
lock, on SQLite an exclusive lock on a file beside the database: both are
released by the operating system or the server when the holder dies, even by
SIGKILL, so another consumer takes over at its next attempt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from typing import Any

from engine.store.factory import normalise_url, sqlite_path


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a lease name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Lease:
    """Try-lock without waiting; ``held()`` re-checks that the lock is still ours."""

    def __init__(self, db_url: str, name: str = "skillaudit.detect"):
        self.url = normalise_url(db_url)
        self.name = name
        self._conn: Any = None
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True when this process holds the lease (acquired now or earlier)."""
        if self.url.startswith("sqlite:///"):
            return self._acquire_file()
        return self._acquire_pg()

    def _acquire_file(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(sqlite_path(self.url) + ".detect.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _acquire_pg(self) -> bool:
        import psycopg

        if self._conn is not None:
            try:
                self._conn.execute("SELECT 1")  # the lock lives as long as this database session
                return True
            except psycopg.Error:
                self._drop_conn()
        conninfo = "postgresql://" + self.url.split("://", 1)[1]
        conn = psycopg.connect(conninfo, autocommit=True)
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(self.name),)).fetchone()
        if got and got[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def _drop_conn(self) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error):  # already broken
            self._conn.close()
        self._conn = None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            self._drop_conn()
