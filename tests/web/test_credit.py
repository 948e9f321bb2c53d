"""Credit ratings in the workbench: the present list is kept while its facts stay put and
rated anew as soon as one arrives."""

from __future__ import annotations

import json

from tests.web.conftest import WebCity


def test_a_new_fact_is_rated_at_once_and_reading_alone_changes_nothing(city: WebCity) -> None:
    c = city.as_role("finance")
    first = c.get("/api/credit").json()
    assert c.get("/api/credit").json() == first  # nothing new: the same list, as recorded
    c.get(f"/api/persons/{city.alive}")  # reads (and access events) are no facts
    assert c.get("/api/credit").json()["ratings"] == first["ratings"]
    new = json.dumps({"event_id": "credit-web-i9", "type": "InstitutionRegistered",
                      "occurred_at": "2023-01-02T09:00:00+08:00", "source": "upload",
                      "data": {"institution_id": "I9", "name": "I9 培训学校",
                               "credit_code": "CCI9", "kind": "private_school",
                               "county": "离石区", "licensed_occupations": ["4-10-01-05"],
                               "venue_capacity": 30, "legal_rep_id": "LR-I9",
                               "phone": "0358-I9", "bank_account": "ACC-I9"}},
                     ensure_ascii=False).encode() + b"\n"
    done = city.as_role("admin").post("/api/imports", files={"file": ("i9.jsonl", new)},
                                      data={"kind": "events"})
    assert done.json()["stored"] == 1, done.text
    after = c.get("/api/credit").json()
    assert "I9" in {r["subject_id"] for r in after["ratings"]}
    assert after["total"] == first["total"] + 1
    assert c.get("/api/credit/I9").json()["grade"] in "ABCD"
