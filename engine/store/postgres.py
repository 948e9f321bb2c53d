"""The event store on PostgreSQL: eventsourcing's Postgres application recorder, chained.

Every write takes the library's ``LOCK TABLE … IN EXCLUSIVE MODE`` first (it
serialises writers but not readers), reads the chain head, and inserts, so
several ingest processes writing one database still form one chain. Bulk
appends use ``COPY … FROM STDIN (FORMAT BINARY)``, the fastest path into
PostgreSQL, inside the same transaction as the duplicate check.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg import Cursor
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from engine.chain import EMPTY_HEAD, ChainHead
from engine.parse import NewEvent
from engine.quarantine import QuarantinedLine, QuarantineEntry, Reason
from engine.store.base import (
    ROW_COLUMNS,
    VERSION_CACHE_MAX,
    AppendResult,
    EventStore,
    StoredRow,
    StoreError,
    chain_rows,
    conflict_entry,
)


class PostgresEventStore(PostgresApplicationRecorder, EventStore):
    """eventsourcing's ``PostgresApplicationRecorder`` with the chain, event ids and quarantine."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.url = "postgresql://{}@{}/{}".format(*_describe(datastore))
        schema, table = Identifier(datastore.schema), Identifier(self.events_table_name)
        self._t = SQL("{}.{}").format(schema, table)
        self._q = SQL("{}.quarantine").format(schema)
        id_type = SQL(datastore.originator_id_type)
        self.sql_create_statements[self.create_table_statement_index] = SQL(
            "CREATE TABLE IF NOT EXISTS {t} ("
            "originator_id {id_type} NOT NULL, originator_version bigint NOT NULL, "
            "topic text, state bytea, notification_id bigserial, "
            "event_id text, recorded_at bigint, chain_seq bigint NOT NULL, "
            "chain_hash bytea NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(t=self._t, id_type=id_type)
        guard = Identifier(f"{self.events_table_name}_immutable")
        self.sql_create_statements += [
            SQL("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} (event_id)").format(
                Identifier(f"{self.events_table_name}_event_id_idx"), self._t),
            SQL("CREATE OR REPLACE FUNCTION {}.skillaudit_immutable() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'stored events are immutable'; "
                "END $$").format(schema),
            SQL("CREATE OR REPLACE TRIGGER {} BEFORE UPDATE OR DELETE ON {} FOR EACH ROW "
                "EXECUTE FUNCTION {}.skillaudit_immutable()").format(guard, self._t, schema),
            SQL("CREATE OR REPLACE TRIGGER {} BEFORE TRUNCATE ON {} FOR EACH STATEMENT "
                "EXECUTE FUNCTION {}.skillaudit_immutable()").format(
                Identifier(f"{self.events_table_name}_no_truncate"), self._t, schema),
            SQL("CREATE TABLE IF NOT EXISTS {} ("
                "id bigserial PRIMARY KEY, source text NOT NULL, line_no bigint NOT NULL, "
                "raw bytea NOT NULL, raw_hash text NOT NULL, reason text NOT NULL, "
                "message text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), "
                "status text NOT NULL DEFAULT 'open', attempts int NOT NULL DEFAULT 0, "
                "resolved_event_id text, UNIQUE (source, line_no, raw_hash))").format(self._q),
        ]
        self._insert_sql = SQL(
            "INSERT INTO {t} (" + ROW_COLUMNS + ") SELECT * FROM unnest("
            "%s::text[], %s::bigint[], %s::text[], %s::bytea[], %s::text[], %s::bigint[], "
            "%s::bigint[], %s::bytea[]) RETURNING notification_id"
        ).format(t=self._t)
        self._copy_sql = SQL("COPY {t} (" + ROW_COLUMNS + ") FROM STDIN (FORMAT BINARY)").format(
            t=self._t)
        self._last_seq = -1
        self._versions: dict[str, int] = {}

    # -- writing -----------------------------------------------------------------------------

    def _head(self, curs: Cursor[DictRow]) -> ChainHead:
        curs.execute(SQL("SELECT notification_id, chain_seq, chain_hash FROM {} "
                         "ORDER BY notification_id DESC LIMIT 1").format(self._t))
        row = curs.fetchone()
        if row is None:
            return EMPTY_HEAD
        return ChainHead(row["chain_seq"], bytes(row["chain_hash"]), row["notification_id"])

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **_: Any) -> None:
        """The library's path (one aggregate at a time): chained like bulk appends."""
        self._lock_table(curs)
        self._notify_channel(curs)
        with curs.connection.cursor() as head_curs:
            head = self._head(head_curs)
        rows, _head = chain_rows(head, [
            (str(s.originator_id), s.originator_version, s.topic, s.state, None, None)
            for s in stored_events
        ])
        columns = list(zip(*rows, strict=True)) if rows else [[]] * 8
        if self.datastore.originator_id_type == "uuid":
            self._insert_sql_uuid = getattr(self, "_insert_sql_uuid", SQL(
                self._insert_sql.as_string().replace("%s::text[], %s::bigint[], %s::text[]",
                                                     "%s::uuid[], %s::bigint[], %s::text[]", 1)))
            curs.execute(self._insert_sql_uuid, [list(c) for c in columns])
        else:
            curs.execute(self._insert_sql, [list(c) for c in columns])
        self._last_seq = -1

    def append(self, events: Sequence[NewEvent],
               quarantine: Sequence[QuarantineEntry] = ()) -> AppendResult:
        result = AppendResult()
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            head = self._head(curs)
            if head.seq != self._last_seq or len(self._versions) > VERSION_CACHE_MAX:
                self._versions.clear()
            fresh, conflicts = self._drop_known(curs, events)
            result.duplicates = len(events) - len(fresh) - len(conflicts)
            next_version = self._next_versions(curs, fresh)
            rows, new_head = chain_rows(head, [
                (stream, next_version(stream), type_, state, event_id, recorded)
                for event_id, type_, stream, recorded, state, *_ in fresh
            ])
            if rows:
                with curs.copy(self._copy_sql) as copy:
                    copy.set_types(["text", "int8", "text", "bytea", "text", "int8", "int8",
                                    "bytea"])
                    for row in rows:
                        copy.write_row(row)
                self._notify_channel(curs)
            result.stored = len(rows)
            entries = list(quarantine) + conflicts
            result.conflicts = conflicts
            if entries:
                curs.executemany(
                    SQL("INSERT INTO {} (source, line_no, raw, raw_hash, reason, message) "
                        "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING").format(self._q),
                    [(q.source, q.line_no, q.raw, q.raw_hash, str(q.reason), q.message)
                     for q in entries],
                    returning=False,
                )
                result.quarantined = max(curs.rowcount, 0)
                result.quarantine_known = len(entries) - result.quarantined
            if rows:
                curs.execute(SQL("SELECT max(notification_id) AS p FROM {}").format(self._t))
                position = curs.fetchone()["p"]  # type: ignore[index]
                result.head = ChainHead(new_head.seq, new_head.hash, position)
            else:
                result.head = head
            self._last_seq = new_head.seq
        return result

    def _drop_known(self, curs: Cursor[DictRow], events: Sequence[NewEvent]
                    ) -> tuple[list[NewEvent], list[QuarantineEntry]]:
        seen: dict[str, NewEvent] = {}
        dup_in_batch: list[NewEvent] = []
        for e in events:
            if e[0] in seen:
                dup_in_batch.append(e)
            else:
                seen[e[0]] = e
        stored: dict[str, bytes] = {}
        if seen:
            curs.execute(SQL("SELECT event_id, state FROM {} WHERE event_id = ANY(%s)").format(
                self._t), (list(seen),))
            stored = {r["event_id"]: bytes(r["state"]) for r in curs.fetchall()}
        conflicts = [
            conflict_entry(NewEvent(*e))
            for e in [*dup_in_batch, *(seen[i] for i in stored)]
            if e[4] != stored.get(e[0], seen[e[0]][4])
        ]
        return [e for i, e in seen.items() if i not in stored], conflicts

    def _next_versions(self, curs: Cursor[DictRow], events: Sequence[NewEvent]
                       ) -> Callable[[str], int]:
        cache = self._versions
        unknown = list({e[2] for e in events if e[2] not in cache})
        if unknown:
            curs.execute(SQL("SELECT originator_id AS s, max(originator_version) AS v FROM {} "
                             "WHERE originator_id = ANY(%s) GROUP BY originator_id").format(
                self._t), (unknown,))
            cache.update((r["s"], r["v"]) for r in curs.fetchall())

        def next_version(stream: str) -> int:
            v = cache.get(stream, 0) + 1
            cache[stream] = v
            return v

        return next_version

    # -- reading -----------------------------------------------------------------------------

    def head(self) -> ChainHead:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            return self._head(curs)

    def read(self, after: int = 0, limit: int = 10_000, upto: int | None = None) -> list[StoredRow]:
        sql = SQL("SELECT notification_id, " + ROW_COLUMNS + " FROM {} WHERE notification_id > %s"
                  ).format(self._t)
        params: list[Any] = [after]
        if upto is not None:
            sql += SQL(" AND notification_id <= %s")
            params.append(upto)
        sql += SQL(" ORDER BY notification_id LIMIT %s")
        params.append(limit)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, params)
            return [StoredRow(r["notification_id"], str(r["originator_id"]),
                              r["originator_version"], r["topic"], bytes(r["state"]),
                              r["event_id"], r["recorded_at"], r["chain_seq"],
                              bytes(r["chain_hash"])) for r in curs.fetchall()]

    def _one(self, sql: Any, params: Sequence[Any] = ()) -> Any:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, params)
            row = curs.fetchone()
            return None if row is None else next(iter(row.values()))

    def count_by_type(self) -> dict[str, int]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT topic, count(*) AS n FROM {} GROUP BY topic ORDER BY topic"
                             ).format(self._t))
            return {r["topic"]: r["n"] for r in curs.fetchall()}

    def find_seq(self, seq: int) -> int | None:
        return self._one(SQL("SELECT notification_id FROM {} WHERE chain_seq = %s").format(
            self._t), (seq,))

    def position_recorded_by(self, recorded_before_us: int) -> int:
        return int(self._one(SQL("SELECT max(notification_id) FROM {} WHERE recorded_at <= %s"
                                 ).format(self._t), (recorded_before_us,)) or 0)

    # -- quarantine --------------------------------------------------------------------------

    def quarantine_list(self, status: str | None = "open") -> list[QuarantinedLine]:
        sql = SQL("SELECT id, source, line_no, raw, reason, message, received_at, status, "
                  "attempts, resolved_event_id FROM {}").format(self._q)
        params: tuple[Any, ...] = ()
        if status is not None:
            sql += SQL(" WHERE status = %s")
            params = (status,)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql + SQL(" ORDER BY id"), params)
            return [QuarantinedLine(r["id"], r["source"], r["line_no"], bytes(r["raw"]),
                                    Reason(r["reason"]), r["message"],
                                    r["received_at"].isoformat(), r["status"], r["attempts"],
                                    r["resolved_event_id"]) for r in curs.fetchall()]

    def quarantine_mark(self, entry_id: int, *, resolved_event_id: str | None,
                        message: str | None = None) -> None:
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            if resolved_event_id is not None:
                curs.execute(SQL("UPDATE {} SET status='resolved', attempts=attempts+1, "
                                 "resolved_event_id=%s WHERE id=%s").format(self._q),
                             (resolved_event_id, entry_id))
            else:
                curs.execute(SQL("UPDATE {} SET attempts=attempts+1, "
                                 "message=COALESCE(%s, message) WHERE id=%s").format(self._q),
                             (message, entry_id))

    def quarantine_count(self) -> int:
        return int(self._one(SQL("SELECT count(*) FROM {} WHERE status='open'").format(self._q)))

    def close(self) -> None:
        self.datastore.close()


