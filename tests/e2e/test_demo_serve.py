"""The README's path into the browser: `skillaudit demo --serve`, then log in with an account
the demo printed, as a new user would (a real server on a free loopback port)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from tests.servers import free_port, stop

ROOT = Path(__file__).resolve().parents[2]



def test_the_demo_serves_its_store_and_a_printed_account_logs_in(tmp_path: Path) -> None:
    port = free_port()
    out = (tmp_path / "demo.out").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillaudit", "demo", "--persons", "300", "--dir",
         str(tmp_path), "--serve", "--port", str(port)],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1"),
        stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, text = time.monotonic() + 240, ""
        while time.monotonic() < deadline and proc.poll() is None:
            text = Path(out.name).read_text(encoding="utf-8")
            if f"http://127.0.0.1:{port}/" in text and "审计工作台" in text.split(
                    "Demo accounts")[-1]:
                break
            time.sleep(0.5)
        assert proc.poll() is None, text[-3000:]
        accounts = dict(re.findall(r"(demo-\w+)\s+(\S+)\s*$", text, re.M))
        assert set(accounts) == {"demo-investigator", "demo-finance", "demo-inspector",
                                 "demo-admin"}, text[-2000:]
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):  # the port opens a moment after the line is printed
                try:
                    client.get("/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert client.get("/api/findings").status_code == 401
            assert client.post("/api/auth/login", json={
                "name": "demo-admin", "password": "not it at all"}).status_code == 401
        for name, password in accounts.items():
            with httpx.Client(base_url=base, timeout=30) as client:
                r = client.post("/api/auth/login", json={"name": name, "password": password})
                assert r.status_code == 200, r.text
                assert r.json()["role"] == name.removeprefix("demo-")
                found = client.get("/api/findings", params={"limit": 5})
                assert found.status_code == 200 and found.json()["total"] > 0
                queue = client.get("/queue")
                assert queue.status_code == 200 and name in queue.text
    finally:
        stop(proc)
        out.close()
