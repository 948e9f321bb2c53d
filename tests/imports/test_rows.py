"""Rows as exports hold them: layout rows skipped with why, bad rows quarantined with why.

Every row of an import ends in one place: an event, a row skipped for a stated
reason (title, blank, total, repeated header, note), or the quarantine with its
file, sheet, row number, column, value and reason in English and Chinese. The
other rows of the sheet go on.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from engine.store.base import EventStore
from imports import import_paths
from tests.imports.sheets import stored, write_text, write_xlsx

PERSON_HEADER = ["序号", "姓名", "身份证号码", "性别", "出生日期", "所属区县", "户籍", "人员类别",
                 "登记日期"]


def person(n: int, name: str, pid: object, gender: str = "女", born: object = "1987-10-05"
           ) -> list[object]:
    return [n, name, pid, gender, born, "交口县", "农村", "农村转移劳动力", "2023-01-01"]


def entries(store: EventStore) -> dict[int, tuple[str, dict[str, object], str]]:
    """Open quarantine entries by row number: (reason, the raw row record, message)."""
    return {e.line_no: (str(e.reason), json.loads(e.raw), e.message)
            for e in store.quarantine_list()}


def test_titles_merged_headers_blanks_totals_and_notes_are_skipped_with_why(
        store: EventStore, tmp_path: Path) -> None:
    rows = [
        ["2023年第一期培训班学员花名册"],                                    # 1 title (merged)
        ["填报单位：交口县人社局", None, None, None, None, "填报日期：2023-01-05"],  # 2 filler
        ["序号", "基本信息", None, None, None, "户籍信息", None, "人员类别", "登记日期"],  # 3
        [None, "姓名", "身份证号码", "性别", "出生日期", "所属区县", "户籍", None, None],  # 4
        person(1, "张慧颖", "141123198710058468"),                           # 5
        [None] * 9,                                                          # 6 blank
        person(2, "王建国", "11010519491231002X", "男", date(1949, 12, 31)),   # 7
        ["小计", None, None, None, None, None, None, "2人", None],            # 8 subtotal
        PERSON_HEADER,                                                       # 9 header again
        person(3, "李小红", "141123199001021234", born=datetime(1990, 1, 2)),  # 10
        [4, None, None, None, None, None, None, None, None],                 # 11 numbered, empty
        ["合 计", "3人"],                                                     # 12 total
        ["总计：3人"],                                                        # 13 grand total
        ["注：本表由培训机构填报，人社部门审核。"],                             # 14 note
    ]
    path = write_xlsx(tmp_path / "花名册.xlsx", rows, sheet="学员",
                      merges=["A1:I1", "A3:A4", "B3:E3", "F3:G3", "H3:H4", "I3:I4"])
    summary = import_paths(store, [str(path)], kind="persons")
    (sheet,) = summary.sheets
    assert sheet.info.header_row == 4, "the two-row header, its merged cells read as one"
    placed = {h: t for h, t, _ in sheet.info.columns}
    assert placed["人员类别"] == "category" and placed["登记日期"] == "occurred_at"
    assert placed["姓名"] == "name" and placed["序号"] == "#"
    assert (sheet.rows, sheet.stored, sheet.quarantined) == (10, 3, 0), sheet.as_json()
    assert dict(sheet.skipped) == {"title": 2, "blank": 2, "total": 3, "repeated header": 1,
                                   "note": 1}
    assert [e["data"]["name"] for e in stored(store)] == ["张慧颖", "王建国", "李小红"]
    assert [e["data"]["birth_date"] for e in stored(store)] == [
        "1987-10-05", "1949-12-31", "1990-01-02"]


def test_each_bad_cell_is_quarantined_with_row_column_value_and_reason(
        store: EventStore, tmp_path: Path) -> None:
    rows = [PERSON_HEADER,
            person(1, "张慧颖", "141123198710058468"),               # 2 good
            person(2, "数字", 141123198710058468),                  # 3 a number cell
            person(3, "科学计数", "1.41123E+17"),                     # 4 Excel's display
            person(4, "零尾", "141034198601150000"),                 # 5 text: stored as written
            person(5, "丢X", "11010519491231002"),                   # 6 trailing X lost
            person(6, "性别未知", "141123199001021234", gender="未知"),  # 7 unknown word
            person(7, "生日", "141123199001021234", born="1990-02-30"),  # 8 no such day
            person(8, "", "141123199001021234"),                    # 9 name missing
            person(9, "王建国", "11010519491231002X", "男")]          # 10 good
    path = write_xlsx(tmp_path / "人员.xlsx", rows, sheet="人员")
    summary = import_paths(store, [str(path)], kind="persons")
    (sheet,) = summary.sheets
    assert (sheet.stored, sheet.quarantined) == (3, 6)
    got = entries(store)
    want = {3: ("bad_id_number", "身份证号码"), 4: ("bad_id_number", "身份证号码"),
            6: ("bad_id_number", "身份证号码"),
            7: ("unknown_value", "性别"), 8: ("bad_date", "出生日期"),
            9: ("missing_field", "姓名")}
    assert {n: (reason, raw["column"]) for n, (reason, raw, _) in got.items()} == want
    for n, (_, raw, message) in got.items():
        assert raw["file"].endswith("人员.xlsx") and raw["sheet"] == "人员" and raw["rows"] == [n]
        assert f"row {n}" in message and " / " in message  # English, then Chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message.split(" / ")[1])
    assert got[7][1]["value"] == "未知" and "F" in got[7][2] and "女" in got[7][2]
    assert got[8][1]["value"] == "1990-02-30"
    for n in (3, 4, 6):  # the damaged number is named masked, never in full
        assert "1411231987100" not in got[n][2] and "110105194912" not in got[n][2]


def test_money_and_spec_refusals_in_a_csv(store: EventStore, tmp_path: Path) -> None:
    header = ["拨付编号", "申请编号", "拨付金额", "收款账号", "县区", "资金项目", "拨付时间"]
    rows = [header,
            ["PY1", "CL1", "1,000.00元", "6217000012345678901", "交口县", "就业补助", "2023-05-01"],
            ["PY2", "CL2", "1千元", "6217000012345678901", "交口县", "就业补助", "2023-05-01"],
            ["PY3", "CL3", "-100", "6217000012345678901", "交口县", "就业补助", "2023-05-01"],
            ["PY4", "CL4", "100.005", "6217000012345678901", "交口县", "就业补助", "2023-05-01"],
            ["PY5", "CL5", "￥500", "6.217E+18", "交口县", "就业补助", "2023-05-01"],
            ["PY6", "CL6", "￥500", "6217000012345678901", "交口县", "就业补助", "2023-05-01"]]
    path = write_text(tmp_path / "拨付.csv", rows, "gbk")
    summary = import_paths(store, [str(path)], kind="payments")
    assert (summary.sheets[0].stored, summary.sheets[0].quarantined) == (2, 4)
    got = entries(store)
    assert {n: (r, raw["column"]) for n, (r, raw, _) in got.items()} == {
        3: ("bad_money", "拨付金额"), 4: ("bad_money", "拨付金额"), 5: ("bad_money", "拨付金额"),
        6: ("bad_id_number", "收款账号")}
    assert [e["data"]["amount"] for e in stored(store)] == ["1000.00", "500.00"]


def test_what_the_spec_refuses_is_quarantined_naming_the_column(
        store: EventStore, tmp_path: Path) -> None:
    header = ["培训班编号", "机构编号", "职业编码", "培训等级", "培训模式", "所属区县", "培训地点",
              "班级容量", "开班日期", "结业日期", "计划天数", "计划课时", "资金项目"]
    good = ["PX1", "JG1", "4-10-01-05", "四级", "普惠制", "交口县", "教室1", 30, "2023-03-01",
            "2023-03-10", 8, 56, "就业补助"]
    backwards = [*good[:8], "2023-03-10", "2023-03-01", *good[10:]]
    backwards[0] = "PX2"
    unknown_mode = [*good[:4], "包班制", *good[5:]]
    unknown_mode[0] = "PX3"
    path = write_xlsx(tmp_path / "开班.xlsx", [header, good, backwards, unknown_mode])
    summary = import_paths(store, [str(path)], kind="classes")
    assert (summary.sheets[0].stored, summary.sheets[0].quarantined) == (1, 2)
    got = entries(store)
    assert got[3][0] == "impossible_value" and got[3][1]["column"] == "结业日期"
    assert got[4][0] == "unknown_value" and got[4][1]["column"] == "培训模式"
    (event,) = stored(store)
    assert event["occurred_at"] == "2023-03-01T00:00:00+08:00"  # no time column: the start date
    assert event["data"]["level"] == 4 and event["data"]["mode"] == "inclusive"


def test_a_line_the_encoding_cannot_read_is_quarantined_and_the_rest_stored(
        store: EventStore, tmp_path: Path) -> None:
    header = "培训班编号,身份证号,签到类型,打卡方式,签到时间\r\n".encode("gbk")
    good = "PX1,141123198710058468,签到,人脸识别,2023-03-01 08:00\r\n".encode("gbk")
    broken = b"PX1,141123198710058468,\xff\xfe,\x80,2023-03-01 17:00\r\n"
    path = tmp_path / "坏字节.csv"
    path.write_bytes(header + good + broken + good.replace(b"08:00", b"09:00"))
    summary = import_paths(store, [str(path)], kind="attendance")
    assert (summary.sheets[0].stored, summary.sheets[0].quarantined) == (2, 1)
    (entry,) = store.quarantine_list()
    assert entry.line_no == 3 and entry.reason == "bad_encoding"
    raw = json.loads(entry.raw)
    import base64

    assert base64.b64decode(raw["undecoded_base64"][0]) == broken.rstrip(b"\r\n")


def test_a_time_of_day_is_required_for_a_check_in(store: EventStore, tmp_path: Path) -> None:
    rows = [["培训班编号", "身份证号", "签到类型", "打卡方式", "签到时间"],
            ["PX1", "141123198710058468", "签到", "人脸识别", "2023-03-01"]]
    summary = import_paths(store, [str(write_text(tmp_path / "a.csv", rows))], kind="attendance")
    assert summary.sheets[0].quarantined == 1
    assert entries(store)[2][0] == "bad_date"


def test_a_money_column_in_ten_thousands_is_not_read_as_yuan(
        store: EventStore, tmp_path: Path) -> None:
    rows = [["县区", "资金项目", "年度", "下达金额(万元)", "下达日期"],
            ["交口县", "就业补助", 2023, 55, "2023-01-05"]]
    summary = import_paths(store, [str(write_text(tmp_path / "b.csv", rows))], kind="budgets")
    (sheet,) = summary.sheets
    assert sheet.stored == 0 and sheet.quarantined == 1
    assert "amount" in sheet.info.missing
    note = {h: n for h, _, n in sheet.info.columns}["下达金额(万元)"]
    assert "万元" in note and "yuan" in note


def test_a_claim_is_the_rows_of_its_number_and_is_refused_whole(
        store: EventStore, tmp_path: Path) -> None:
    header = ["申请编号", "申请主体类型", "申请主体编号", "补贴类型", "培训班编号", "资金项目",
              "县区", "身份证号", "姓名", "补贴金额", "培训天数", "申请时间"]
    common = ["机构", "JG1", "培训补贴", "PX1", "就业补助", "交口县"]
    rows = [header,
            ["CL1", *common, "141123198710058468", "张慧颖", "￥700.00", 10, "2023-04-01 10:00"],
            ["CL1", *common, "11010519491231002X", "王建国", "630", 9, "2023-04-01 10:00"],
            ["CL2", *common, "141123199001021234", "李小红", "700元", 10, "2023-04-02 10:00"],
            ["CL2", *common, "141123198710058468", "张慧颖", "七百", 10, "2023-04-02 10:00"],
            ["合计", None, None, None, None, None, None, None, None, "2730", None, None]]
    summary = import_paths(store, [str(write_xlsx(tmp_path / "申请.xlsx", rows))], kind="claims")
    (sheet,) = summary.sheets
    assert (sheet.stored, sheet.quarantined, dict(sheet.skipped)) == (1, 1, {"total": 1})
    (claim,) = stored(store)
    assert claim["data"]["claim_id"] == "CL1" and claim["data"]["amount"] == "1330.00"
    assert claim["data"]["items"] == [
        {"person_id": "141123198710058468", "amount": "700.00", "days": 10, "姓名": "张慧颖"},
        {"person_id": "11010519491231002X", "amount": "630.00", "days": 9, "姓名": "王建国"}]
    (entry,) = store.quarantine_list()
    raw = json.loads(entry.raw)
    assert raw["rows"] == [4, 5] and raw["column"] == "补贴金额" and entry.reason == "bad_money"
