"""``skillaudit import`` as an auditor runs it: a folder of exports in one command, the summary
per file, a rejected row fixed and retried, the preview, and errors in one line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from engine.store.factory import open_store
from tests.e2e.conftest import cli_command, cli_env
from tests.imports.sheets import stored, write_ods, write_text, write_xlsx

pytestmark = pytest.mark.e2e

PERSONS = [["2023年学员花名册"],
           ["序号", "姓名", "公民身份号码", "性别", "出生日期", "县区", "户籍", "人员类别",
            "登记日期"],
           [1, "张慧颖", "141123198710058468", "女", "1987-10-05", "交口县", "农村",
            "农村转移劳动力", "2023-01-01"],
           [2, "王建国", "11010519491231002", "男", "1949-12-31", "交口县", "城镇", "失业人员",
            "2023-01-02"],  # the trailing X lost
           ["合计", "2人"]]
ATTENDANCE = [["班级编号", "证件号码", "签到/签退", "打卡方式", "打卡时间"],
              ["PX1", "141123198710058468", "签到", "人脸识别", "2023-03-01 08:00"],
              ["PX1", "141123198710058468", "签退", "人脸识别", "2023-03-01 17:00"]]
MAPPING = """
[files]
"*花名册*" = "persons"
"考勤*" = "attendance"
"""


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(*args), cwd=cwd, env=cli_env(), capture_output=True,
                          text=True, timeout=180, check=False)


def folder(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    exports.mkdir()
    write_xlsx(exports / "2023年花名册.xlsx", PERSONS, merges=["A1:I1"])
    write_text(exports / "考勤-3月.csv", ATTENDANCE, "gbk")
    write_ods(exports / "考勤-4月.ods", [ATTENDANCE[0], ["PX1", "11010519491231002X", "签到",
                                                          "刷卡", "2023-04-03 08:00"]])
    (exports / "~$2023年花名册.xlsx").write_bytes(b"an Excel lock file")  # not a sheet
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    return exports


def test_a_folder_in_one_command_then_a_row_fixed_and_retried(tmp_path: Path,
                                                               store_url: str) -> None:
    exports = folder(tmp_path)
    first = run(tmp_path, "import", str(exports), "--mapping", "map.toml", "--db", store_url)
    assert first.returncode == 0, first.stderr  # a refused row is accounted for, as ingest does
    out = first.stdout
    assert "Traceback" not in first.stderr
    for name in ("2023年花名册.xlsx", "考勤-3月.csv", "考勤-4月.ods"):
        assert name in out
    assert "persons 人员" in out and "attendance 考勤" in out and "GB18030" in out
    assert "total 合计行 1" in out and "title 标题行 1" in out
    assert "bad_id_number" in out and "~$" not in out

    export = run(tmp_path, "quarantine", "export", "--out", "fix.jsonl", "--db", store_url)
    assert export.returncode == 0, export.stderr
    (entry,) = [json.loads(line) for line in (tmp_path / "fix.jsonl").read_text().splitlines()]
    assert entry["row"]["公民身份号码"] == "11010519491231002" and entry["line"] == 4
    assert entry["column"] == "公民身份号码" and entry["sheet"] == "Sheet1"
    entry["row"]["公民身份号码"] = "11010519491231002X"
    (tmp_path / "fix.jsonl").write_text(json.dumps(entry, ensure_ascii=False) + "\n", "utf-8")
    retry = run(tmp_path, "quarantine", "retry", "--corrections", "fix.jsonl", "--db", store_url)
    assert retry.returncode == 0, retry.stdout + retry.stderr
    assert "1 resolved" in retry.stdout

    # the source corrected the same way and exported again: nothing is stored twice
    fixed = [list(r) for r in PERSONS]
    fixed[3][2] = "11010519491231002X"
    write_xlsx(exports / "2023年花名册.xlsx", fixed, merges=["A1:I1"])
    again = run(tmp_path, "import", str(exports), "--mapping", "map.toml", "--db", store_url,
                "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    summary = json.loads(again.stdout)
    assert summary["stored"] == 0 and summary["duplicates"] == 5 and summary["quarantined"] == 0
    store = open_store(store_url)
    try:
        people = [e["data"]["person_id"] for e in stored(store) if e["type"] == "PersonRegistered"]
        assert people == ["141123198710058468", "11010519491231002X"]
        assert store.quarantine_count() == 0
    finally:
        store.close()


def test_preview_shows_the_mapping_and_events_masked_and_stores_nothing(tmp_path: Path) -> None:
    exports = folder(tmp_path)
    proc = run(tmp_path, "import", str(exports / "2023年花名册.xlsx"), "--kind", "persons",
               "--preview", "--db", "sqlite:///preview.db")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "公民身份号码" in out and "→ person_id" in out and "→ row numbering" in out
    assert "141123********8468" in out and "141123198710058468" not in out
    assert "张**" in out and "张慧颖" not in out
    assert "bad_id_number" not in out and "row 4" in out  # the refused row, with its reason
    assert "Nothing was stored" in out
    assert not (tmp_path / "preview.db").exists()


@pytest.mark.parametrize(("args", "says"), [
    (["nowhere.xlsx", "--kind", "persons"], "not found"),
    (["exports"], "--kind"),
    (["exports/2023年花名册.xlsx", "--kind", "persons", "--sheet", "人员"], "no sheet"),
    (["exports", "--mapping", "bad.toml"], "mapping file"),
    (["exports", "--kind", "nonsense"], "invalid choice"),
])
def test_a_wrong_argument_is_one_line_and_exit_2(tmp_path: Path, args: list[str],
                                                 says: str) -> None:
    folder(tmp_path)
    (tmp_path / "bad.toml").write_text('[attendance.columns]\n"班号" = "klass_id"\n', "utf-8")
    proc = run(tmp_path, "import", *args, "--db", "sqlite:///x.db")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert says in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_damaged_workbook_is_named_and_the_others_still_imported(tmp_path: Path) -> None:
    exports = folder(tmp_path)
    (exports / "考勤-5月.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    proc = run(tmp_path, "import", str(exports), "--mapping", "map.toml", "--db",
               "sqlite:///x.db")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "考勤-5月.xlsx" in proc.stdout and "not imported" in proc.stdout
    assert "stored 新存储 " in proc.stdout and "考勤-4月.ods" in proc.stdout
