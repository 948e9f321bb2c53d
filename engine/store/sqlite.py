"""The event store on SQLite: eventsourcing's SQLite application recorder, chained.

Writes take SQLite's write lock first (``BEGIN IMMEDIATE``), read the chain
head, and insert, so several processes can append to one file and still form
one chain. WAL with ``synchronous=NORMAL``: a killed process loses nothing it
committed (a power cut may lose the last commits, never corrupt the file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
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
from engine.parse import NewEvent
from engine.quarantine import QuarantinedLine, QuarantineEntry, Reason
from engine.store.base import (
    ROW_COLUMNS,
    VERSION_CACHE_MAX,
    AppendResult,
    EventStore,
    StoredRow,
    chain_rows,
    conflict_entry,
)

_IN_CHUNK = 900  # bound parameters per IN (...) query


class SQLiteTunedPool(SQLiteConnectionPool):
    """The library's pool, with pragmas for bulk appends on every new connection."""

    def _create_connection(self) -> SQLiteConnection:
        conn = super()._create_connection()
        raw: sqlite3.Connection = conn._sqlite_conn
        if not self.is_sqlite_memory_mode:
            raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache for index inserts
        raw.execute("PRAGMA temp_store=MEMORY")
        raw.execute("PRAGMA wal_autocheckpoint=10000")  # fewer, larger checkpoints in bulk
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

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        t = self.events_table_name
        self.url = f"sqlite:///{datastore.pool.db_name}"
        self.insert_events_statement = f"INSERT INTO {t} ({ROW_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)"
        self._last_seq = -1  # chain seq this object last wrote; stream cache valid while equal
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
    def _write(self) -> Iterator[SQLiteCursor]:
        with self.datastore.get_connection(commit=True) as conn, \
                _ImmediateTransaction(conn, commit=True) as curs, curs:
            yield curs

    def _head(self, c: SQLiteCursor) -> ChainHead:
        c.execute(f"SELECT rowid, chain_seq, chain_hash FROM {self.events_table_name} "
                  "ORDER BY rowid DESC LIMIT 1")
        row = c.fetchone()
        return EMPTY_HEAD if row is None else ChainHead(row[1], bytes(row[2]), row[0])

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        with self._write() as c:
            return self._insert_events(c, stored_events, **kwargs)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **_: Any) -> Sequence[int]:
        """The library's path (aggregates saved one by one): chained like bulk appends."""
        head = self._head(c)
        rows, _head = chain_rows(head, [
            (s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
             s.originator_version, s.topic, s.state, None, None)
            for s in stored_events
        ])
        ids = []
        for row in rows:
            c.execute(self.insert_events_statement, row)
            ids.append(c.lastrowid)
        self._last_seq = -1
        return ids

    def append(self, events: Sequence[NewEvent],
               quarantine: Sequence[QuarantineEntry] = ()) -> AppendResult:
        result = AppendResult()
        with self._write() as c:
            head = self._head(c)
            if head.seq != self._last_seq or len(self._versions) > VERSION_CACHE_MAX:
                self._versions.clear()
            fresh, conflicts = self._drop_known(c, events)
            result.duplicates = len(events) - len(fresh) - len(conflicts)
            versions = self._next_versions(c, fresh)
            rows, new_head = chain_rows(head, [
                (stream, versions(stream), type_, state, event_id, recorded)
                for event_id, type_, stream, recorded, state, *_ in fresh
            ])
            c.executemany(self.insert_events_statement, rows)
            result.stored = len(rows)
            entries = list(quarantine) + conflicts
            result.conflicts = conflicts
            if entries:
                before = self._changes(c)
                c.executemany(
                    "INSERT OR IGNORE INTO quarantine (source, line_no, raw, raw_hash, reason, "
                    "message) VALUES (?,?,?,?,?,?)",
                    [(q.source, q.line_no, q.raw, q.raw_hash, str(q.reason), q.message)
                     for q in entries],
                )
                result.quarantined = self._changes(c) - before
                result.quarantine_known = len(entries) - result.quarantined
            result.head = ChainHead(new_head.seq, new_head.hash,
                                    head.position + len(rows)) if rows else head
            self._last_seq = new_head.seq
        return result

    @staticmethod
    def _changes(c: SQLiteCursor) -> int:
        c.execute("SELECT total_changes()")
        return int(c.fetchone()[0])

    def _drop_known(self, c: SQLiteCursor, events: Sequence[NewEvent]
                    ) -> tuple[list[NewEvent], list[QuarantineEntry]]:
        """Events whose id is new (first of each id in the batch); conflicting re-sends."""
        seen: dict[str, NewEvent] = {}
        dup_in_batch: list[NewEvent] = []
        for e in events:
            if e[0] in seen:
                dup_in_batch.append(e)
            else:
                seen[e[0]] = e
        stored: dict[str, bytes] = {}
        ids = list(seen)
        for i in range(0, len(ids), _IN_CHUNK):
            chunk = ids[i:i + _IN_CHUNK]
            c.execute(f"SELECT event_id, state FROM {self.events_table_name} "
                      f"WHERE event_id IN ({','.join('?' * len(chunk))})", chunk)
            stored.update((r[0], bytes(r[1])) for r in c.fetchall())
        conflicts = [
            conflict_entry(NewEvent(*e))
            for e in [*dup_in_batch, *(seen[i] for i in stored)]
            if e[4] != stored.get(e[0], seen[e[0]][4])
        ]
        fresh = [e for i, e in seen.items() if i not in stored]
        return fresh, conflicts

    def _next_versions(self, c: SQLiteCursor, events: Sequence[NewEvent]) -> Callable[[str], int]:
        cache = self._versions
        unknown = list({e[2] for e in events if e[2] not in cache})
        for i in range(0, len(unknown), _IN_CHUNK):
            chunk = unknown[i:i + _IN_CHUNK]
            c.execute(f"SELECT originator_id, MAX(originator_version) FROM "
                      f"{self.events_table_name} WHERE originator_id IN "
                      f"({','.join('?' * len(chunk))}) GROUP BY originator_id", chunk)
            cache.update((r[0], r[1]) for r in c.fetchall())

        def next_version(stream: str) -> int:
            v = cache.get(stream, 0) + 1
            cache[stream] = v
            return v

        return next_version

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
        with self._write() as c:
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
