"""Spreadsheet imports through the API: an xlsx by openpyxl, a GBK CSV, a mapping file;
previewed (nothing stored, masked unless asked), then imported with a quarantined row."""

from __future__ import annotations

from pathlib import Path

from imports.kinds import KINDS
from tests.imports.sheets import write_text, write_xlsx
from tests.imports.test_formats import HEADER, ROWS, TITLE, typed_rows
from tests.web.conftest import WebCity
from web.api.imports import Kind

BAD = [5, "PX001", "141123199001021234", "李四", "签到", "人脸识别", "明天早上",
       "2023-03-02 08:00:30", ""]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_api_takes_every_kind_the_command_line_takes() -> None:
    assert set(Kind.__args__) == {"events", *KINDS}


def test_an_xlsx_is_previewed_masked_then_imported(city: WebCity, tmp_path: Path) -> None:
    admin = city.as_role("admin")
    path = write_xlsx(tmp_path / "考勤.xlsx", [TITLE, HEADER, *typed_rows(), BAD], sheet="考勤")
    body = path.read_bytes()
    before = admin.get("/api/chain").json()["events"]
    seen = admin.post("/api/imports/preview", files={"file": ("考勤.xlsx", body, XLSX)},
                      data={"kind": "attendance"})
    assert seen.status_code == 200, seen.text
    (sheet,) = seen.json()["sheets"]
    assert sheet["sheet"] == "考勤" and sheet["header_row"] == 2 and sheet["file"] == "考勤.xlsx"
    assert len(sheet["events"]) == 4 and sheet["events"][0]["type"] == "AttendanceRecorded"
    assert "141123198710058468" not in seen.text  # masked unless asked
    assert [r["row"] for r in sheet["refused"]] == [7]
    assert str(city.files) not in seen.text  # no server path
    full = admin.post("/api/imports/preview", params={"unmask": "true"},
                      files={"file": ("考勤.xlsx", body, XLSX)}, data={"kind": "attendance"})
    assert "141123198710058468" in full.text
    assert admin.get("/api/chain").json()["events"] == before
    done = admin.post("/api/imports", files={"file": ("考勤.xlsx", body, XLSX)},
                      data={"kind": "attendance", "sheet": "考勤"})
    assert done.status_code == 200, done.text
    got = done.json()
    assert (got["stored"], got["quarantined"], got["duplicates"]) == (4, 1, 0)
    assert got["sheets"][0]["errors"][0]["row"] == 7
    assert got["sheets"][0]["file"] == "考勤.xlsx"
    again = admin.post("/api/imports", files={"file": ("考勤.xlsx", body, XLSX)},
                       data={"kind": "attendance"}).json()
    assert again["stored"] == 0 and again["duplicates"] == 4
    logged = admin.get("/api/access", params={"action": "import"}).json()["accesses"]
    assert any(a["subject_id"] == "考勤.xlsx" and a["detail"].startswith("attendance: 4 stored")
               for a in logged)


def test_a_gbk_csv_with_a_mapping_file(city: WebCity, tmp_path: Path) -> None:
    admin = city.as_role("admin")
    header = [("打卡类别" if h == "签到类型" else h) for h in HEADER]
    rows = [[*r[:6], r[6].replace("2023", "2024", 1), *r[7:]] for r in ROWS[:1]]
    path = write_text(tmp_path / "考勤.csv", [TITLE, header, *rows], "gbk")
    mapping = '[columns]\n"打卡类别" = "direction"\n'.encode()
    r = admin.post("/api/imports/preview",
                   files={"file": ("考勤.csv", path.read_bytes(), "text/csv"),
                          "mapping": ("mapping.toml", mapping, "application/toml")},
                   data={"kind": "attendance"})
    assert r.status_code == 200, r.text
    (sheet,) = r.json()["sheets"]
    assert sheet["encoding"] == "gb18030" and sheet["missing"] == []
    assert sheet["events"][0]["data"]["direction"] == "in"
    done = admin.post("/api/imports",
                      files={"file": ("考勤.csv", path.read_bytes(), "text/csv"),
                             "mapping": ("mapping.toml", mapping, "application/toml")},
                      data={"kind": "attendance"}).json()
    assert done["stored"] == 1


def test_a_file_that_is_no_spreadsheet_is_refused(city: WebCity) -> None:
    admin = city.as_role("admin")
    r = admin.post("/api/imports/preview", files={"file": ("x.exe", b"MZ")},
                   data={"kind": "persons"})
    assert r.status_code == 400 and "not a spreadsheet" in r.json()["error"]["message"]
    broken = admin.post("/api/imports/preview", files={"file": ("x.xlsx", b"not a zip")},
                        data={"kind": "persons"})
    assert broken.status_code == 200 and broken.json()["sheets"][0]["problem"]
    for role in ("investigator", "finance", "inspector"):
        r = city.as_role(role).post("/api/imports/preview", files={"file": ("x.csv", b"a")},
                                    data={"kind": "persons"})
        assert r.status_code == 403
