"""Workbench speed: the findings list, a finding page and a person timeline under concurrent
clients, served by `skillaudit serve` on a loopback port; with --pages, the queue page too.

    python bench/web.py [--persons 200000 | --db sqlite:///… (a city with findings)]
                        [--clients 20] [--rounds 15] [--workers 2] [--pages]

Without --db it runs `skillaudit demo` for a city of --persons first. Each client logs
in as an investigator of its own (all before the clock starts) and asks, per round, a page
of the queue, one finding and one person's timeline in full. The clients share one
asyncio loop and one process (a thread per client would take the server's cores). Prints
p50 and p95 per kind; target: p95 ≤ 150 ms for each on the 200,000-person city with 20
clients. With --pages it first times the queue page (`GET /queue`, the whole HTML
answer) as soon as the server answers (cold) and then again, one at a time (warm);
target: under a second. Every request goes to 127.0.0.1 only; the counts are bounded, each
request has a timeout, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 0.150
PAGE_TARGET_S = 1.0
PASSWORD = "bench-password-123"
TIMEOUT = httpx.Timeout(120)
WARM_PAGES = 10


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
    p.add_argument("--pages", action="store_true",
                   help="also time the queue page (GET /queue), cold and warm")
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        url = a.db or city(a.persons, Path(tmp))
        account(url)
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "skillaudit", "serve", "--db", url,
                                   "--port", str(port), "--workers", str(a.workers),
                                   "--files", str(Path(tmp) / "files")], env=env, cwd=tmp)
        try:
            asyncio.run(run(f"http://127.0.0.1:{port}", a.clients, a.rounds, a.workers,
                            a.pages, started))
        finally:
            server.terminate()
            server.wait(timeout=30)


async def up(base: str, started: float) -> None:
    """Wait until the server answers (at most two minutes)."""
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(base_url=base, timeout=2) as c:
        while True:
            try:
                (await c.get("/api/openapi.json")).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the workbench did not start") from None
                await asyncio.sleep(0.2)
    print(f"server answering {time.perf_counter() - started:.1f} s after its start")


async def logged_in(base: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=TIMEOUT)
    (await c.post("/api/auth/login", json={"name": "bench", "password": PASSWORD})
     ).raise_for_status()
    return c


async def _page(c: httpx.AsyncClient) -> tuple[float, int]:
    t = time.perf_counter()
    r = await c.get("/queue")
    took = time.perf_counter() - t
    r.raise_for_status()
    if "html" not in r.headers.get("content-type", ""):
        raise SystemExit(f"GET /queue answered {r.headers.get('content-type')}, not HTML")
    return took, len(r.content)


async def queue_page(base: str, started: float) -> None:
    """The queue page's whole HTML answer: first as soon as the server answers, then warm."""
    c = await logged_in(base)
    try:
        cold, size = await _page(c)
        since = time.perf_counter() - started
        warm = sorted([(await _page(c))[0] for _ in range(WARM_PAGES)])
    finally:
        await c.aclose()
    print(f"queue page (GET /queue, {size:,} bytes): cold {cold * 1000:.0f} ms "
          f"(rendered {since:.1f} s after the server's start), warm p50 "
          f"{warm[len(warm) // 2] * 1000:.0f} ms, max {warm[-1] * 1000:.0f} ms  "
          + ("ok" if max(cold, warm[-1]) < PAGE_TARGET_S else
             f"over {PAGE_TARGET_S * 1000:.0f} ms"))


async def run(base: str, clients: int, rounds: int, workers: int, pages: bool,
              started: float) -> None:
    await up(base, started)
    if pages:
        await queue_page(base, started)
    first = await logged_in(base)
    try:
        listed = (await first.get("/api/findings", params={"limit": 500, "unmask": True})
                  ).json()
    finally:
        await first.aclose()
    finding = listed["findings"][0]["finding_id"]
    person = next(f["person_ids"][0] for f in listed["findings"] if f["person_ids"])
    asks = (("findings list", "/api/findings", {"limit": 50}),
            ("finding page", f"/api/findings/{finding}", {}),
            ("person timeline", f"/api/timelines/person/{person}", {"unmask": True}))
    times: dict[str, list[float]] = {name: [] for name, _, _ in asks}

    async def client(n: int, c: httpx.AsyncClient) -> None:
        for i in range(rounds):
            for name, path, params in asks:
                q = {**params, "offset": (n * rounds + i) % 200} if "limit" in params \
                    else params
                t = time.perf_counter()
                r = await c.get(path, params=q)
                times[name].append(time.perf_counter() - t)
                r.raise_for_status()

    sessions = [await logged_in(base) for _ in range(clients)]
    try:
        await client(0, sessions[0])  # each kind once, so that the shared answers exist
        for v in times.values():
            v.clear()
        begun = time.perf_counter()
        await asyncio.gather(*(client(n, c) for n, c in enumerate(sessions)))
        wall = time.perf_counter() - begun
    finally:
        for c in sessions:
            await c.aclose()
    print(f"{clients} clients × {rounds} rounds, {workers} worker(s): {wall:.1f} s")
    for name, v in times.items():
        v.sort()
        p50, p95 = v[len(v) // 2], v[int(len(v) * 0.95)]
        mark = "ok" if p95 <= TARGET_S else f"over {TARGET_S * 1000:.0f} ms"
        print(f"  {name:<16} n {len(v):>5}  p50 {p50 * 1000:7.1f} ms  "
              f"p95 {p95 * 1000:7.1f} ms  {mark}")


if __name__ == "__main__":
    main()
