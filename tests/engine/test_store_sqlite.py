"""The store contract and eventsourcing's own recorder test case, on a SQLite file."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from uuid import uuid4

import pytest

from engine.store.factory import open_store
from engine.store.sqlite import SQLiteEventStore, SQLiteTunedDatastore
from tests.engine.es_testcases import ApplicationRecorderTestCase
from tests.engine.store_contract import StoreContract, all_rows, independent_chain, new_events


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    def test_triggers_exist(self, url: str) -> None:
        open_store(url).close()
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            names = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"stored_events_no_update", "stored_events_no_delete"} <= names

    def test_reopening_keeps_the_chain(self, url: str) -> None:
        first = open_store(url)
        first.append(new_events(10))
        head = first.head()
        first.close()
        second = open_store(url)
        try:
            assert second.head() == head
            second.append(new_events(10, "more"))
            assert second.verify().ok and second.head().seq == 20
        finally:
            second.close()

    def test_open_without_create_names_the_missing_file(self, tmp_path: Path) -> None:
        from engine.store.base import StoreError

        with pytest.raises(StoreError, match="no store at"):
            open_store(f"sqlite:///{tmp_path / 'absent.db'}", create=False)
        assert not (tmp_path / "absent.db").exists()

    def test_bare_path_means_sqlite(self, tmp_path: Path) -> None:
        s = open_store(str(tmp_path / "bare.db"))
        try:
            s.append(new_events(2))
        finally:
            s.close()
        assert (tmp_path / "bare.db").exists()


class TestSQLiteRecorderConformance(ApplicationRecorderTestCase[SQLiteEventStore]):
    """eventsourcing 9.5's own ``ApplicationRecorderTestCase`` against ``SQLiteEventStore``."""

    originator_id_type = "uuid"

    def setUp(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="sa_conformance_")
        self.db_path = os.path.join(self._dir.name, "recorder.db")
        self.recorders: list[SQLiteEventStore] = []
        self._threads = set(threading.enumerate())

    def tearDown(self) -> None:
        # The library's concurrency tests signal their reader threads to stop but do not join
        # them; closing connections under a running reader crashes sqlite3 (segfault).
        for t in set(threading.enumerate()) - self._threads:
            t.join(timeout=10)
        for r in self.recorders:
            r.close()
        self._dir.cleanup()

    def create_recorder(self) -> SQLiteEventStore:
        datastore = SQLiteTunedDatastore(self.db_path, originator_id_type=self.originator_id_type,
                                         pool_size=20)
        recorder = SQLiteEventStore(datastore)
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

    def test_chain_verifies_after_library_inserts(self) -> None:
        self.test_insert_select()
        self.assert_chain_holds(3)

    def test_chain_verifies_after_concurrent_library_inserts(self) -> None:
        self.test_concurrent_throughput()  # 4 warm-up + 10 jobs of 50 events, 4 threads
        self.assert_chain_holds(14 * 50)

    def test_chain_verifies_after_concurrent_writers_and_readers(self) -> None:
        self.test_concurrent_no_conflicts()  # 100 writes of 100 events, 10 threads
        self.assert_chain_holds(100 * 100)

    def test_library_and_bulk_inserts_share_one_chain(self) -> None:
        self.test_insert_select()
        recorder = self.recorders[-1]
        recorder.append(new_events(20))
        self.assert_chain_holds(23)
        self.assertEqual([r.chain_seq for r in all_rows(recorder)], list(range(1, 24)))


class TestSQLiteRecorderConformanceTextIds(TestSQLiteRecorderConformance):
    """The same with text originator ids, as ``open_store`` configures the datastore."""

    originator_id_type = "text"

    def new_originator_id(self) -> str:
        return f"test-{uuid4()}"


del ApplicationRecorderTestCase
