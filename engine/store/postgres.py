"""The event store on PostgreSQL: eventsourcing's Postgres application recorder, chained.

Every write takes the library's ``LOCK TABLE … IN EXCLUSIVE MODE`` first (it
serialises writers but not readers), reads the chain head, and inserts, so
several ingest processes writing one database still form one chain. Bulk
appends use ``COPY … FROM STDIN (FORMAT BINARY)``, the fastest path into
PostgreSQL, inside the same transaction as the duplicate check.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore, PostgresFactory
from psycopg import Cursor, ProgrammingError
from psycopg.conninfo import conninfo_to_dict
from psycopg.errors import UniqueViolation
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from engine.chain import EMPTY_HEAD, ChainHead
from engine.quarantine import QuarantinedLine, QuarantineEntry, Reason
from engine.store.base import (
    ROW_COLUMNS,
    DuplicateEventId,
    EventStore,
    Row,
    StoredRow,
    StoreError,
    chain_rows,
    library_item,
)
from engine.store.ddl import DDL_LOCK as _DDL_LOCK
from engine.store.log_source import EVENTS_TABLE


class PostgresEventStore(PostgresApplicationRecorder, EventStore):
    """eventsourcing's ``PostgresApplicationRecorder`` with the chain, event ids and quarantine."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = EVENTS_TABLE):
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
            SQL("CREATE INDEX IF NOT EXISTS {} ON {} (topic)").format(
                Identifier(f"{self.events_table_name}_topic_idx"), self._t),
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
        self._versions: dict[str, int] = {}

    def create_table(self) -> None:
        """Create the tables once, serialised across processes by an advisory lock.

        Every ``open_store`` calls this; without the lock two first opens race on
        ``CREATE TYPE`` and two later ones deadlock on the trigger DDL.
        """
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_DDL_LOCK,))
            try:
                exists = conn.execute(
                    "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                    (f"{self.datastore.schema}.{self.events_table_name}",
                     f"{self.datastore.schema}.quarantine")).fetchone()
                if exists and next(iter(exists.values())):
                    self.datastore.register_type_adapters()
                else:
                    super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_DDL_LOCK,))

    def tables_exist(self) -> bool:
        with self.datastore.get_connection() as conn:
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL AS ok", (
                f"{self.datastore.schema}.{self.events_table_name}",)).fetchone()
            return bool(row and row["ok"])

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
        rows, _head = chain_rows(head, [library_item(str(s.originator_id), s)
                                        for s in stored_events])
        columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * 8
        sql = self._insert_sql
        if self.datastore.originator_id_type == "uuid":
            sql = SQL(sql.as_string().replace("%s::text[]", "%s::uuid[]", 1))
        curs.execute(sql, columns)
        self._last_seq = -1

    @contextmanager
    def _writing(self) -> Iterator[Cursor[DictRow]]:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            yield curs

    def _stored_states(self, curs: Cursor[DictRow], event_ids: list[str]) -> dict[str, bytes]:
        if not event_ids:
            return {}
        curs.execute(SQL("SELECT event_id, state FROM {} WHERE event_id = ANY(%s)").format(
            self._t), (event_ids,), binary=True)
        return {r["event_id"]: bytes(r["state"]) for r in curs.fetchall()}

    def _stream_versions(self, curs: Cursor[DictRow], streams: list[str]) -> dict[str, int]:
        curs.execute(SQL("SELECT originator_id AS s, max(originator_version) AS v FROM {} "
                         "WHERE originator_id = ANY(%s) GROUP BY originator_id").format(self._t),
                     (streams,), binary=True)
        return {r["s"]: r["v"] for r in curs.fetchall()}

    def _insert_rows(self, curs: Cursor[DictRow], rows: list[Row]) -> None:
        if not rows:
            return
        try:
            with curs.copy(self._copy_sql) as copy:
                copy.set_types(["text", "int8", "text", "bytea", "text", "int8", "int8", "bytea"])
                for row in rows:
                    copy.write_row(row)
        except UniqueViolation as exc:
            if exc.diag.constraint_name == f"{self.events_table_name}_event_id_idx":
                raise DuplicateEventId(str(exc)) from None
            raise
        self._notify_channel(curs)

    @contextmanager
    def _savepoint(self, curs: Cursor[DictRow]) -> Iterator[None]:
        with curs.connection.transaction():  # nested: a SAVEPOINT, rolled back on error
            yield

    def _insert_quarantine(self, curs: Cursor[DictRow], entries: list[QuarantineEntry]) -> int:
        inserted = 0
        for q in entries:
            curs.execute(
                SQL("INSERT INTO {} (source, line_no, raw, raw_hash, reason, message) "
                    "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING").format(self._q),
                (q.source, q.line_no, q.raw, q.raw_hash, str(q.reason), q.message))
            inserted += max(curs.rowcount, 0)
        return inserted

    def _last_position(self, curs: Cursor[DictRow]) -> int:
        curs.execute(SQL("SELECT max(notification_id) AS p FROM {}").format(self._t))
        row = curs.fetchone()
        return int(row["p"] or 0) if row else 0

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

    def refresh_statistics(self) -> None:
        with self.datastore.get_connection() as conn:  # autocommit: ANALYZE stands alone
            conn.execute(SQL("ANALYZE {}").format(self._t))

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
        from engine.store.connect import connect_timeout

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
            "POSTGRES_CONNECT_TIMEOUT": str(params.get("connect_timeout") or connect_timeout()),
        })


def describe_server(url: str) -> str:
    """``user@host:port/db`` of a PostgreSQL URL, without its password."""
    try:
        p = conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
    except ProgrammingError:  # shown as given when it cannot even be parsed
        return url.split("@")[-1]
    user = f"{p['user']}@" if p.get("user") else ""
    return f"{user}{p.get('host') or '127.0.0.1'}:{p.get('port') or 5432}/{p.get('dbname', '')}"


Factory = PostgresStoreFactory
