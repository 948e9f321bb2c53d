"""The event store on SQLite: eventsourcing's SQLite application recorder, chained.

Writes take SQLite's write lock first (``BEGIN IMMEDIATE``), read the chain
head, and insert, so several processes can append to one file and still form
one chain. WAL with ``synchronous=NORMAL``: a killed process loses nothing it
committed (a power cut may lose the last commits, never corrupt the file).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import OperationalError, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteTransaction,
)

from engine.chain import EMPTY_HEAD, ChainHead
from engine.quarantine import QuarantinedLine, QuarantineEntry, Reason
from engine.store.base import (
    ROW_COLUMNS,
    DuplicateEventId,
    EventStore,
    Row,
    StoredRow,
    chain_rows,
    library_item,
)
from engine.store.log_source import EVENTS_TABLE

_IN_CHUNK = 900  # bound parameters per IN (...) query


class SQLiteTunedPool(SQLiteConnectionPool):
    """The library's pool, with pragmas for bulk appends on every new connection."""

    def _create_connection(self) -> SQLiteConnection:
        # Switching a new file to WAL needs an exclusive lock and SQLite may answer
        # "database is locked" at once, without waiting, when another process opens the
        # same new file at that moment: wait and try again rather than fail the ingest.
        delay = 0.05
        for attempt in range(40):
            try:
                conn = super()._create_connection()
                break
            except (OperationalError, sqlite3.OperationalError) as exc:
                if "locked" not in str(exc) or attempt == 39:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        raw: sqlite3.Connection = conn._sqlite_conn
        if not self.is_sqlite_memory_mode:
            raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache for index inserts
        raw.execute("PRAGMA temp_store=MEMORY")
        raw.execute("PRAGMA wal_autocheckpoint=50000")  # fewer, larger checkpoints in bulk
        return conn


class SQLiteTunedDatastore(SQLiteDatastore):
    def __init__(self, db_name: str, **kwargs: Any):
        super().__init__(db_name, **kwargs)
        self.pool.close()
        self.pool = SQLiteTunedPool(db_name=db_name, lock_timeout=kwargs.get("lock_timeout"))


