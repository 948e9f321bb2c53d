"""Case attachments: kept by SHA-256, the hash in the note's event, read back only through
a case that names them, refused when the file was changed."""

from __future__ import annotations

import hashlib
import json

from services.workbench import Workbench
from tests.web.conftest import WebCity


def open_case(city: WebCity) -> str:
    inv = city.as_role("investigator")
    inv.post("/api/cases", json={"finding_id": city.ghost_finding})  # 200, or 409: open
    return f"case-{city.ghost_finding}"


def test_an_attachment_is_in_the_log_and_comes_back_unchanged(city: WebCity) -> None:
    inv, case = city.as_role("investigator"), open_case(city)
    data = "死亡证明 scan 141102199005010031".encode()
    up = inv.post("/api/cases/attachments",
                  files={"file": ("../../etc/死亡证明.pdf", data, "application/pdf")}).json()
    assert up["sha256"] == hashlib.sha256(data).hexdigest() and up["name"] == "死亡证明.pdf"
    r = inv.post(f"/api/cases/{case}/notes", json={"text": "死亡证明", "attachments": [up]})
    assert r.status_code == 200, r.text
    wb = Workbench(city.url)
    with wb.store() as store:
        notes = [json.loads(row.state)["data"] for rows in store.iter_rows() for row in rows
                 if row.topic == "CaseNoteAdded"]
    wb.close(release=True)
    assert any(a["sha256"] == up["sha256"] for n in notes for a in n.get("attachments", []))
    history = inv.get(f"/api/cases/{case}", params={"unmask": True}).json()["history"]
    assert any(a["sha256"] == up["sha256"] for s in history for a in s.get("attachments", []))
    got = inv.get(f"/api/cases/{case}/attachments/{up['sha256']}")
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-disposition"].startswith("attachment")
    assert city.as_role("finance").get(f"/api/cases/{case}/attachments/{up['sha256']}"
                                       ).status_code == 403
    admin = city.as_role("admin")
    assert admin.get(f"/api/cases/{case}/attachments/{up['sha256']}").content == data
    seen = admin.get("/api/access", params={"action": "download.attachment"}).json()
    assert seen["total"] >= 2


def test_only_files_a_case_names_are_read_through_it(city: WebCity) -> None:
    inv, case = city.as_role("investigator"), open_case(city)
    loose = inv.post("/api/cases/attachments",
                     files={"file": ("loose.txt", b"never attached", "text/plain")}).json()
    assert inv.get(f"/api/cases/{case}/attachments/{loose['sha256']}").status_code == 404
    assert inv.get(f"/api/cases/{case}/attachments/{'0' * 64}").status_code == 404
    assert inv.get(f"/api/cases/{case}/attachments/..%2F..%2Fcity.db").status_code in (404, 422)
    missing = {**loose, "sha256": "1" * 64}
    r = inv.post(f"/api/cases/{case}/notes", json={"text": "x", "attachments": [missing]})
    assert r.status_code == 400 and "upload" in r.json()["error"]["message"]


def test_a_file_changed_after_it_was_attached_is_refused(city: WebCity) -> None:
    inv, case = city.as_role("investigator"), open_case(city)
    up = inv.post("/api/cases/attachments",
                  files={"file": ("roster.csv", b"name,id\n", "text/csv")}).json()
    assert inv.post(f"/api/cases/{case}/notes",
                    json={"text": "花名册", "attachments": [up]}).status_code == 200
    (city.files / "attachments" / up["sha256"]).write_bytes(b"name,id\nforged,1\n")
    r = inv.get(f"/api/cases/{case}/attachments/{up['sha256']}")
    assert r.status_code == 409 and "changed" in r.json()["error"]["message"]
