"""Imports through the API: a file previewed (nothing stored), then imported, by admins."""

from __future__ import annotations

import gzip
import json

from tests.web.conftest import WebCity


def line(event_id: str, year: int) -> bytes:
    return json.dumps({"event_id": event_id, "type": "BudgetAllocated",
                       "occurred_at": "2023-01-04T09:00:00+08:00", "source": "upload",
                       "data": {"county": "离石区", "program": "employment_subsidy",
                                "year": year, "amount": "10.00"}},
                      ensure_ascii=False).encode() + b"\n"


def test_preview_stores_nothing_and_import_stores_and_quarantines(city: WebCity) -> None:
    admin = city.as_role("admin")
    body = line("upload-1", 2031) + b"{not json\n"
    before = admin.get("/api/chain").json()["events"]
    for name, data in (("b.jsonl", body), ("b.jsonl.gz", gzip.compress(body))):
        seen = admin.post("/api/imports/preview", files={"file": (name, data)},
                          data={"kind": "events"}).json()
        assert (seen["valid"], seen["malformed"]) == (1, 1), (name, seen)
        assert seen["reasons"] == {"not_json": 1}
    assert admin.get("/api/chain").json()["events"] == before
    done = admin.post("/api/imports", files={"file": ("b.jsonl", body)},
                      data={"kind": "events"}).json()
    assert (done["stored"], done["quarantined"]) == (1, 1) and done["sources"] == ["b.jsonl"]
    again = admin.post("/api/imports", files={"file": ("b.jsonl", body)},
                       data={"kind": "events"}).json()
    assert again["stored"] == 0 and again["duplicates"] == 1
    ledger = admin.get("/api/ledger", params={"year": 2031}).json()["rows"]
    assert [r["allocated"] for r in ledger] == ["10.00"]
    logged = admin.get("/api/access", params={"action": "import"}).json()
    assert logged["total"] >= 2


def test_an_unknown_kind_is_refused(city: WebCity) -> None:
    r = city.as_role("admin").post("/api/imports", files={"file": ("b.xlsx", b"PK")},
                                   data={"kind": "planets"})
    assert r.status_code == 422
