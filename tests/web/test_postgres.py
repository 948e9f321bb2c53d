"""The workbench on PostgreSQL: the queue, a case step, the access log and its search."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import NAMES, PASSWORD, build_city, start

pytestmark = pytest.mark.postgres


def test_the_workbench_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    url, ghost, _, overpaid, _ = build_city(tmp_path, url=pg_url)
    assert url == pg_url
    with TestClient(start(tmp_path, url)) as client:  # type: ignore[arg-type]
        login = client.post("/api/auth/login", json={"name": NAMES["investigator"],
                                                     "password": PASSWORD})
        assert login.status_code == 200, login.text
        client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        listed = client.get("/api/findings", params={"severity": ["critical", "high"]})
        assert listed.status_code == 200 and listed.json()["total"] >= 1
        assert client.post("/api/cases", json={"finding_id": overpaid}).status_code == 200
        assert ghost in client.get(f"/api/persons/{ghost}", params={"unmask": True}).text
        assert client.get("/api/search", params={"q": "I1' OR 1=1 --"}).json()["results"] == []
        assert client.get("/api/findings", params={"county": "a\x00b"}).status_code == 400
        admin = TestClient(client.app)
        r = admin.post("/api/auth/login", json={"name": NAMES["admin"], "password": PASSWORD})
        assert r.status_code == 200
        seen = admin.get("/api/access", params={"by": NAMES["investigator"]}).json()
        assert {"case.open", "view.person"} <= {a["action"] for a in seen["accesses"]}