def _describe(datastore: PostgresDatastore) -> tuple[str, str, str]:
    kwargs = datastore.pool.kwargs
    return kwargs.get("user", ""), f"{kwargs.get('host')}:{kwargs.get('port')}", kwargs["dbname"]


class PostgresStoreFactory(PostgresFactory):
    """eventsourcing's Postgres factory building the chained store."""

    application_recorder_class = PostgresEventStore

    @classmethod
    def from_url(cls, url: str, *, create: bool = True) -> PostgresStoreFactory:
        """Build from ``postgresql://user:password@host:port/dbname``."""
        try:
            params = conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
        except Exception as exc:
            raise StoreError(f"cannot read the PostgreSQL URL {url!r}: {exc}") from None
        if not params.get("dbname"):
            raise StoreError(f"the PostgreSQL URL {url!r} names no database (…/DBNAME)")
        return cls({
            "POSTGRES_DBNAME": str(params["dbname"]),
            "POSTGRES_HOST": str(params.get("host") or "127.0.0.1"),
            "POSTGRES_PORT": str(params.get("port") or "5432"),
            "POSTGRES_USER": str(params.get("user") or getpass.getuser()),
            "POSTGRES_PASSWORD": str(params.get("password") or ""),
            "ORIGINATOR_ID_TYPE": "text",
            "CREATE_TABLE": "y" if create else "n",
            "POSTGRES_POOL_SIZE": "2",
        })


Factory = PostgresStoreFactory
