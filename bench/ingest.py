"""Bulk-ingest benchmark: skillaudit against its floors, on one file, in one run.

    python bench/ingest.py [--persons 22000] [--pg postgresql://postgres@127.0.0.1/test]

Generates a synthetic city of at least 1 million events (or takes --file), then
measures on that same file:

* floor (SQLite): read the file, ``json.loads`` each line, ``executemany`` the raw
  line keyed by ``event_id`` into a plain SQLite table in one transaction;
* skillaudit ingest into a fresh SQLite file (validation, chain, idempotency, quarantine);
* the naive eventsourcing way, one ``Application.save`` per event, on a slice;
* skillaudit ingest into a fresh PostgreSQL database, next to a plain ``COPY`` of
  the same rows (read, ``json.loads``, ``COPY`` raw line keyed by ``event_id``).

Each measured ingest runs as ``skillaudit ingest`` in a child process, so its
peak memory (parser process included) is read from the operating system.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_cli(args: list[str]) -> tuple[float, float, dict]:
    """Run ``skillaudit`` in a child; return (seconds, peak RSS MiB, its --json output)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "skillaudit", *args],
                            stdout=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"skillaudit {' '.join(args)} failed")
    return seconds, usage.ru_maxrss / 1024, json.loads(out or b"{}")


def floor_sqlite(path: Path, db: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE raw_events (event_id TEXT PRIMARY KEY, line BLOB)")
    rows = []
    with open(path, "rb") as f:
        for line in f:
            rows.append((json.loads(line)["event_id"], line))
    with conn:
        conn.executemany("INSERT INTO raw_events VALUES (?, ?)", rows)
    conn.close()
    return time.perf_counter() - started


def floor_copy(path: Path, pg_url: str) -> float:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute("CREATE TABLE bench_copy (event_id text PRIMARY KEY, line bytea)")
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, \
                cur.copy("COPY bench_copy (event_id, line) FROM STDIN") as copy, \
                open(path, "rb") as f:
            for line in f:
                copy.write_row((json.loads(line)["event_id"], line.rstrip(b"\n")))
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    return seconds


def naive_eventsourcing(path: Path, db: Path, limit: int, skip: int) -> tuple[int, float]:
    """The naive way: per event, load its subject's aggregate, record the event, save it.

    One ``Application.save`` per event, streams by subject as in skillaudit (the
    aggregate id is derived from the spec's partition key), on a slice taken from
    the middle of the file so streams already have history, as they would.
    """
    from uuid import NAMESPACE_URL, UUID, uuid5

    from eventsourcing.application import AggregateNotFoundError, Application
    from eventsourcing.domain import Aggregate, event

    from engine.parse import parse_line

    class Subject(Aggregate):
        @staticmethod
        def create_id(stream: str) -> UUID:  # one aggregate per subject
            return uuid5(NAMESPACE_URL, stream)

        @event("Opened")
        def __init__(self, stream: str) -> None:
            self.stream = stream
            self.events = 0

        @event("Recorded")
        def record(self, payload: dict) -> None:
            self.events += 1

    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                           "SQLITE_DBNAME": str(db)})
    with open(path, "rb") as f:
        lines = [line for n, line in enumerate(f) if n < skip + limit]
    warm, timed = lines[:skip], lines[skip:]

    def apply(line: bytes) -> None:
        stream = parse_line(line.rstrip(b"\n")).stream
        agg_id = uuid5(NAMESPACE_URL, stream)
        try:
            subject = app.repository.get(agg_id)
        except AggregateNotFoundError:
            subject = Subject(stream)
        subject.record(json.loads(line))
        app.save(subject)

    for line in warm[-20_000:]:  # give the slice's subjects some history first
        apply(line)
    started = time.perf_counter()
    for line in timed:
        apply(line)
    return len(timed), time.perf_counter() - started


def make_city(persons: int, seed: int, out: Path) -> int:
    from synth import generate

    summary = generate(persons, seed, out)
    return summary.events


def pg_database(base_url: str) -> tuple[str, str]:
    import psycopg

    name = f"sa_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name, name


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--file", type=Path, help="use this JSONL instead of generating one")
    p.add_argument("--naive", type=int, default=5_000, help="events for the naive slice")
    p.add_argument("--pg", default=os.environ.get("SKILLAUDIT_BENCH_PG",
                                                  "postgresql://postgres@127.0.0.1:5432/test"))
    p.add_argument("--no-pg", action="store_true")
    a = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sa-bench-"))
    path = a.file or work / "city.jsonl"
    if not a.file:
        t = time.perf_counter()
        events = make_city(a.persons, a.seed, path)
        print(f"generated {events:,} events ({a.persons:,} persons) in "
              f"{time.perf_counter() - t:.1f}s → {path}", flush=True)
    with open(path, "rb") as f:
        n = sum(1 for _ in f)
    size = path.stat().st_size / 2**20
    print(f"file: {n:,} lines, {size:,.0f} MiB\n", flush=True)

    rows: list[tuple[str, float, int]] = []

    def report(name: str, seconds: float, count: int, extra: str = "") -> None:
        rows.append((name, seconds, count))
        print(f"{name:<40}{seconds:>9.2f} s {count / seconds:>12,.0f} events/s  {extra}",
              flush=True)

    floor = floor_sqlite(path, work / "floor.db")
    report("floor: json.loads + executemany (SQLite)", floor, n)
    sec, rss, out = run_cli(["ingest", str(path), "--db", f"sqlite:///{work / 'sa.db'}",
                             "--json"])
    report("skillaudit ingest → SQLite", sec, n, f"peak {rss:,.0f} MiB, stored {out['stored']:,}")
    sqlite_ingest = sec
    again, _, out2 = run_cli(["ingest", str(path), "--db", f"sqlite:///{work / 'sa.db'}",
                              "--json"])
    report("  same file again (all duplicates)", again, n, f"stored {out2['stored']}")
    k, naive = naive_eventsourcing(path, work / "naive.db", a.naive, n // 2)
    report(f"naive eventsourcing, 1 save/event ({k:,})", naive, k)
    naive_rate = k / naive

    pg_ingest = copy = None
    if not a.no_pg:
        url, name = pg_database(a.pg)
        try:
            copy = floor_copy(path, url)
            report("plain COPY (json.loads + COPY) PostgreSQL", copy, n)
            pg_ingest, rss_pg, _ = run_cli(["ingest", str(path), "--db", url, "--json"])
            report("skillaudit ingest → PostgreSQL", pg_ingest, n, f"peak {rss_pg:,.0f} MiB")
        finally:
            drop_database(a.pg, name)

    print("\nratios (target):")
    print(f"  SQLite ingest / floor          {sqlite_ingest / floor:5.2f}×  (≤ 2×)")
    print(f"  SQLite ingest vs naive         {(n / sqlite_ingest) / naive_rate:5.0f}×  (≥ 20×)")
    if pg_ingest and copy:
        print(f"  PostgreSQL ingest / COPY       {pg_ingest / copy:5.2f}×  (≤ 3×)")
        print(f"  PostgreSQL ingest vs naive     {(n / pg_ingest) / naive_rate:5.0f}×  (≥ 20×)")
    print(f"  peak memory (SQLite ingest)    {rss:,.0f} MiB  (< 1024)")
    buf = io.StringIO()
    json.dump({"lines": n, "floor_s": floor, "sqlite_s": sqlite_ingest, "pg_s": pg_ingest,
               "copy_s": copy, "naive_events_per_s": naive_rate, "peak_mib": rss}, buf)
    print("\n" + buf.getvalue())


if __name__ == "__main__":
    main()
