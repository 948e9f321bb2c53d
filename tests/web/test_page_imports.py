"""The imports page: upload with a kind, preview (masked), import by the kept file's hash."""

from __future__ import annotations

import re
from pathlib import Path

from tests.imports.sheets import write_xlsx
from tests.imports.test_formats import HEADER, TITLE, typed_rows
from tests.web.conftest import WebCity

BAD = [5, "PX002", "141123199001021234", "<b>李四</b>", "签到", "人脸识别", "明天早上",
       "2023-03-02 08:00:30", ""]


def sheet(tmp: Path) -> bytes:
    rows = [[*r[:1], "PX002", *r[2:]] for r in typed_rows()]
    return write_xlsx(tmp / "考勤.xlsx", [TITLE, HEADER, *rows, BAD], sheet="考勤").read_bytes()


def preview(city: WebCity, body: bytes) -> str:
    page = city.as_role("admin").post(
        "/imports/preview", data={"kind": "attendance", "sheet": "",
                                  "csrf_token": city.csrf["admin"]},
        files={"file": ("考勤.xlsx", body, "application/octet-stream")})
    assert page.status_code == 200, page.text
    return page.text


def test_the_form_offers_every_kind(city: WebCity) -> None:
    page = city.as_role("admin").get("/imports")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'value="attendance"' in page.text and 'value="events"' in page.text


def test_preview_then_import_by_the_hash(city: WebCity, tmp_path: Path) -> None:
    body = sheet(tmp_path)
    before = city.as_role("admin").get("/api/chain").json()["events"]
    text = preview(city, body)
    assert 'id="preview-rows"' in text and "AttendanceRecorded" in text
    assert "141123198710058468" not in text  # masked in the preview
    assert 'id="preview-problems"' in text and "<b>李四" not in text
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', text).group(1)
    assert (city.files / "uploads" / sha / "考勤.xlsx").read_bytes() == body
    assert city.as_role("admin").get("/api/chain").json()["events"] == before
    done = city.as_role("admin").post("/imports/run", data={
        "sha256": sha, "kind": "attendance", "sheet": "", "mapping_sha256": "",
        "csrf_token": city.csrf["admin"]})
    assert done.status_code == 200, done.text
    assert re.search(r'id="stored">4<', done.text) and re.search(r'id="quarantined">1<',
                                                                  done.text)
    assert 'id="quarantine-reasons"' in done.text
    assert not (city.files / "uploads" / sha).exists()
    again = city.as_role("admin").post("/imports/run", data={
        "sha256": sha, "kind": "attendance", "csrf_token": city.csrf["admin"]})
    assert again.status_code == 400 and "upload it again" in again.text


def test_a_changed_file_is_refused(city: WebCity, tmp_path: Path) -> None:
    body = sheet(tmp_path)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', preview(city, body)).group(1)
    (city.files / "uploads" / sha / "考勤.xlsx").write_bytes(body + b"x")
    r = city.as_role("admin").post("/imports/run", data={
        "sha256": sha, "kind": "attendance", "csrf_token": city.csrf["admin"]})
    assert r.status_code == 400 and "changed" in r.text
    bad = city.as_role("admin").post("/imports/run", data={
        "sha256": "../../etc", "kind": "attendance", "csrf_token": city.csrf["admin"]})
    assert bad.status_code == 422


def test_json_lines_still_preview_and_import(city: WebCity) -> None:
    line = ('{"event_id": "page-budget-1", "type": "BudgetAllocated", "occurred_at": '
            '"2023-01-04T09:00:00+08:00", "source": "page", "data": {"county": "离石区", '
            '"program": "employment_subsidy", "year": 2032, "amount": "10.00"}}\n{oops\n')
    page = city.as_role("admin").post(
        "/imports/preview", data={"kind": "events", "csrf_token": city.csrf["admin"]},
        files={"file": ("b.jsonl", line.encode())})
    assert page.status_code == 200 and "BudgetAllocated" in page.text and "not_json" in page.text
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page.text).group(1)
    done = city.as_role("admin").post("/imports/run", data={
        "sha256": sha, "kind": "events", "csrf_token": city.csrf["admin"]})
    assert re.search(r'id="stored">1<', done.text)
    logged = city.as_role("admin").get("/api/access", params={"action": "import"}).json()
    assert any(a["subject_id"] == "b.jsonl" for a in logged["accesses"])


def test_others_and_forms_without_the_token_are_refused(city: WebCity) -> None:
    for role in ("investigator", "finance", "inspector"):
        assert city.as_role(role).get("/imports").status_code == 403
    client, _ = city.login("赵管理")
    r = client.post("/imports/run", data={"sha256": "0" * 64, "kind": "events"})
    assert r.status_code == 403
