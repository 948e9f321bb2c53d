"""What every event store must do, whatever the backend: ``StoreContract``.

No ``Test`` prefix, so pytest collects only the backend subclasses
(``test_store_sqlite.py``, ``test_store_postgres.py``), each of which provides
a ``url`` fixture naming a fresh, empty store.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from eventsourcing.persistence import StoredEvent

from engine.chain import EMPTY_HEAD
from engine.parse import NewEvent, parse_line
from engine.quarantine import QuarantineEntry, Reason
from engine.store.base import EventStore, StoredRow
from engine.store.factory import open_store
from tests.lines import BASE_TIME, PERSONS, data_for, dumps, event, expected_stream, valid_event


def new_events(n: int, prefix: str = "ev", start: int = 0) -> list[NewEvent]:
    return [parse_line(dumps(valid_event(i, prefix)), "test.jsonl", i + 1)
            for i in range(start, start + n)]


def all_rows(store: EventStore) -> list[StoredRow]:
    return [r for batch in store.iter_rows(batch=37) for r in batch]


def independent_chain(rows: list[StoredRow]) -> bytes:
    """The chain hash recomputed by hand from the format documented in engine/chain.py.

    link = SHA-256(previous ‖ seq ‖ version ‖ SHA-256(recorded_at ‖ three lengths ‖ topic ‖
    stream ‖ event id ‖ state)), integers big-endian; the chain starts from
    SHA-256("skillaudit event chain v1"). An auditor can check a store with just this.
    """
    h = hashlib.sha256(b"skillaudit event chain v1").digest()
    for seq, r in enumerate(rows, 1):
        topic, stream = r.topic.encode(), r.stream.encode()
        eid = (r.event_id or "").encode()
        rec = -1 if r.recorded_at_us is None else r.recorded_at_us
        content = hashlib.sha256(struct.pack(">qIII", rec, len(topic), len(stream), len(eid))
                                 + topic + stream + eid + r.state).digest()
        h = hashlib.sha256(h + struct.pack(">qq", seq, r.version) + content).digest()
    return h


class StoreContract:
    """Properties of ``EventStore`` checked on each backend."""

    @pytest.fixture
    def url(self) -> str:  # pragma: no cover - every subclass overrides it
        pytest.fail("a StoreContract subclass must provide the `url` fixture of its backend")

    @pytest.fixture
    def store(self, url: str) -> Iterator[EventStore]:
        s = open_store(url)
        try:
            yield s
        finally:
            s.close()

    # -- empty ---------------------------------------------------------------------------------

    def test_empty_store(self, store: EventStore) -> None:
        assert store.head() == EMPTY_HEAD
        assert store.read() == []
        assert store.count_by_type() == {}
        assert store.quarantine_list(None) == []
        assert store.quarantine_count() == 0
        assert store.position_recorded_by(2**62) == 0
        assert store.find_seq(1) is None
        result = store.verify()
        assert result.ok and result.checked == 0 and result.head == EMPTY_HEAD

    def test_append_nothing(self, store: EventStore) -> None:
        r = store.append([])
        assert (r.stored, r.duplicates, r.quarantined) == (0, 0, 0)
        assert store.head() == EMPTY_HEAD

    # -- order and streams ---------------------------------------------------------------------

    def test_global_order_is_append_order(self, store: EventStore) -> None:
        batches = [new_events(n, f"b{k}") for k, n in enumerate((1, 7, 30, 2, 13))]
        for b in batches:
            store.append(b)
        rows = all_rows(store)
        assert [r.event_id for r in rows] == [e.event_id for b in batches for e in b]
        positions = [r.position for r in rows]
        assert positions == sorted(set(positions)), "positions must strictly increase"
        assert [r.chain_seq for r in rows] == list(range(1, len(rows) + 1))
        assert store.head().position == positions[-1]
        assert store.head().seq == len(rows)

    def test_rows_keep_what_was_appended(self, store: EventStore) -> None:
        events = new_events(25)
        store.append(events)
        rows = all_rows(store)
        for e, r in zip(events, rows, strict=True):
            assert (r.event_id, r.topic, r.stream, r.state, r.recorded_at_us) == (
                e.event_id, e.type, e.stream, e.state, e.recorded_at_us)

    def test_streams_by_subject(self, store: EventStore) -> None:
        events = [valid_event(i) for i in range(60)]
        parsed = [parse_line(dumps(e)) for e in events]
        for k in range(0, 60, 9):  # several batches, so versions continue across appends
            store.append(parsed[k:k + 9])
        rows = all_rows(store)
        by_stream: dict[str, list[int]] = {}
        for e, r in zip(events, rows, strict=True):
            assert r.stream == expected_stream(e["type"], e["data"])
            by_stream.setdefault(r.stream, []).append(r.version)
        assert len(by_stream) > 5
        for stream, versions in by_stream.items():
            assert versions == list(range(1, len(versions) + 1)), stream

    def test_stream_versions_continue_across_store_objects(self, store: EventStore,
                                                           url: str) -> None:
        """Two writers on one store (each with its own version cache) interleave safely."""
        person = PERSONS[3]

        def enrol(i: int) -> NewEvent:
            return parse_line(dumps(event("TraineeEnrolled", f"p-{i}",
                                          {"class_id": f"C{i}", "person_id": person})))

        other = open_store(url)
        try:
            for i in range(6):
                (store if i % 3 else other).append([enrol(i)])
        finally:
            other.close()
        versions = [r.version for r in all_rows(store) if r.stream == f"person:{person}"]
        assert versions == [1, 2, 3, 4, 5, 6]
        assert store.verify().ok

    def test_count_by_type(self, store: EventStore) -> None:
        events = new_events(40)
        store.append(events[:15])
        store.append(events[15:])
        assert store.count_by_type() == dict(Counter(e.type for e in events))

    def test_read_windows(self, store: EventStore) -> None:
        store.append(new_events(50))
        rows = store.read(limit=1000)
        assert len(rows) == 50
        p = [r.position for r in rows]
        assert store.read(after=p[9], limit=5) == rows[10:15]
        assert store.read(after=p[9], upto=p[12]) == rows[10:13]
        assert store.read(after=p[-1]) == []
        assert all_rows(store) == rows
        assert [len(b) for b in store.iter_rows(batch=20)] == [20, 20, 10]
        assert [store.find_seq(r.chain_seq) for r in rows] == p
        assert store.find_seq(51) is None

    # -- idempotency ---------------------------------------------------------------------------

    def test_same_batch_twice_is_stored_once(self, store: EventStore) -> None:
        events = new_events(30)
        first = store.append(events)
        head = store.head()
        second = store.append(events)
        assert (first.stored, first.duplicates) == (30, 0)
        assert (second.stored, second.duplicates, second.quarantined) == (0, 30, 0)
        assert second.conflicts == []
        assert store.head() == head
        assert len(all_rows(store)) == 30

    def test_overlapping_batch_stores_only_new_ids(self, store: EventStore) -> None:
        events = new_events(20)
        store.append(events[:12])
        r = store.append(events[8:])
        assert (r.stored, r.duplicates) == (8, 4)
        assert [row.event_id for row in all_rows(store)] == [e.event_id for e in events]

    def test_same_id_within_a_batch_is_stored_once(self, store: EventStore) -> None:
        events = new_events(5)
        r = store.append([*events, events[2], events[2]])
        assert (r.stored, r.duplicates, r.quarantined) == (5, 2, 0)
        assert [row.event_id for row in all_rows(store)] == [e.event_id for e in events]

    def test_resent_id_with_different_content_is_quarantined(self, store: EventStore) -> None:
        original = valid_event(1, type_="SubsidyPaid")
        store.append([parse_line(dumps(original), "a.jsonl", 1)])
        changed = json.loads(json.dumps(original))
        changed["data"]["amount"] = "9999.00"
        r = store.append([parse_line(dumps(changed), "b.jsonl", 7)])
        assert (r.stored, r.duplicates, r.quarantined) == (0, 0, 1)
        assert len(r.conflicts) == 1
        [row] = all_rows(store)
        assert json.loads(row.state)["data"]["amount"] == original["data"]["amount"]
        [q] = store.quarantine_list()
        assert q.reason is Reason.CONFLICTING_DUPLICATE
        assert (q.source, q.line_no) == ("b.jsonl", 7)
        assert json.loads(q.raw)["data"]["amount"] == "9999.00"
        assert original["event_id"] in q.message
        # sending the conflicting version again neither stores it nor adds a second entry
        again = store.append([parse_line(dumps(changed), "b.jsonl", 7)])
        assert (again.stored, again.quarantined, again.quarantine_known) == (0, 0, 1)
        assert store.quarantine_count() == 1

    def test_conflict_within_one_batch(self, store: EventStore) -> None:
        first = valid_event(2, type_="TraineeEnrolled")
        second = json.loads(json.dumps(first))
        second["data"]["class_id"] = "C999"
        r = store.append([parse_line(dumps(first), "f", 1), parse_line(dumps(second), "f", 2)])
        assert (r.stored, r.quarantined, len(r.conflicts)) == (1, 1, 1)
        [row] = all_rows(store)
        assert json.loads(row.state)["data"]["class_id"] == first["data"]["class_id"]
        [q] = store.quarantine_list()
        assert (q.reason, q.line_no) == (Reason.CONFLICTING_DUPLICATE, 2)

    # -- the chain -----------------------------------------------------------------------------

    def test_chain_verifies_after_many_appends(self, store: EventStore) -> None:
        total = 0
        for k, n in enumerate([1, 3, 50, 1, 200, 17, 0, 99, 5, 400]):
            store.append(new_events(n, f"m{k}"))
            total += n
            head = store.head()
            assert head.seq == total
        result = store.verify()
        assert result.ok, result.problem
        assert result.checked == total
        assert result.head == store.head()
        rows = all_rows(store)
        assert result.head.hash == independent_chain(rows) == rows[-1].chain_hash
        assert store.verify(expect_head=result.head.hex).ok
        assert store.verify(expect_head=str(result.head)).ok

    def test_append_reports_the_new_head(self, store: EventStore) -> None:
        r1 = store.append(new_events(10))
        assert r1.head == store.head()
        r2 = store.append(new_events(10))  # all duplicates: head unchanged
        assert r2.head == r1.head == store.head()

    def test_verify_rejects_an_unexpected_head(self, store: EventStore) -> None:
        store.append(new_events(10))
        noted = store.head()
        store.append(new_events(3, "later"))
        assert store.verify(expect_head=noted.hex).problem.kind == "head"
        assert not store.verify(expect_head="0" * 64).ok

    def test_library_inserts_are_chained_too(self, store: EventStore) -> None:
        """Aggregates saved through eventsourcing's own path join the same chain."""
        store.append(new_events(5))
        store.insert_events([  # type: ignore[attr-defined]
            StoredEvent(originator_id="agg-1", originator_version=v, topic="lib:Topic",
                        state=f"state{v}".encode())
            for v in (1, 2)
        ])
        store.append(new_events(5, "after"))
        rows = all_rows(store)
        assert [r.chain_seq for r in rows] == list(range(1, 13))
        assert [r.event_id for r in rows[5:7]] == [None, None]
        result = store.verify()
        assert result.ok, result.problem
        assert result.head.hash == independent_chain(rows)

    # -- as of a recording time ----------------------------------------------------------------

    def test_position_recorded_by(self, store: EventStore) -> None:
        times = [BASE_TIME + timedelta(hours=h) for h in range(10)]
        events = [event("TraineeEnrolled", f"t-{h}", data_for("TraineeEnrolled", h),
                        occurred_at=BASE_TIME - timedelta(days=30), recorded_at=t)
                  for h, t in enumerate(times)]
        store.append([parse_line(dumps(e)) for e in events[:4]])
        store.append([parse_line(dumps(e)) for e in events[4:]])
        positions = [r.position for r in all_rows(store)]

        def us(t: datetime) -> int:  # microseconds since the epoch (whole seconds here)
            return int(t.timestamp()) * 1_000_000

        assert store.position_recorded_by(us(times[0]) - 1) == 0
        assert store.position_recorded_by(us(times[0])) == positions[0]
        assert store.position_recorded_by(us(times[5])) == positions[5]
        assert store.position_recorded_by(us(times[5]) + 1) == positions[5]
        assert store.position_recorded_by(us(times[5] + timedelta(minutes=59))) == positions[5]
        assert store.position_recorded_by(us(times[-1]) + 10**12) == positions[-1]

    def test_recorded_at_defaults_to_occurred_at(self, store: EventStore) -> None:
        e = event("TraineeEnrolled", "no-recorded-at", data_for("TraineeEnrolled", 0),
                  occurred_at="2023-03-01T09:00:00+08:00")
        store.append([parse_line(dumps(e))])
        [row] = all_rows(store)
        assert row.recorded_at_us == 1677632400 * 10**6  # 2023-03-01T01:00:00Z

    # -- quarantine ----------------------------------------------------------------------------

    def _entries(self) -> list[QuarantineEntry]:
        return [
            QuarantineEntry("in.jsonl", 3, b"{not json", Reason.NOT_JSON, "not valid JSON"),
            QuarantineEntry("in.jsonl", 9, b"[1,2]", Reason.NOT_OBJECT, "not an object"),
            QuarantineEntry("other.jsonl", 3, "行 \xff".encode("utf-8", "surrogatepass"),
                            Reason.UNKNOWN_TYPE, "unknown type"),
        ]

    def test_quarantine_list_and_count(self, store: EventStore) -> None:
        entries = self._entries()
        r = store.append(new_events(3), entries)
        assert (r.stored, r.quarantined, r.quarantine_known) == (3, 3, 0)
        listed = store.quarantine_list()
        assert [(q.source, q.line_no, q.raw, q.reason, q.message) for q in listed] == [
            (e.source, e.line_no, e.raw, e.reason, e.message) for e in entries]
        assert all(q.status == "open" and q.attempts == 0 and q.resolved_event_id is None
                   for q in listed)
        assert [q.id for q in listed] == sorted({q.id for q in listed})
        assert all(q.received_at for q in listed)
        assert store.quarantine_count() == 3
        # the same lines again are recognised, not added twice
        again = store.append([], entries)
        assert (again.quarantined, again.quarantine_known) == (0, 3)
        assert store.quarantine_count() == 3
        # quarantine rows are not events: the chain does not contain them
        assert store.head().seq == 3 and store.verify().ok

    def test_quarantine_mark(self, store: EventStore) -> None:
        store.append([], self._entries())
        a, b, c = store.quarantine_list()
        store.quarantine_mark(a.id, resolved_event_id="ev-fixed")
        store.quarantine_mark(b.id, resolved_event_id=None, message="still broken")
        store.quarantine_mark(b.id, resolved_event_id=None)
        assert [q.id for q in store.quarantine_list()] == [b.id, c.id]
        assert [q.id for q in store.quarantine_list("resolved")] == [a.id]
        assert store.quarantine_count() == 2
        everything = {q.id: q for q in store.quarantine_list(None)}
        assert len(everything) == 3
        ra, rb = everything[a.id], everything[b.id]
        assert (ra.status, ra.attempts, ra.resolved_event_id) == ("resolved", 1, "ev-fixed")
        assert ra.raw == a.raw and ra.message == a.message  # the original line is kept
        assert (rb.status, rb.attempts, rb.message) == ("open", 2, "still broken")
        assert everything[c.id] == c

    # -- immutability --------------------------------------------------------------------------

    @pytest.mark.parametrize("statement", [
        "UPDATE stored_events SET state = state",
        "UPDATE stored_events SET topic = 'Forged'",
        "DELETE FROM stored_events",
        "DELETE FROM stored_events WHERE chain_seq = 2",
    ])
    def test_stored_events_cannot_be_changed(self, store: EventStore, statement: str) -> None:
        store.append(new_events(5))
        before = all_rows(store)
        with pytest.raises(Exception, match="immutable"), \
                store.datastore.transaction(commit=True) as cursor:  # type: ignore[attr-defined]
            cursor.execute(statement)
        assert all_rows(store) == before
        assert store.verify().ok

    # -- money ---------------------------------------------------------------------------------

    @pytest.mark.parametrize("literal", [
        '"1000.10"', "1000.10", '"0.10"', "0.1", "0.30", "0.3", '"0.07"', "10", '"10"',
        "123456789012.34", '"999999999999.99"', "0", '"0.00"', "0.00", "33.33",
    ])
    def test_money_is_stored_digit_for_digit(self, store: EventStore, literal: str) -> None:
        """The amount's JSON literal, as the source wrote it, is in the stored bytes."""
        e = event("SubsidyPaid", "money-1", {
            "payment_id": "PAY1", "claim_id": "CL1", "amount": "@", "bank_account": "622",
            "county": "平遥县", "program": "p"})
        line = dumps(e).replace(b'"@"', literal.encode())
        store.append([parse_line(line)])
        [row] = all_rows(store)
        assert b'"amount":' + literal.encode() + b"," in row.state
        kept = json.loads(row.state, parse_float=Decimal)
        assert kept == json.loads(line, parse_float=Decimal)
        assert Decimal(str(kept["data"]["amount"])) == Decimal(literal.strip('"'))

    def test_unknown_fields_and_text_are_kept(self, store: EventStore) -> None:
        e = valid_event(3, type_="ClassOpened")
        e["data"]["a_future_field"] = {"nested": [1, "二", 3.10]}
        e["top_level_extra"] = 0.1
        store.append([parse_line(dumps(e))])
        [row] = all_rows(store)
        assert json.loads(row.state, parse_float=Decimal) == json.loads(dumps(e),
                                                                        parse_float=Decimal)
        assert "养老护理员".encode() in row.state
