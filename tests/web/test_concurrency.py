"""Twenty clients at once on a served workbench: no server error, and every view in full
they made is in the access log once."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn

from tests.web.conftest import NAMES, PASSWORD, WebCity, start

CLIENTS, ROUNDS = 20, 6


@contextmanager
def served(app: object) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread; stopped afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def work(base: str, n: int, city: WebCity) -> list[int]:
    statuses = []
    with httpx.Client(base_url=base, timeout=60) as c:
        r = c.post("/api/auth/login", json={"name": NAMES["investigator"], "password": PASSWORD})
        statuses.append(r.status_code)
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        for i in range(ROUNDS):
            statuses.append(c.get("/api/findings", params={"limit": 5, "offset": i}).status_code)
            statuses.append(c.get(f"/api/findings/{city.overpaid}").status_code)
            statuses.append(c.get(f"/api/timelines/person/{city.alive}",
                                  params={"unmask": True}).status_code)
            if i == 0:
                statuses.append(c.post(f"/api/cases/case-{city.overpaid}/notes",
                                       json={"text": f"client {n} 备注"}).status_code)
    return statuses


@pytest.mark.slow
def test_twenty_clients_at_once(city: WebCity, tmp_path: Path) -> None:
    inv = city.as_role("investigator")
    inv.post("/api/cases", json={"finding_id": city.overpaid})  # the notes' case (or 409)
    with served(start(tmp_path, city.url)) as base, ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: work(base, n, city), range(CLIENTS)))
    statuses = [s for r in results for s in r]
    assert all(s == 200 for s in statuses), sorted(set(statuses))
    seen = city.as_role("admin").get("/api/access", params={
        "action": "view.person", "subject_id": city.alive, "limit": 1}).json()["total"]
    assert seen == CLIENTS * ROUNDS
    notes = city.as_role("admin").get("/api/access", params={
        "action": "case.note", "limit": 1}).json()["total"]
    assert notes == CLIENTS
