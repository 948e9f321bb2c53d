"""Helpers for tests that run ingest processes and look at the store from outside."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
from typing import Any

import psycopg


def count_events(url: str) -> int:
    """Stored events, read with the backend's own driver (0 while the table does not exist)."""
    try:
        if url.startswith("sqlite:///"):
            conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        else:
            conn = psycopg.connect(url, autocommit=True)
        try:
            return int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):
        return 0


def id_stats(url: str) -> tuple[int, int]:
    """(rows, distinct event ids)."""
    sql = "SELECT count(*), count(DISTINCT event_id) FROM stored_events"
    if url.startswith("sqlite:///"):
        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
    else:
        conn = psycopg.connect(url, autocommit=True)
    try:
        rows, distinct = conn.execute(sql).fetchone()
        return int(rows), int(distinct)
    finally:
        conn.close()


def kill_group(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL whatever is left of a process group this test started (``start_new_session``)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
