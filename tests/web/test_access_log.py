"""The access log: views in full, downloads, actions, logins and refusals, read by admins."""

from __future__ import annotations

import csv
import io
import json

from services import ingestion
from services.workbench import Workbench
from tests.web.conftest import NAMES, OPERATOR, WebCity


def accesses(city: WebCity, **params: str) -> list[dict]:
    r = city.as_role("admin").get("/api/access", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["accesses"]


def test_a_view_in_full_is_recorded_with_who_and_whom(city: WebCity) -> None:
    inv = city.as_role("investigator")
    assert inv.get(f"/api/persons/{city.ghost}", params={"unmask": True}).status_code == 200
    seen = accesses(city, by=NAMES["investigator"], action="view.person")
    assert any(a["subject_id"] == city.ghost and a["unmasked"] and a["role"] == "investigator"
               and a["outcome"] == "ok" for a in seen), seen


def test_a_masked_view_is_not_a_view_of_personal_data(city: WebCity) -> None:
    assert city.as_role("finance").get(f"/api/persons/{city.alive}").status_code == 200
    assert accesses(city, by=NAMES["finance"], action="view.person") == []


def test_a_refusal_is_recorded(city: WebCity) -> None:
    r = city.as_role("finance").get(f"/api/persons/{city.alive}", params={"unmask": True})
    assert r.status_code == 403
    refused = accesses(city, by=NAMES["finance"], outcome="refused")
    assert any(f"/api/persons/{city.alive}" in (a["detail"] or "") for a in refused), refused


def test_actions_and_downloads_are_recorded(city: WebCity) -> None:
    inv = city.as_role("investigator")
    r = inv.post("/api/cases", json={"finding_id": city.ghost_finding, "reason": "访问日志"})
    assert r.status_code == 200, r.text
    assert inv.get("/api/reports/funds", params={"format": "html"}).status_code == 200
    mine = accesses(city, by=NAMES["investigator"])
    actions = {(a["action"], a["subject_id"]) for a in mine}
    assert ("case.open", r.json()["case_id"]) in actions
    assert any(a == "download.fund_report" for a, _ in actions)


def test_logins_are_recorded_refused_ones_too(city: WebCity) -> None:
    city.anonymous().post("/api/auth/login", json={"name": "mallory", "password": "guess-1234"})
    tried = accesses(city, action="login", by="mallory")
    assert tried and tried[0]["outcome"] == "refused"
    assert accesses(city, action="login", by=NAMES["finance"], outcome="ok")


def test_only_admins_read_the_log(city: WebCity) -> None:
    for role in ("investigator", "finance", "inspector"):
        assert city.as_role(role).get("/api/access").status_code == 403
        assert city.as_role(role).get("/api/access/export").status_code == 403


def test_the_export_holds_every_access_in_full_and_is_itself_recorded(city: WebCity) -> None:
    inv = city.as_role("investigator")
    assert inv.get(f"/api/timelines/person/{city.ghost}", params={"unmask": True}
                   ).status_code == 200
    admin = city.as_role("admin")
    total = admin.get("/api/access", params={"limit": 1}).json()["total"]
    lines = admin.get("/api/access/export", params={"format": "jsonl"}).text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) >= total
    assert any(r["subject_id"] == city.ghost for r in rows)  # in full, for an admin
    text = admin.get("/api/access/export").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) >= total and {"by", "action", "subject_id", "outcome"} <= set(table[0])
    assert accesses(city, by=NAMES["admin"], action="download.access_log")


def test_accesses_are_events_of_the_chained_log(city: WebCity) -> None:
    city.as_role("admin").get("/api/access")  # everything noted is stored
    wb = Workbench(city.url)
    stats = ingestion.store_stats(wb, OPERATOR)
    assert stats["by_type"].get("AccessRecorded", 0) >= 5
    assert ingestion.verify_chain(wb, OPERATOR).ok
    wb.close(release=True)
