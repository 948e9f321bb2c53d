"""The store contract and eventsourcing's own recorder test case, on PostgreSQL.

Each test gets a fresh database on the local server (see ``tests/pg.py``); when the
server cannot be reached the tests fail and say what to start.
"""

from __future__ import annotations

import threading
import time
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL

from engine.parse import parse_line
from engine.store.base import EventStore, StoreError
from engine.store.factory import open_store
from engine.store.postgres import PostgresEventStore, PostgresStoreFactory
from tests import pg
from tests.engine.es_testcases import ApplicationRecorderTestCase
from tests.engine.store_contract import StoreContract, all_rows, independent_chain, new_events
from tests.lines import dumps, valid_event

pytestmark = pytest.mark.postgres


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def url(self, pg_url: str) -> str:
        return pg_url

    def test_guards_exist(self, store: EventStore, url: str) -> None:
        with psycopg.connect(url) as conn:
            triggers = {r[0] for r in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'stored_events'::regclass")}
            functions = {r[0] for r in conn.execute("SELECT proname FROM pg_proc")}
        assert {"stored_events_immutable", "stored_events_no_truncate"} <= triggers
        assert "skillaudit_immutable" in functions

    def test_truncate_is_refused(self, store: EventStore) -> None:
        store.append(new_events(3))
        with pytest.raises(Exception, match="immutable"), \
                store.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            cursor.execute("TRUNCATE stored_events")
        assert len(all_rows(store)) == 3

    def test_url_names_the_database(self, store: EventStore, url: str) -> None:
        assert store.url.rsplit("/", 1)[1] == url.rsplit("/", 1)[1]


def test_open_without_create_on_an_empty_database_says_so(pg_url: str) -> None:
    try:
        s = open_store(pg_url, create=False)
        s.head()
    except StoreError as exc:
        assert "ingest" in str(exc)
    else:  # pragma: no cover - only when the bug is back
        s.close()
        pytest.fail("opening a database without the tables raised no StoreError")


def _feed(store: EventStore) -> None:
    """The same varied input: batches, a re-sent batch, a conflict, library inserts."""
    store.append(new_events(40))
    store.append(new_events(40))  # all duplicates
    store.append(new_events(25, "second"))
    changed = valid_event(3)
    changed["data"]["class_id"] = "CHANGED"
    store.append([parse_line(dumps(changed), "x.jsonl", 1), *new_events(5, "third")])
    store.insert_events([StoredEvent(  # type: ignore[attr-defined]
        originator_id="aggregate-1", originator_version=1, topic="lib:Topic", state=b"{}")])
    store.append(new_events(10, "fourth"))


def test_identical_input_gives_identical_chain_on_sqlite_and_postgres(
        sqlite_url: str, pg_url: str) -> None:
    heads, contents = [], []
    for url in (sqlite_url, pg_url):
        s = open_store(url)
        try:
            _feed(s)
            head = s.head()
            assert s.verify().ok
            rows = all_rows(s)
            heads.append((head.seq, head.hex))
            contents.append([(r.stream, r.version, r.topic, r.state, r.event_id,
                              r.recorded_at_us, r.chain_seq, r.chain_hash) for r in rows])
            assert head.hash == independent_chain(rows)
        finally:
            s.close()
    assert heads[0] == heads[1]
    assert contents[0] == contents[1]
    assert heads[0][0] == 40 + 25 + 5 + 1 + 10


def _open_during_a_paused_create(url: str, pause_before: str | None) -> list[BaseException]:
    """Open the store while another opener's table-creating transaction is part-way done.

    The other opener is held inside its transaction with ``pg_sleep`` right before the
    first create statement containing ``pause_before`` (at its end when None), which is
    what happens when two ingest processes start at the same moment. Returns the errors
    each opener raised.
    """
    other = PostgresStoreFactory.from_url(url, create=False).application_recorder()
    statements = other.sql_create_statements  # type: ignore[attr-defined]
    texts = [st.as_string() if hasattr(st, "as_string") else str(st) for st in statements]
    at = next((i for i, t in enumerate(texts) if pause_before and pause_before in t),
              len(statements))
    statements.insert(at, SQL("SELECT pg_sleep(1.5)"))
    errors: list[BaseException] = []

    def create() -> None:
        try:
            other.create_table()  # type: ignore[attr-defined]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=create)
    thread.start()
    time.sleep(0.5)
    try:
        s = open_store(url)
        try:
            s.append(new_events(3))
            assert s.verify().ok
        finally:
            s.close()
    except Exception as exc:
        errors.append(exc)
    thread.join(timeout=30)
    other.close()
    return errors


def test_concurrent_open_of_a_new_database(pg_url: str) -> None:
    assert _open_during_a_paused_create(pg_url, None) == []


def test_concurrent_open_of_an_existing_store(pg_url: str) -> None:
    open_store(pg_url).close()
    assert _open_during_a_paused_create(pg_url, "CREATE OR REPLACE TRIGGER") == []


class TestPostgresRecorderConformance(ApplicationRecorderTestCase[PostgresEventStore]):
    """eventsourcing 9.5's own ``ApplicationRecorderTestCase`` against ``PostgresEventStore``."""

    originator_id_type = "uuid"
    pool_size = 4

    def setUp(self) -> None:
        unavailable = None
        try:
            self.dbname = pg.create_database()
        except pg.PostgresUnavailable as exc:
            unavailable = str(exc)
        if unavailable:
            self.fail(unavailable)
        host, port, user = pg.server()
        self.datastore = PostgresDatastore(
            self.dbname, host, port, user, "", pool_size=self.pool_size,
            originator_id_type=self.originator_id_type)
        self.recorders: list[PostgresEventStore] = []

    def tearDown(self) -> None:
        self.datastore.close()
        pg.drop_database(self.dbname)

    def create_recorder(self) -> PostgresEventStore:
        recorder = PostgresEventStore(self.datastore)
        recorder.create_table()
        self.recorders.append(recorder)
        return recorder

    def assert_chain_holds(self, expected: int) -> None:
        recorder = self.recorders[-1]
        result = recorder.verify()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.checked, expected)
        rows = [r for b in recorder.iter_rows() for r in b]
        self.assertEqual(result.head.hash, independent_chain(rows))

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()

    def test_chain_verifies_after_library_inserts(self) -> None:
        self.test_insert_select()
        self.assert_chain_holds(3)

    def test_chain_verifies_after_concurrent_library_inserts(self) -> None:
        self.test_concurrent_throughput()  # 4 warm-up + 10 jobs of 50 events, 4 threads
        self.assert_chain_holds(14 * 50)

    def test_chain_verifies_after_concurrent_writers_and_readers(self) -> None:
        self.test_concurrent_no_conflicts()  # 100 writes of 100 events, 10 threads
        self.assert_chain_holds(100 * 100)

    def test_chain_continues_across_recorder_objects(self) -> None:
        self.test_insert_select()
        recorder = self.create_recorder()  # a second recorder on the same tables
        recorder.insert_events([StoredEvent(originator_id=self.new_originator_id(),
                                            originator_version=1, topic="t", state=b"s")])
        self.assert_chain_holds(4)
        self.assertEqual([r.chain_seq for r in all_rows(recorder)], [1, 2, 3, 4])


class TestPostgresRecorderConformanceTextIds(TestPostgresRecorderConformance):
    """The same with text originator ids, as ``open_store`` configures the datastore."""

    originator_id_type = "text"

    def new_originator_id(self) -> str:
        return f"test-{uuid4()}"


del ApplicationRecorderTestCase
