"""Inputs real exports contain: other encodings, a byte-order mark, broken files, bad money.

Each test feeds the bad input for real into a store (SQLite file and PostgreSQL)
and checks what was stored, what was quarantined and what the summary says.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from engine.errors import UsageError
from engine.ingest import JSON_ARRAY_NOTE, ingest
from engine.money import MoneyError, parse_money
from engine.store.base import EventStore
from tests.engine.store_contract import all_rows
from tests.lines import dumps, valid_event, valid_lines, write_jsonl


def stored_ids(store: EventStore) -> list[str]:
    return [r.event_id for r in all_rows(store)]


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "parser-process"])
def test_a_line_not_in_utf8_is_quarantined_and_every_other_line_stored(
        store: EventStore, tmp_path: Path, parallel: bool) -> None:
    lines = valid_lines(30, "enc")
    gbk_event = valid_event(99, "enc", "PersonRegistered")
    gbk_line = dumps(gbk_event).replace("张三".encode(), "张三".encode("gbk"))
    stray = lines[20][:-2] + b"\xff" + lines[20][-2:]
    lines[5] = gbk_line
    lines[20] = stray
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    summary = ingest(store, [str(path)], batch_lines=8, parallel=parallel)

    assert summary.stored == 28 and summary.quarantined == 2
    assert set(stored_ids(store)) == {f"enc-{i:07d}" for i in range(30)} - {
        "enc-0000005", "enc-0000020"}
    entries = {e.line_no: e for e in store.quarantine_list()}
    assert set(entries) == {6, 21}
    assert entries[6].reason == "not_utf8" and entries[6].raw == gbk_line
    assert entries[21].reason == "not_utf8" and entries[21].raw == stray
    assert "UTF-8" in entries[6].message and "GBK" in entries[6].message


def test_a_leading_byte_order_mark_is_accepted(store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(valid_lines(3, "bom")) + b"\n")
    summary = ingest(store, [str(path)])
    assert summary.stored == 3 and summary.quarantined == 0
    assert stored_ids(store) == ["bom-0000000", "bom-0000001", "bom-0000002"]
    again = ingest(store, [str(path)])
    assert again.stored == 0 and again.duplicates == 3 and again.quarantine_known == 0


def test_a_rerun_counts_lines_still_in_quarantine(store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "one-bad.jsonl"
    path.write_bytes(b"\n".join([*valid_lines(2, "rq"), b"{not json"]) + b"\n")
    ingest(store, [str(path)])
    again = ingest(store, [str(path)])
    assert again.stored == 0 and again.duplicates == 2
    assert again.quarantine_known == 1  # so no summary may say "every event was stored"


def test_json_nested_100000_deep_is_quarantined(store: EventStore, tmp_path: Path) -> None:
    deep = b'{"event_id":"d","type":"TraineeEnrolled","data":' + b"[" * 100_000 \
        + b"]" * 100_000 + b"}"
    extra = dumps(valid_event(1, "deep"))[:-1] + b',"x":' + b"{\"a\":" * 100_000 \
        + b"1" + b"}" * 100_001
    path = tmp_path / "deep.jsonl"
    path.write_bytes(b"\n".join([valid_lines(1, "ok")[0], deep, extra]) + b"\n")
    summary = ingest(store, [str(path)])
    assert summary.stored == 1 and summary.quarantined == 2
    assert {e.reason for e in store.quarantine_list()} == {"not_json"}


def test_a_json_array_is_named_as_such(store: EventStore, tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_bytes(b"[\n" + b",\n".join(valid_lines(3, "arr")) + b"\n]\n")
    summary = ingest(store, [str(path)])
    assert summary.notes == [(str(path.resolve()), JSON_ARRAY_NOTE)]
    assert summary.stored == 1  # the last element has no trailing comma: a valid line
    assert summary.stored + summary.quarantined == summary.lines  # every line accounted for


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "parser-process"])
def test_a_truncated_gzip_keeps_what_was_stored_and_a_rerun_finishes_it(
        store: EventStore, tmp_path: Path, parallel: bool) -> None:
    whole = tmp_path / "whole.jsonl.gz"
    w = write_jsonl(whole, 40_000, prefix="gz")  # several MB: the read buffers fill first
    data = whole.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    other = tmp_path / "other.jsonl"
    write_jsonl(other, 5, prefix="other")

    summary = ingest(store, [str(cut), str(other)], batch_lines=500, parallel=parallel)

    assert [f for f, _ in summary.failed] == [str(cut.resolve())]
    message = summary.failed[0][1]
    assert "truncated" in message and "rerun" in message
    stored = stored_ids(store)
    assert 0 < summary.stored - 5 < 40_000 and len(stored) == summary.stored
    assert stored[: summary.stored - 5] == w.event_ids[: summary.stored - 5]  # a prefix, in order
    assert stored[-5:] == [f"other-{i:07d}" for i in range(5)]  # the next file still ran
    assert store.verify().ok

    cut.write_bytes(data)  # the whole file arrives
    rerun = ingest(store, [str(cut)], parallel=parallel)
    assert rerun.stored == 40_000 - (summary.stored - 5) and not rerun.failed
    assert sorted(stored_ids(store)) == sorted([*w.event_ids, *stored[-5:]])


@pytest.mark.parametrize("make, says", [
    (lambda d: d, "is a folder"),
    (lambda d: d / "missing.jsonl", "not found"),
    (lambda d: Path("/proc/self/mem"), "cannot read"),
    (lambda d: (d / "plain.jsonl.gz").write_bytes(b'{"a":1}\n') and d / "plain.jsonl.gz",
     "not gzip"),
])
def test_files_that_cannot_be_read_are_refused_before_anything_is_stored(
        store: EventStore, tmp_path: Path, make, says: str) -> None:
    good = tmp_path / "good.jsonl"
    write_jsonl(good, 3, prefix="good")
    with pytest.raises(UsageError, match=says):
        ingest(store, [str(good), str(make(tmp_path))])
    assert stored_ids(store) == []


def test_gzip_that_is_corrupt_inside_stops_that_file_only(store: EventStore,
                                                           tmp_path: Path) -> None:
    body = b"\n".join(valid_lines(2000, "cz")) + b"\n"
    data = bytearray(gzip.compress(body))
    data[len(data) // 2: len(data) // 2 + 64] = b"\0" * 64
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(bytes(data))
    summary = ingest(store, [str(path)], batch_lines=100)
    assert len(summary.failed) == 1 and "corrupt.jsonl.gz" in summary.failed[0][1]
    assert store.verify().ok


@pytest.mark.parametrize("raw", [
    '"１０００"', "1e3", '"1e3"', '" 1000 "', '"1,000.00"', '"1000元"', '"+5"', "true", "null",
    '"0x10"', '"1_000"', '"٣"', '"1000.001"', '"-0.01"', '"1000."', '".5"',
])
def test_the_money_parser_refuses_all_but_plain_decimals(raw: str) -> None:
    with pytest.raises(MoneyError):
        parse_money(raw)


@pytest.mark.parametrize("raw, value", [
    ('"1000"', "1000"), ("1000.5", "1000.5"), ('"0.01"', "0.01"), ("0", "0"),
    ('"999999999999.99"', "999999999999.99"),
])
def test_the_money_parser_reads_plain_decimals_exactly(raw: str, value: str) -> None:
    assert str(parse_money(raw)) == value


def test_money_the_ledger_could_not_read_is_quarantined_not_booked(
        store: EventStore, tmp_path: Path) -> None:
    from tests.lines import malformed_lines

    bad = malformed_lines("m")
    kinds = [k for k in bad if k.startswith("money_")]
    path = tmp_path / "money.jsonl"
    path.write_bytes(b"\n".join(bad[k][0] for k in kinds) + b"\n")
    summary = ingest(store, [str(path)])
    assert summary.stored == 0 and summary.quarantined == len(kinds)
    assert {e.reason for e in store.quarantine_list()} == {"bad_money"}
