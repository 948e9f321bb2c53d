"""Projection benchmark: rebuild vs the read floor, incremental update, frame load.

    python bench/projections.py [--persons 200000] [--db sqlite:///…] [--pg URL]

On one synthetic city (generated and ingested unless --db points at a store that
holds one), prints:

* the floor: read every stored event out of the store once and decode it — with a
  raw cursor and msgspec (the fastest reader the project has), and with the store's
  own reader (``EventStore.iter_rows``, what ``verify`` uses);
* a full rebuild of the read models (``skillaudit project --rebuild``), its ratio to
  the floor and its peak memory, next to the same rebuild in one process (``--jobs 1``);
* an incremental update after 10,000 new events (``skillaudit project``);
* loading every DataFrame the detectors read, with peak memory.

Each timed step runs in a child process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FRAMES = ["persons", "person_history", "institutions", "institution_history", "licences",
          "agencies", "agency_occupations", "employers", "classes", "roster", "checkins",
          "trainee_attendance", "assessments", "certificates", "employment",
          "skill_upgrade_payments", "claims", "claim_items", "payments", "budgets",
          "vouchers", "spot_checks", "complaints"]


LAST_USAGE: list[os.struct_rusage] = []  # the last child's CPU time and page faults


def child(code: str) -> tuple[float, float, str]:
    """Run Python code in a child; (seconds, peak RSS MiB, its stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed:\n{code}")
    LAST_USAGE[:] = [usage]
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out


def cpu_note() -> str:
    """The last child's CPU split and page faults: machines differ most in the kernel's share."""
    u = LAST_USAGE[0]
    return (f"    cpu user {u.ru_utime:.1f} s, sys {u.ru_stime:.1f} s; page faults "
            f"{u.ru_minflt:,} minor, {u.ru_majflt:,} from disk")


FLOOR_RAW = """
import sqlite3, time, msgspec, sys
from engine.store.factory import sqlite_path
url = {url!r}
t = time.perf_counter(); n = 0
dec = msgspec.json.Decoder()
if url.startswith("sqlite"):
    conn = sqlite3.connect(sqlite_path(url))
    for pos, topic, state in conn.execute("SELECT rowid, topic, state FROM stored_events"):
        dec.decode(state); n += 1
else:
    import psycopg
    with psycopg.connect(url) as conn, conn.cursor(name="floor") as cur:
        cur.itersize = 20000
        cur.execute("SELECT notification_id, topic, state FROM stored_events")
        for pos, topic, state in cur:
            dec.decode(state); n += 1
print(n, time.perf_counter() - t)
"""

FLOOR_STORE = """
import time
from engine.serial import load
from engine.store.factory import open_store
s = open_store({url!r}); t = time.perf_counter(); n = 0
for rows in s.iter_rows():
    for r in rows:
        load(r.state); n += 1
print(n, time.perf_counter() - t)
"""

PROJECT = """
import time
from projections.projector import Projector, engine_for
p = Projector(engine_for({url!r}))
t = time.perf_counter(); s = p.run(rebuild={rebuild}, jobs={jobs})
print(s.applied, time.perf_counter() - t)
"""

FRAMES_CODE = """
import time
from projections.projector import engine_for
from projections.views import Views
v = Views(engine_for({url!r}))
t = time.perf_counter(); sizes = {{}}
v.read_ahead()  # as the detection runner does before loading every frame, in its order
for name in v.load_order({frames!r}):
    t0 = time.perf_counter(); sizes[name] = (len(getattr(v, name)), time.perf_counter() - t0)
import json; print(json.dumps({{"seconds": time.perf_counter() - t, "sizes": sizes}}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=200_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--db", help="an existing store holding a city (skips generate+ingest)")
    p.add_argument("--no-rebuild", action="store_true", help="keep the read models as they are")
    p.add_argument("--incremental", type=int, default=10_000)
    p.add_argument("--jobs", type=int, default=None,
                   help="processes for the rebuild (default: one per core)")
    p.add_argument("--no-single", action="store_true",
                   help="skip the one-process rebuild shown for comparison")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sa-bench-proj-"))
    url = a.db
    if url is None:
        from synth import generate

        city = work / "city.jsonl"
        t = time.perf_counter()
        s = generate(a.persons, a.seed, city)
        print(f"generated {s.events:,} events ({a.persons:,} persons) in "
              f"{time.perf_counter() - t:.0f}s", flush=True)
        url = f"sqlite:///{work / 'city.db'}"
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "skillaudit", "ingest", str(city), "--db", url,
                        "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        print(f"ingested in {time.perf_counter() - t:.0f}s", flush=True)

    _, rss, out = child(FLOOR_RAW.format(url=url))
    n, floor_raw = int(out.split()[0]), float(out.split()[1])
    print(f"events in the store: {n:,}")
    print(f"floor, raw cursor + msgspec decode    {floor_raw:8.1f} s  {n / floor_raw:>10,.0f} ev/s")
    _, rss, out = child(FLOOR_STORE.format(url=url))
    floor_store = float(out.split()[1])
    print(f"floor, EventStore.iter_rows + decode  {floor_store:8.1f} s  "
          f"{n / floor_store:>10,.0f} ev/s")

    if not a.no_single:
        _, rss1, out = child(PROJECT.format(url=url, rebuild=True, jobs=1))
        single = float(out.split()[1])
        print(f"full rebuild, one process (--jobs 1)  {single:8.1f} s  peak {rss1:,.0f} MiB  "
              f"{single / floor_raw:.2f}× the raw floor")
    _, rss, out = child(PROJECT.format(url=url, rebuild=True, jobs=a.jobs))
    applied, rebuild = int(out.split()[0]), float(out.split()[1])
    print(f"full rebuild (skillaudit project --rebuild) {rebuild:8.1f} s  peak {rss:,.0f} MiB "
          f"({applied:,} events, {a.jobs or os.cpu_count()} processes; peak of the largest)")
    print(cpu_note())
    print(f"  ratio to raw floor {rebuild / floor_raw:.2f}×, to the store's reader "
          f"{rebuild / floor_store:.2f}×  (target ≤ 2×, < 6 GB)")

    extra = work / "extra.jsonl"
    import msgspec

    from synth import generate

    generate(max(2_000, a.incremental // 40), a.seed + 1000, extra)
    lines = extra.read_bytes().splitlines()[-a.incremental:]
    renamed = []
    tag = os.urandom(4).hex()  # new ids on every run, also over a store benched before
    for line in lines:  # a second source: its own event ids
        ev = msgspec.json.decode(line)
        ev["event_id"] = f"inc-{tag}-" + ev["event_id"]
        renamed.append(msgspec.json.encode(ev))
    extra.write_bytes(b"\n".join(renamed) + b"\n")
    subprocess.run([sys.executable, "-m", "skillaudit", "ingest", str(extra), "--db", url,
                    "--json"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, rss, out = child(PROJECT.format(url=url, rebuild=False, jobs=None))
    applied, inc = int(out.split()[0]), float(out.split()[1])
    print(f"incremental update, {applied:,} new events     {inc:8.2f} s  (target ≤ 2 s)")

    _sec, rss, out = child(FRAMES_CODE.format(url=url, frames=FRAMES))
    info = json.loads(out)
    print(f"load every detector frame            {info['seconds']:8.1f} s  peak {rss:,.0f} MiB "
          "(target ≤ 15 s)")
    print(cpu_note())
    for name, (rows, s) in sorted(info["sizes"].items(), key=lambda kv: -kv[1][1])[:6]:
        print(f"    {name:<24}{rows:>12,} rows {s:6.1f} s")


if __name__ == "__main__":
    main()
