"""Bulk ingest: good lines stored, each malformed line quarantined with its reason, none lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from engine.errors import UsageError
from engine.ingest import ingest, retry_quarantine
from engine.quarantine import Reason
from engine.store.base import EventStore
from engine.store.factory import open_store
from tests import pg
from tests.engine.store_contract import all_rows
from tests.lines import Written, dumps, malformed_lines, valid_event, write_jsonl

BAD = malformed_lines()


def _with_every_bad_kind(path: Path, n: int = 60, **kw: Any) -> Written:
    """n valid lines with each malformed kind spread through the file: first, middle, last."""
    kinds = list(BAD.values())
    total = n + len(kinds) + 3
    slots = [1, total, *range(5, total - 1, (total - 6) // len(kinds))][: len(kinds)]
    bad = dict(zip(slots, kinds, strict=True))
    blank = [s + 1 for s in slots if s + 1 not in bad and s + 1 <= total][:3]
    return write_jsonl(path, n, bad=bad, blank=blank, **kw)


def test_every_malformed_kind_is_quarantined_with_line_reason_and_raw(
        store: EventStore, tmp_path: Path) -> None:
    w = _with_every_bad_kind(tmp_path / "mixed.jsonl")
    summary = ingest(store, [str(w.path)], batch_lines=7)
    assert summary.stored == w.valid
    assert summary.quarantined == len(BAD)
    assert summary.blank == len(w.blank)
    assert summary.lines == w.lines
    assert summary.duplicates == 0
    assert [r.event_id for r in all_rows(store)] == w.event_ids
    entries = store.quarantine_list()
    assert len(entries) == len(BAD) == store.quarantine_count()
    got = {e.line_no: e for e in entries}
    assert set(got) == set(w.bad)
    for line_no, (raw, reason) in w.bad.items():
        e = got[line_no]
        assert (e.raw, e.reason.value, e.source) == (raw, reason, str(w.path)), line_no
        assert e.message
    assert {e.reason for e in entries} == {Reason(r) for _, r in BAD.values()}
    assert store.verify().ok


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_malformed_kind_alone(kind: str, tmp_path: Path, sqlite_url: str) -> None:
    raw, reason = BAD[kind]
    w = write_jsonl(tmp_path / "one.jsonl", 4, bad={3: (raw, reason)})
    s = open_store(sqlite_url)
    try:
        summary = ingest(s, [str(w.path)])
        assert (summary.stored, summary.quarantined) == (4, 1)
        [entry] = s.quarantine_list()
        assert (entry.line_no, entry.reason.value, entry.raw) == (3, reason, raw)
        assert summary.errors and summary.errors[0][:3] == (str(w.path), 3, reason)
    finally:
        s.close()


def test_blank_lines_are_counted_not_quarantined(store: EventStore, tmp_path: Path) -> None:
    w = write_jsonl(tmp_path / "blank.jsonl", 10, blank=[1, 4, 5, 13])
    summary = ingest(store, [str(w.path)])
    assert (summary.stored, summary.blank, summary.quarantined) == (10, 4, 0)
    assert store.quarantine_list(None) == []


def test_crlf_lines_store_the_same_events(tmp_path: Path, sqlite_url: str) -> None:
    w = write_jsonl(tmp_path / "lf.jsonl", 30)
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(w.path.read_bytes().replace(b"\n", b"\r\n"))
    heads = []
    for i, path in enumerate((w.path, crlf)):
        s = open_store(sqlite_url.replace("events.db", f"crlf{i}.db"))
        try:
            assert ingest(s, [str(path)]).stored == 30
            heads.append(s.head())
        finally:
            s.close()
    assert heads[0] == heads[1]


def test_gz_input_gives_the_same_store_as_plain(tmp_path: Path, store_url: str,
                                                sqlite_url: str) -> None:
    plain = _with_every_bad_kind(tmp_path / "in.jsonl")
    gz = tmp_path / "in.jsonl.gz"
    gz.write_bytes(gzip.compress(plain.path.read_bytes()))
    results = []
    for url, path in ((sqlite_url, plain.path), (store_url.replace("events.db", "gz.db"), gz)):
        s = open_store(url)
        try:
            summary = ingest(s, [str(path)], batch_lines=9)
            results.append((summary.stored, summary.quarantined, summary.blank, s.head().seq,
                            s.head().hash,
                            sorted((e.line_no, e.reason, e.raw) for e in s.quarantine_list())))
        finally:
            s.close()
    assert results[0] == results[1]
    assert results[0][0] == plain.valid


def test_same_file_twice_stores_nothing_new(store: EventStore, tmp_path: Path) -> None:
    w = _with_every_bad_kind(tmp_path / "again.jsonl")
    first = ingest(store, [str(w.path)])
    head = store.head()
    second = ingest(store, [str(w.path)])
    assert (second.stored, second.duplicates) == (0, w.valid)
    assert (second.quarantined, second.quarantine_known) == (0, len(BAD))
    assert second.conflicts == 0
    assert store.head() == head == second.head
    assert store.quarantine_count() == first.quarantined == len(BAD)
    assert second.as_json()["stored"] == 0 and second.as_json()["duplicates"] == w.valid


def test_two_files_in_one_call(store: EventStore, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", 25, prefix="a", bad={2: BAD["not_json"]})
    b = write_jsonl(tmp_path / "b.jsonl", 35, prefix="b", bad={2: BAD["not_json"]})
    summary = ingest(store, [str(a.path), str(b.path)])
    assert (summary.stored, summary.quarantined) == (60, 2)
    assert [r.event_id for r in all_rows(store)] == a.event_ids + b.event_ids
    assert sorted((e.source, e.line_no) for e in store.quarantine_list()) == [
        (str(a.path), 2), (str(b.path), 2)]


def test_resent_event_with_other_content_is_a_conflict(store: EventStore,
                                                       tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "first.jsonl", 10)
    ingest(store, [str(first.path)])
    changed = valid_event(4)
    changed["data"]["class_id"] = "C-OTHER"
    resend = tmp_path / "resend.jsonl"
    resend.write_bytes(dumps(valid_event(3)) + b"\n" + dumps(changed) + b"\n")
    summary = ingest(store, [str(resend)])
    assert (summary.stored, summary.duplicates, summary.conflicts) == (0, 1, 1)
    assert summary.quarantined == 1
    [entry] = store.quarantine_list()
    assert (entry.reason, entry.source, entry.line_no) == (
        Reason.CONFLICTING_DUPLICATE, str(resend), 2)
    assert json.loads(entry.raw)["data"]["class_id"] == "C-OTHER"


@pytest.mark.parametrize("batch_lines", [3, 20_000])
def test_parallel_and_serial_give_identical_chains(tmp_path: Path, store_url: str,
                                                   batch_lines: int) -> None:
    w = _with_every_bad_kind(tmp_path / "p.jsonl", n=400)
    outcomes = []
    for parallel in (False, True):
        url = store_url.replace("events.db", f"par{parallel}.db")
        if url == store_url and outcomes:  # PostgreSQL: a second fresh database
            url = pg.url_of(pg.create_database())
        s = open_store(url)
        try:
            summary = ingest(s, [str(w.path)], parallel=parallel, batch_lines=batch_lines)
            outcomes.append((summary.stored, summary.quarantined, summary.blank, summary.lines,
                             s.head().seq, s.head().hash,
                             sorted((e.line_no, e.reason, e.raw) for e in s.quarantine_list())))
        finally:
            s.close()
            if url.startswith("postgresql") and url != store_url:
                pg.drop_database(url.rsplit("/", 1)[1])
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == w.valid


def test_missing_file_fails_before_storing(store: EventStore, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", 5)
    with pytest.raises(UsageError, match="not found"):
        ingest(store, [str(good.path), str(tmp_path / "absent.jsonl")])
    assert store.head().seq == 0


# -- retrying the quarantine -----------------------------------------------------------------


def _fixed(raw: bytes, kind: str) -> bytes:
    obj = json.loads(raw)
    if kind == "missing_field":
        obj["data"]["person_id"] = "142301199001010011"
    elif kind == "negative_money":
        obj["data"]["amount"] = "1.00"
    return dumps(obj)


def test_retry_after_correction_resolves_and_stores_once(store: EventStore,
                                                         tmp_path: Path) -> None:
    w = _with_every_bad_kind(tmp_path / "r.jsonl")
    ingest(store, [str(w.path)])
    by_line = {e.line_no: e for e in store.quarantine_list()}
    line_of = {kind: n for n, (raw, _) in w.bad.items() for kind, (r, _) in BAD.items()
               if r == raw}
    target = by_line[line_of["missing_field"]]
    fixed = _fixed(target.raw, "missing_field")
    event_id = json.loads(fixed)["event_id"]
    before = store.head().seq

    unchanged = retry_quarantine(store, [by_line[line_of["negative_money"]].id])
    assert (unchanged.resolved, unchanged.still_failing) == (0, 1)

    summary = retry_quarantine(store, [target.id], {target.id: fixed})
    assert (summary.resolved, summary.still_failing) == (1, 0)
    assert store.head().seq == before + 1
    assert [r.event_id for r in all_rows(store)].count(event_id) == 1
    resolved = {e.id: e for e in store.quarantine_list(None)}[target.id]
    assert (resolved.status, resolved.resolved_event_id, resolved.attempts) == (
        "resolved", event_id, 1)
    assert resolved.raw == target.raw  # the original line is kept
    assert store.quarantine_count() == len(BAD) - 1
    failing = {e.id: e for e in store.quarantine_list()}[by_line[line_of["negative_money"]].id]
    assert failing.attempts == 1 and failing.status == "open"

    # resolved entries are not retried; a second retry of everything changes no event
    again = retry_quarantine(store, None)
    assert again.resolved == 0 and again.still_failing == len(BAD) - 1
    assert store.head().seq == before + 1
    assert store.verify().ok


def test_retry_of_an_already_stored_event_resolves_without_storing(store: EventStore,
                                                                    tmp_path: Path) -> None:
    w = write_jsonl(tmp_path / "s.jsonl", 5, bad={6: BAD["not_json"]})
    ingest(store, [str(w.path)])
    [entry] = store.quarantine_list()
    existing = dumps(valid_event(2))  # the same content as a stored event
    summary = retry_quarantine(store, [entry.id], {entry.id: existing})
    assert summary.resolved == 1 and summary.details[0][1] == "already stored"
    assert store.head().seq == 5
    assert store.quarantine_list() == []


def test_retrying_a_conflict_does_not_grow_the_quarantine(store: EventStore,
                                                           tmp_path: Path) -> None:
    original = valid_event(1)
    changed = json.loads(json.dumps(original))
    changed["data"]["class_id"] = "C-OTHER"
    path = tmp_path / "c.jsonl"
    path.write_bytes(dumps(original) + b"\n" + dumps(changed) + b"\n")
    ingest(store, [str(path)])
    assert store.quarantine_count() == 1
    for _ in range(3):
        summary = retry_quarantine(store)
        assert (summary.resolved, summary.still_failing) == (0, 1)
    assert store.quarantine_count() == 1
    assert store.head().seq == 1
