"""Every format an export comes in, written by its own writer and imported into a real store.

The same attendance sheet saved as .xlsx, .ods, CSV in UTF-8 (with and without
its byte-order mark), GBK and GB18030, and tab-separated text in UTF-16 gives the
same events with the same ids: the first import stores them, each other format
stores nothing new. The legacy .xls fixture is read as Excel 97-2003 wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from engine.store.base import EventStore
from imports import import_paths
from tests.imports.sheets import contents, stored, write_ods, write_text, write_xlsx

FIXTURES = Path(__file__).with_name("fixtures")
HEADER = ["序号", "培训班编号", "身份证号", "姓名", "签到类型", "打卡方式", "签到时间", "上传时间",
          "人脸比对分数"]
ROWS = [
    [1, "PX001", "141123198710058468", "张慧颖", "签到", "人脸识别", "2023-03-01 08:00:05",
     "2023-03-01 08:00:30", "0.91"],
    [2, "PX001", "141123198710058468", "张慧颖", "签退", "人脸识别", "2023/3/1 17:00",
     "2023/3/1 17:01", "0.88"],
    [3, "PX001", "11010519491231002X", "王建国", "签到", "刷卡", "2023年3月1日 8:01",
     "2023年3月1日 8:05", ""],
    [4, "PX001", "11010519491231002X", "王建国", "签退", "指纹", "20230301170200",
     "20230301170500", ""],
]
TITLE = ["2023年3月 培训班考勤记录"]
# what the spec says these rows are (docs/reference/events.md), written out by hand
EXPECTED = [
    ("AttendanceRecorded", "2023-03-01T08:00:05+08:00", "2023-03-01T08:00:30+08:00",
     {"class_id": "PX001", "person_id": "141123198710058468", "direction": "in",
      "method": "face", "face_score": 0.91, "姓名": "张慧颖"}),
    ("AttendanceRecorded", "2023-03-01T17:00:00+08:00", "2023-03-01T17:01:00+08:00",
     {"class_id": "PX001", "person_id": "141123198710058468", "direction": "out",
      "method": "face", "face_score": 0.88, "姓名": "张慧颖"}),
    ("AttendanceRecorded", "2023-03-01T08:01:00+08:00", "2023-03-01T08:05:00+08:00",
     {"class_id": "PX001", "person_id": "11010519491231002X", "direction": "in",
      "method": "card", "姓名": "王建国"}),
    ("AttendanceRecorded", "2023-03-01T17:02:00+08:00", "2023-03-01T17:05:00+08:00",
     {"class_id": "PX001", "person_id": "11010519491231002X", "direction": "out",
      "method": "fingerprint", "姓名": "王建国"}),
]


def typed_rows() -> list[list[object]]:
    """The rows as a workbook holds them: times as time cells, scores as numbers."""
    out = []
    for row in ROWS:
        row = list(row)
        for c in (6, 7):
            for form in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S"):
                try:
                    row[c] = datetime.strptime(row[c], form)
                    break
                except ValueError:
                    continue
        row[8] = float(row[8]) if row[8] else None
        out.append(row)
    return out


WRITERS: dict[str, Callable[[Path], Path]] = {
    "xlsx": lambda d: write_xlsx(d / "考勤.xlsx", [TITLE, HEADER, *typed_rows()],
                                 sheet="考勤", merges=["A1:I1"]),
    "ods": lambda d: write_ods(d / "考勤.ods", [TITLE, HEADER, *typed_rows()], sheet="考勤"),
    "csv-utf8": lambda d: write_text(d / "考勤-utf8.csv", [TITLE, HEADER, *ROWS]),
    "csv-utf8-bom": lambda d: write_text(d / "考勤-bom.csv", [TITLE, HEADER, *ROWS], "utf-8-sig"),
    "csv-gbk": lambda d: write_text(d / "考勤-gbk.csv", [TITLE, HEADER, *ROWS], "gbk"),
    "csv-gb18030": lambda d: write_text(d / "考勤-gb18030.csv", [TITLE, HEADER, *ROWS], "gb18030"),
    "txt-utf16-tab": lambda d: write_text(d / "考勤.txt", [TITLE, HEADER, *ROWS], "utf-16", "\t"),
    "txt-gbk-tab": lambda d: write_text(d / "考勤-gbk.txt", [TITLE, HEADER, *ROWS], "gbk", "\t"),
}


def _decimals(data: dict[str, object]) -> dict[str, object]:
    return {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in data.items()}


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_each_format_gives_the_events_the_rows_mean(store: EventStore, tmp_path: Path,
                                                    fmt: str) -> None:
    path = WRITERS[fmt](tmp_path)
    summary = import_paths(store, [str(path)], kind="attendance")
    (sheet,) = summary.sheets
    assert (sheet.rows, sheet.stored, sheet.quarantined) == (4, 4, 0), sheet.as_json()
    assert sheet.info.header_row == 2 and dict(sheet.skipped) == {"title": 1}
    got = [(t, o, r, _decimals(d)) for t, o, r, d in contents(store)]
    assert got == [(t, o, r, _decimals(d)) for t, o, r, d in EXPECTED]


def test_the_same_sheet_in_every_format_is_stored_once(store: EventStore, tmp_path: Path) -> None:
    paths = [str(write(tmp_path)) for write in WRITERS.values()]
    summary = import_paths(store, paths, kind="attendance")
    assert [s.stored for s in summary.sheets] == [4] + [0] * (len(paths) - 1)
    assert [s.duplicates for s in summary.sheets] == [0] + [4] * (len(paths) - 1)
    assert len(stored(store)) == 4


def test_the_encoding_is_detected_not_assumed(tmp_path: Path) -> None:
    from imports.readers import detect_encoding

    rows = [HEADER, *ROWS]
    assert detect_encoding(str(write_text(tmp_path / "a.csv", rows, "gbk"))) == "gb18030"
    assert detect_encoding(str(write_text(tmp_path / "b.csv", rows, "utf-8"))) == "utf-8"
    assert detect_encoding(str(write_text(tmp_path / "c.csv", rows, "utf-8-sig"))) == "utf-8-sig"
    assert detect_encoding(str(write_text(tmp_path / "d.txt", rows, "utf-16", "\t"))) == "utf-16"
    # a GBK file whose first megabyte is plain ASCII: looked at again where Chinese starts
    ascii_rows = [["培训班编号" if i == 0 else f"PX{i:07d}"] for i in range(120_000)]
    late = write_text(tmp_path / "late.csv", [*ascii_rows, ["签到"]], "gbk")
    assert late.stat().st_size > 1 << 20
    assert detect_encoding(str(late)) == "gb18030"


def test_a_gb18030_name_outside_gbk_is_kept_exactly(store: EventStore, tmp_path: Path) -> None:
    rows = [HEADER, [1, "PX001", "141123198710058468", "王䶮", "签到", "人脸识别",
                     "2023-03-01 08:00:05", "", ""]]
    path = write_text(tmp_path / "gb18030.csv", rows, "gb18030")
    import_paths(store, [str(path)], kind="attendance")
    (event,) = stored(store)
    assert event["data"]["姓名"] == "王䶮"


def test_legacy_xls_as_excel_97_wrote_it(store: EventStore) -> None:
    summary = import_paths(store, [str(FIXTURES / "persons.xls")], kind="persons")
    (sheet,) = summary.sheets
    assert sheet.info.sheet == "花名册" and sheet.info.header_row == 3
    assert (sheet.stored, sheet.quarantined) == (3, 1)
    assert dict(sheet.skipped) == {"title": 2, "total": 1}
    events = stored(store)
    assert [e["data"]["person_id"] for e in events] == [
        "141123198710058468", "11010519491231002X", "141123199001021234"]
    assert events[0]["data"] == {
        "person_id": "141123198710058468", "name": "张慧颖", "gender": "F",
        "birth_date": "1987-10-05", "county": "交口县", "hukou": "rural",
        "category": "rural_transfer"}
    assert events[0]["occurred_at"] == "2023-01-01T09:30:00+08:00"
    (entry,) = store.quarantine_list()
    assert entry.line_no == 7 and entry.reason == "bad_id_number"
    assert entry.source.endswith("persons.xls#花名册")