class _ImmediateTransaction(SQLiteTransaction):
    """The library's transaction, but taking the write lock at BEGIN."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class SQLiteEventStore(SQLiteApplicationRecorder, EventStore):
    """eventsourcing's ``SQLiteApplicationRecorder`` with the chain, event ids and quarantine."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = EVENTS_TABLE):
        super().__init__(datastore, events_table_name)
        t = self.events_table_name
        self.url = f"sqlite:///{datastore.pool.db_name}"
        self.insert_events_statement = f"INSERT INTO {t} ({ROW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)"
        self._versions: dict[str, int] = {}

    def construct_create_table_statements(self) -> list[str]:
        t = self.events_table_name
        return [
            f"CREATE TABLE IF NOT EXISTS {t} ("
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "event_id TEXT, recorded_at INTEGER, chain_seq INTEGER NOT NULL, "
            "chain_hash BLOB NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))",
            f"CREATE UNIQUE INDEX IF NOT EXISTS {t}_event_id ON {t} (event_id)",
            f"CREATE INDEX IF NOT EXISTS {t}_topic ON {t} (topic)",  # + rowid: reads by type
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t} "
            "BEGIN SELECT RAISE(ABORT, 'stored events are immutable'); END",
            f"CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t} "
            "BEGIN SELECT RAISE(ABORT, 'stored events are immutable'); END",
            "CREATE TABLE IF NOT EXISTS quarantine ("
            "id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, "
            "line_no INTEGER NOT NULL, raw BLOB NOT NULL, raw_hash TEXT NOT NULL, "
            "reason TEXT NOT NULL, message TEXT NOT NULL, "
            "received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), "
            "status TEXT NOT NULL DEFAULT 'open', attempts INTEGER NOT NULL DEFAULT 0, "
            "resolved_event_id TEXT, UNIQUE (source, line_no, raw_hash))",
        ]

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        with self.datastore.get_connection(commit=True) as conn, \
                _ImmediateTransaction(conn, commit=True) as curs, curs:
            yield curs

    def _head(self, c: SQLiteCursor) -> ChainHead:
        c.execute(f"SELECT rowid, chain_seq, chain_hash FROM {self.events_table_name} "
                  "ORDER BY rowid DESC LIMIT 1")
        row = c.fetchone()
        return EMPTY_HEAD if row is None else ChainHead(row[1], bytes(row[2]), row[0])

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        with self._writing() as c:
            return self._insert_events(c, stored_events, **kwargs)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **_: Any) -> Sequence[int]:
        """The library's path (aggregates saved one by one): chained like bulk appends."""
        rows, _head = chain_rows(self._head(c), [
            library_item(s.originator_id.hex if isinstance(s.originator_id, UUID)
                         else s.originator_id, s) for s in stored_events
        ])
        ids = []
        for row in rows:
            c.execute(self.insert_events_statement, row)
            ids.append(c.lastrowid)
        self._last_seq = -1
        return ids

    def _stored_states(self, c: SQLiteCursor, event_ids: list[str]) -> dict[str, bytes]:
        stored: dict[str, bytes] = {}
        for i in range(0, len(event_ids), _IN_CHUNK):
            chunk = event_ids[i:i + _IN_CHUNK]
            c.execute(f"SELECT event_id, state FROM {self.events_table_name} "
                      f"WHERE event_id IN ({','.join('?' * len(chunk))})", chunk)
            stored.update((r[0], bytes(r[1])) for r in c.fetchall())
        return stored

    def _stream_versions(self, c: SQLiteCursor, streams: list[str]) -> dict[str, int]:
        versions: dict[str, int] = {}
        for i in range(0, len(streams), _IN_CHUNK):
            chunk = streams[i:i + _IN_CHUNK]
            c.execute(f"SELECT originator_id, MAX(originator_version) FROM "
                      f"{self.events_table_name} WHERE originator_id IN "
                      f"({','.join('?' * len(chunk))}) GROUP BY originator_id", chunk)
            versions.update((r[0], r[1]) for r in c.fetchall())
        return versions

    def _insert_rows(self, c: SQLiteCursor, rows: list[Row]) -> None:
        try:
            c.executemany(self.insert_events_statement, rows)
        except sqlite3.IntegrityError as exc:
            if f"{self.events_table_name}.event_id" in str(exc):
                raise DuplicateEventId(str(exc)) from None
            raise

    @contextmanager
    def _savepoint(self, c: SQLiteCursor) -> Iterator[None]:
        c.execute("SAVEPOINT optimistic")
        try:
            yield
        except BaseException:
            c.execute("ROLLBACK TO optimistic")
            c.execute("RELEASE optimistic")
            raise
        c.execute("RELEASE optimistic")

    def _insert_quarantine(self, c: SQLiteCursor, entries: list[QuarantineEntry]) -> int:
        c.execute("SELECT total_changes()")
        before = int(c.fetchone()[0])
        c.executemany(
            "INSERT OR IGNORE INTO quarantine (source, line_no, raw, raw_hash, reason, message) "
            "VALUES (?,?,?,?,?,?)",
            [(q.source, q.line_no, q.raw, q.raw_hash, str(q.reason), q.message) for q in entries],
        )
        c.execute("SELECT total_changes()")
        return int(c.fetchone()[0]) - before

    def _last_position(self, c: SQLiteCursor) -> int:
        c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
        return int(c.fetchone()[0] or 0)

    # -- reading -----------------------------------------------------------------------------

    def head(self) -> ChainHead:
        with self.datastore.transaction(commit=False) as c:
            return self._head(c)

    def read(self, after: int = 0, limit: int = 10_000, upto: int | None = None) -> list[StoredRow]:
        sql = f"SELECT rowid, {ROW_COLUMNS} FROM {self.events_table_name} WHERE rowid > ?"
        params: list[Any] = [after]
        if upto is not None:
            sql += " AND rowid <= ?"
            params.append(upto)
        sql += " ORDER BY rowid LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return [StoredRow(r[0], r[1], r[2], r[3], bytes(r[4]), r[5], r[6], r[7], bytes(r[8]))
                    for r in c.fetchall()]

    def count_by_type(self) -> dict[str, int]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT topic, COUNT(*) FROM {self.events_table_name} "
                      "GROUP BY topic ORDER BY topic")
            return {r[0]: r[1] for r in c.fetchall()}

    def find_seq(self, seq: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid FROM {self.events_table_name} WHERE chain_seq = ?", (seq,))
            row = c.fetchone()
            return None if row is None else row[0]

    def position_recorded_by(self, recorded_before_us: int) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name} "
                      "WHERE recorded_at <= ?", (recorded_before_us,))
            row = c.fetchone()
            return int(row[0] or 0)

    # -- quarantine --------------------------------------------------------------------------

    def quarantine_list(self, status: str | None = "open") -> list[QuarantinedLine]:
        sql = ("SELECT id, source, line_no, raw, reason, message, received_at, status, "
               "attempts, resolved_event_id FROM quarantine")
        params: tuple[Any, ...] = ()
        if status is not None:
            sql += " WHERE status = ?"
            params = (status,)
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql + " ORDER BY id", params)
            return [QuarantinedLine(r[0], r[1], r[2], bytes(r[3]), Reason(r[4]), r[5], r[6],
                                    r[7], r[8], r[9]) for r in c.fetchall()]

    def quarantine_mark(self, entry_id: int, *, resolved_event_id: str | None,
                        message: str | None = None) -> None:
        with self._writing() as c:
            if resolved_event_id is not None:
                c.execute("UPDATE quarantine SET status='resolved', attempts=attempts+1, "
                          "resolved_event_id=? WHERE id=?", (resolved_event_id, entry_id))
            else:
                c.execute("UPDATE quarantine SET attempts=attempts+1, "
                          "message=COALESCE(?, message) WHERE id=?", (message, entry_id))

    def quarantine_count(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT COUNT(*) FROM quarantine WHERE status='open'")
            return int(c.fetchone()[0])

    def close(self) -> None:
        self.datastore.close()


class SQLiteStoreFactory(SQLiteFactory):
    """eventsourcing's SQLite factory building the chained store and tuned connections."""

    application_recorder_class = SQLiteEventStore

    def __init__(self, env: Any):
        super().__init__(env)
        old = self.datastore
        self.datastore = SQLiteTunedDatastore(
            old.pool.db_name, lock_timeout=old.pool.lock_timeout,
            single_row_tracking=old.single_row_tracking,
            originator_id_type=old.originator_id_type,
        )
        old.close()


Factory = SQLiteStoreFactory
