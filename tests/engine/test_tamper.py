"""Tamper evidence: whoever edits, deletes or reorders stored rows is named by ``verify``."""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.ingest import ingest
from engine.store.base import EventStore
from engine.store.factory import open_store
from tests.attacker import Attacker
from tests.lines import write_jsonl

N = 50


@pytest.fixture
def loaded(store_url: str, tmp_path: Path) -> Iterator[tuple[EventStore, Attacker]]:
    """A store holding N events, and an attacker who has already dropped its guards."""
    written = write_jsonl(tmp_path / "in.jsonl", N)
    s = open_store(store_url)
    attacker = Attacker(store_url)
    try:
        assert ingest(s, [str(written.path)]).stored == N
        assert s.verify().ok
        attacker.drop_guards()
        yield s, attacker
    finally:
        attacker.close()
        s.close()


def test_guards_refuse_the_attacker_until_dropped(store_url: str, tmp_path: Path) -> None:
    written = write_jsonl(tmp_path / "in.jsonl", 5)
    s = open_store(store_url)
    try:
        ingest(s, [str(written.path)])
        with Attacker(store_url) as a:
            p = a.positions()[2]
            with pytest.raises(Exception, match="immutable"):
                a.set(p, state=b"{}")
            with pytest.raises(Exception, match="immutable"):
                a.delete(p)
            assert len(a.positions()) == 5
        assert s.verify().ok
    finally:
        s.close()


@pytest.mark.parametrize("column", ["state", "topic", "event_id", "recorded_at",
                                    "originator_id", "originator_version"])
def test_changed_row_is_named(loaded: tuple[EventStore, Attacker], column: str) -> None:
    store, a = loaded
    positions = a.positions()
    victim = positions[19]
    before = a.row(victim)
    forged = {
        "state": bytes(before["state"]).replace(b'"data":{', b'"data":{"x":1,', 1),
        "topic": "SubsidyPaid" if before["topic"] != "SubsidyPaid" else "ClassOpened",
        "event_id": before["event_id"] + "-forged",
        "recorded_at": before["recorded_at"] - 86_400 * 10**6,  # back-dated one day
        "originator_id": "person:forged",
        "originator_version": before["originator_version"] + 1000,
    }[column]
    a.set(victim, **{column: forged})
    result = store.verify()
    assert not result.ok
    assert result.problem.kind == "changed"
    assert result.problem.position == victim
    named = forged if column == "event_id" else before["event_id"]
    assert result.problem.event_id == named
    assert named in result.problem.message
    assert result.checked == 19
    assert result.head.seq == 19


def test_changed_hash_is_named(loaded: tuple[EventStore, Attacker]) -> None:
    store, a = loaded
    victim = a.positions()[30]
    a.set(victim, chain_hash=hashlib.sha256(b"forged").digest())
    problem = store.verify().problem
    assert problem is not None and problem.position == victim
    assert problem.event_id == a.row(victim)["event_id"]


def test_deleted_row_is_missing_and_next_event_named(loaded: tuple[EventStore, Attacker]
                                                     ) -> None:
    store, a = loaded
    positions = a.positions()
    a.delete(positions[19])
    result = store.verify()
    assert not result.ok
    assert result.problem.kind == "missing"
    assert result.problem.position == positions[20]
    assert result.problem.event_id == a.row(positions[20])["event_id"]
    assert "#20" in result.problem.message
    assert result.checked == 19


def test_deleted_first_row(loaded: tuple[EventStore, Attacker]) -> None:
    store, a = loaded
    positions = a.positions()
    a.delete(positions[0])
    problem = store.verify().problem
    assert problem is not None and problem.kind == "missing"
    assert problem.position == positions[1]


def test_swapped_rows_are_reordered(loaded: tuple[EventStore, Attacker]) -> None:
    store, a = loaded
    positions = a.positions()
    first, second = positions[9], positions[29]
    moved_in = a.row(second)["event_id"]
    a.swap(first, second)
    assert a.row(first)["event_id"] == moved_in  # the attack did what it meant to
    result = store.verify()
    assert not result.ok
    assert result.problem.kind == "reordered"
    assert result.problem.position == first
    assert result.problem.event_id == moved_in
    assert result.checked == 9


def test_swapped_neighbours_are_reordered(loaded: tuple[EventStore, Attacker]) -> None:
    store, a = loaded
    positions = a.positions()
    a.swap(positions[40], positions[41])
    problem = store.verify().problem
    assert problem is not None and problem.kind == "reordered"
    assert problem.position == positions[40]


def test_truncated_tail_needs_the_noted_head(loaded: tuple[EventStore, Attacker]) -> None:
    """Dropping the newest events leaves a consistent chain: only a noted head shows it."""
    store, a = loaded
    noted = store.head()
    for p in a.positions()[-3:]:
        a.delete(p)
    assert store.verify().ok
    result = store.verify(expect_head=str(noted))
    assert not result.ok and result.problem.kind == "head"
    assert result.head.seq == N - 3


def _relink(a: Attacker) -> None:
    """Recompute every chain hash after a change, as a careful attacker would."""
    h = hashlib.sha256(b"skillaudit event chain v1").digest()
    for seq, p in enumerate(a.positions(), 1):
        r = a.row(p)
        topic, stream = r["topic"].encode(), str(r["originator_id"]).encode()
        eid = (r["event_id"] or "").encode()
        rec = -1 if r["recorded_at"] is None else r["recorded_at"]
        content = hashlib.sha256(struct.pack(">qIII", rec, len(topic), len(stream), len(eid))
                                 + topic + stream + eid + bytes(r["state"])).digest()
        h = hashlib.sha256(h + struct.pack(">qq", seq, r["originator_version"]) + content
                           ).digest()
        a.set(p, chain_seq=seq, chain_hash=h)


def test_rewritten_history_needs_the_noted_head(loaded: tuple[EventStore, Attacker]) -> None:
    """Re-chaining after an edit hides it from ``verify`` alone, not from a noted head."""
    store, a = loaded
    noted = store.head()
    victim = a.positions()[10]
    state = json.loads(a.row(victim)["state"])
    state["data"]["note"] = "rewritten"
    a.set(victim, state=json.dumps(state, sort_keys=True, separators=(",", ":")).encode())
    _relink(a)
    assert store.verify().ok  # the chain is consistent again
    result = store.verify(expect_head=noted.hex)
    assert not result.ok and result.problem.kind == "head"
    assert result.head.seq == noted.seq and result.head.hash != noted.hash
