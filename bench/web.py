"""Workbench speed: the findings list, a finding page and a person timeline under concurrent
clients, served by `skillaudit serve` on a loopback port.

    python bench/web.py [--persons 200000 | --db sqlite:///… (a city with findings)]
                        [--clients 20] [--rounds 15] [--workers 2]

Without --db it runs `skillaudit demo` for a city of --persons first. Each client logs
in as an investigator of its own and asks, per round, a page of the queue, one finding
and one person's timeline in full. Prints p50 and p95 per kind; target: p95 ≤ 150 ms
for each on the 200,000-person city with 20 clients. Every request goes to 127.0.0.1
only; the counts are bounded and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 0.150
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def city(persons: int, folder: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "skillaudit", "demo", "--persons", str(persons),
                    "--dir", str(folder)], check=True, env=env, stdout=subprocess.DEVNULL)
    return f"sqlite:///{folder / 'skillaudit-demo.db'}"


def account(url: str) -> None:
    from services import accounts
    from services.actor import Actor, Role
    from services.workbench import Workbench

    wb, console = Workbench(url), Actor("bench", Role.OPERATOR)
    if accounts.find_account(wb, "bench") is None:
        accounts.add_account(wb, console, "bench", "investigator", PASSWORD)
    else:
        accounts.reset_password(wb, console, "bench", PASSWORD)
    wb.close(release=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=200_000)
    p.add_argument("--db")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        url = a.db or city(a.persons, Path(tmp))
        account(url)
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        server = subprocess.Popen([sys.executable, "-m", "skillaudit", "serve", "--db", url,
                                   "--port", str(port), "--workers", str(a.workers),
                                   "--files", str(Path(tmp) / "files")], env=env, cwd=tmp)
        try:
            run(f"http://127.0.0.1:{port}", a.clients, a.rounds, a.workers)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(base: str, clients: int, rounds: int, workers: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{base}/api/openapi.json", timeout=2)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit("the workbench did not start") from None
            time.sleep(0.3)
    with httpx.Client(base_url=base, timeout=600) as c:
        c.post("/api/auth/login", json={"name": "bench", "password": PASSWORD}
               ).raise_for_status()
        listed = c.get("/api/findings", params={"limit": 500, "unmask": True}).json()
    finding = listed["findings"][0]["finding_id"]
    person = next(f["person_ids"][0] for f in listed["findings"] if f["person_ids"])
    asks = (("findings list", "/api/findings", {"limit": 50}),
            ("finding page", f"/api/findings/{finding}", {}),
            ("person timeline", f"/api/timelines/person/{person}", {"unmask": True}))
    times: dict[str, list[float]] = {name: [] for name, _, _ in asks}

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=600) as c:
            c.post("/api/auth/login", json={"name": "bench", "password": PASSWORD})
            for i in range(rounds):
                for name, path, params in asks:
                    q = {**params, "offset": (n * rounds + i) % 200} if "limit" in params \
                        else params
                    t = time.perf_counter()
                    r = c.get(path, params=q)
                    times[name].append(time.perf_counter() - t)
                    r.raise_for_status()

    client(0)  # each kind once, so that the shared answers exist
    for v in times.values():
        v.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - started
    print(f"{clients} clients × {rounds} rounds, {workers} worker(s): {wall:.1f} s")
    for name, v in times.items():
        v.sort()
        p50, p95 = v[len(v) // 2], v[int(len(v) * 0.95)]
        mark = "ok" if p95 <= TARGET_S else f"over {TARGET_S * 1000:.0f} ms"
        print(f"  {name:<16} n {len(v):>5}  p50 {p50 * 1000:7.1f} ms  "
              f"p95 {p95 * 1000:7.1f} ms  {mark}")


if __name__ == "__main__":
    main()
