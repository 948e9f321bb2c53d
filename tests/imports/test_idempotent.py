"""Ids from the row's content: a sheet imported twice stores nothing new, a corrected
re-export stores only the rows that changed, identical rows stay distinct events."""

from __future__ import annotations

from pathlib import Path

from engine.ingest import ingest
from engine.store.base import EventStore
from engine.store.factory import open_store
from imports import import_paths
from imports.mapping import load_mapping
from imports.outfile import JsonlOut
from tests.imports.sheets import stored, write_text, write_xlsx

HEADER = ["序号", "培训班编号", "身份证号", "签到类型", "打卡方式", "签到时间", "备注"]


def rows(n: int) -> list[list[object]]:
    return [[i + 1, "PX1", "141123198710058468", "签到" if i % 2 == 0 else "签退", "人脸识别",
             f"2023-03-{1 + i // 2:02d} {'08:00' if i % 2 == 0 else '17:00'}", ""]
            for i in range(n)]


def test_the_same_sheet_twice_stores_nothing_new(store: EventStore, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, *rows(10)])
    first = import_paths(store, [str(path)], kind="attendance")
    again = import_paths(store, [str(path)], kind="attendance")
    assert first.total("stored") == 10 and first.total("duplicates") == 0
    assert again.total("stored") == 0 and again.total("duplicates") == 10
    assert store.head() == first.head


def test_a_corrected_reexport_stores_only_what_changed(store: EventStore, tmp_path: Path) -> None:
    before = rows(10)
    import_paths(store, [str(write_xlsx(tmp_path / "v1.xlsx", [HEADER, *before]))],
                 kind="attendance")
    after = [list(r) for r in before[1:]]  # row 1 gone, so every row number moves up one
    after[3][4] = "指纹"  # one row corrected
    after.append([11, "PX1", "141123198710058468", "签到", "人脸识别", "2023-03-06 08:00", ""])
    summary = import_paths(store, [str(write_text(tmp_path / "v2.csv", [HEADER, *after], "gbk"))],
                           kind="attendance")
    assert (summary.total("stored"), summary.total("duplicates")) == (2, 8)
    methods = [e["data"]["method"] for e in stored(store)]
    assert methods[-2:] == ["fingerprint", "face"]


def test_identical_rows_are_distinct_events_and_stay_so(store: EventStore, tmp_path: Path
                                                        ) -> None:
    same = rows(1)[0]
    sheet = [HEADER, same, [2, *same[1:]], [3, *same[1:]]]  # three identical check-ins
    first = import_paths(store, [str(write_text(tmp_path / "a.csv", sheet))], kind="attendance")
    again = import_paths(store, [str(write_text(tmp_path / "b.csv", sheet))], kind="attendance")
    assert first.total("stored") == 3 and again.total("duplicates") == 3
    ids = [e["event_id"] for e in stored(store)]
    assert len(set(ids)) == 3 and ids[1] == ids[0] + "-1" and ids[2] == ids[0] + "-2"


def test_unknown_columns_are_kept_and_row_numbers_are_not(store: EventStore, tmp_path: Path
                                                          ) -> None:
    sheet = [[*HEADER, "考勤机位置"], [*rows(1)[0][:-1], "迟到5分钟", "一楼大厅"]]
    import_paths(store, [str(write_xlsx(tmp_path / "a.xlsx", sheet))], kind="attendance")
    (event,) = stored(store)
    assert event["data"]["备注"] == "迟到5分钟" and event["data"]["考勤机位置"] == "一楼大厅"
    assert "序号" not in event["data"]


def test_a_mapping_file_names_columns_leaves_some_out_and_fixes_values(
        store: EventStore, tmp_path: Path) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text("""
[attendance.columns]
"班号" = "class_id"
"刷脸时间" = "occurred_at"
"操作" = "-"

[attendance.fixed]
method = "人脸识别"
direction = "签到"
""", encoding="utf-8")
    sheet = [["班号", "身份证号", "刷脸时间", "操作", "温度"],
             ["PX9", "141123198710058468", "2023/3/1 8:02", "查看", "36.5"]]
    summary = import_paths(store, [str(write_text(tmp_path / "a.csv", sheet, "gbk"))],
                           kind="attendance", mapping=load_mapping(mapping))
    assert summary.total("stored") == 1
    (event,) = stored(store)
    assert event["occurred_at"] == "2023-03-01T08:02:00+08:00"
    assert event["data"] == {"class_id": "PX9", "person_id": "141123198710058468",
                             "method": "face", "direction": "in", "温度": "36.5"}


def test_events_written_with_out_are_the_ones_an_import_stores(
        store: EventStore, tmp_path: Path) -> None:
    damaged = [7, "PX1", "1.41123E+17", "签到", "人脸识别", "2023-03-09 08:00", ""]
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, *rows(6), damaged])
    out = JsonlOut(tmp_path / "events.jsonl")
    try:
        written = import_paths(out, [str(path)], kind="attendance")
    finally:
        out.close()
    assert written.total("stored") == 6 and written.total("quarantined") == 1
    assert len((tmp_path / "events.rejected.jsonl").read_text().splitlines()) == 1
    assert stored(store) == []  # --out stores nothing
    ingested = ingest(store, [str(tmp_path / "events.jsonl")])
    assert ingested.stored == 6
    imported = import_paths(store, [str(path)], kind="attendance")
    assert imported.total("stored") == 0 and imported.total("duplicates") == 6


def test_converting_in_a_helper_process_gives_what_converting_here_gives(
        store: EventStore, tmp_path: Path) -> None:
    """Large inputs are converted in a helper process: the same events, rows and reasons."""
    damaged = [9, "PX1", 141123198710058468, "签到", "人脸识别", "2023-03-09 08:00", ""]
    path = write_xlsx(tmp_path / "a.xlsx", [["考勤"], HEADER, *rows(40), damaged, ["合计", "41"]])
    helper = import_paths(store, [str(path)], kind="attendance", parallel=True, batch_rows=7)
    other = open_store(f"sqlite:///{tmp_path / 'here.db'}")
    try:
        here = import_paths(other, [str(path)], kind="attendance", parallel=False)
        assert stored(other) == stored(store)
        assert [(e.line_no, e.raw, e.message) for e in other.quarantine_list()] == [
            (e.line_no, e.raw, e.message) for e in store.quarantine_list()]
    finally:
        other.close()
    assert helper.sheets[0].as_json() == here.sheets[0].as_json()
    assert (helper.total("stored"), helper.total("quarantined")) == (40, 1)


def test_identical_events_are_numbered_exactly_across_batches() -> None:
    """The occurrence numbers kept as sorted arrays match counting every key by hand."""
    import hashlib
    import random

    from imports.occurrences import Occurrences

    rng = random.Random(5)
    keys = [hashlib.sha256(str(rng.randrange(3000)).encode()).digest() for _ in range(20_000)]
    occurrences, seen, got, want = Occurrences(), {}, [], []
    for start in range(0, len(keys), 700):
        got += occurrences.number(keys[start:start + 700])
    for key in keys:
        want.append(seen.get(key, 0))
        seen[key] = seen.get(key, 0) + 1
    assert got == want and max(got) > 3 and got.count(0) == len(seen)
    assert sum(len(level) for level in occurrences.levels) == len(seen)
