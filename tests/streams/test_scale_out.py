"""Scale-out: consumers in one group over one PostgreSQL store, one SIGKILLed mid-stream.

The survivors take its partitions; at the end every event is stored exactly once,
the chain verifies, and the findings equal a batch run over the same events.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import psycopg
import pytest

from detectors.rules import load_rules
from engine.ingest import ingest
from engine.store.factory import open_store
from findings.detection import run_detection
from findings.listing import current_findings
from projections.projector import engine_for
from projections.views import Views
from streams.topics import ensure_topics
from tests.e2e.procs import count_events, id_stats, kill_group
from tests.streams.broker import Broker
from tests.streams.cities import PacedPublisher, city_lines, event_ids, write_lines
from tests.streams.conftest import settings_for
from tests.streams.procs import ConsumerProc

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]
OWN = ("finding-", "withdrawn-", "run-")  # the engine's own events (findings, runs)


def findings_of(url: str) -> dict[str, tuple[object, ...]]:
    """Current findings by id, with what they say (log positions differ between stores)."""
    frame = current_findings(Views(engine_for(url)))
    return {fid: (r.code, r.subject_id, int(r.amount_at_risk_fen),
                  tuple(sorted(json.loads(r.evidence))), r.observed)
            for fid, r in frame.iterrows()}


def stored_ids(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT event_id FROM stored_events")]


def test_killed_consumer_is_replaced_and_nothing_is_lost_or_doubled(
        broker: Broker, pg_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    lines = city_lines(tmp_path, 24_000)
    s = settings_for(broker.bootstrap, partitions=6)
    ensure_topics(s, {s.topic: 6, s.dlq: 1, s.alerts_topic: 1})
    open_store(pg_url).close()  # tables exist before three processes race to create them
    args = ["--bootstrap", broker.bootstrap, "--topic", s.topic, "--group", s.group,
            "--alerts-topic", s.alerts_topic, "--db", pg_url, "--batch", "300",
            "--parse-helper-min", "100",  # batches in flight in parse helpers when one is killed
            "--exit-when-idle", "10"]
    consumers = [ConsumerProc(tmp_path, f"c{i}", *args) for i in range(3)]
    for c in consumers:
        request.addfinalizer(lambda c=c: kill_group(c.proc))
    for c in consumers:  # a stable group: every member holds partitions
        c.wait_log(r"assigned partitions \[\d", timeout=60)
    feed = PacedPublisher(s, lines, per_s=1_500)
    feed.start()
    deadline = time.monotonic() + 60
    while count_events(pg_url) < len(lines) // 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    victim = next(c for c in consumers if c.assignments() and c.assignments()[-1])
    taken = set(victim.assignments()[-1])
    kill_group(victim.proc)  # SIGKILL, mid-stream
    at_kill = count_events(pg_url)
    assert 0 < at_kill < len(lines), "the kill did not land mid-stream"
    feed.join(timeout=120)
    assert feed.error is None and feed.sent == len(lines)
    survivors = [c for c in consumers if c is not victim]
    for c in survivors:
        assert c.wait(timeout=240) == 0, c.log()[-3000:]
    # the survivors took over the victim's partitions
    after = set().union(*(set(c.assignments()[-1]) for c in survivors))
    assert taken <= after and after == set(range(6))

    ids = stored_ids(pg_url)
    rows, distinct = id_stats(pg_url)
    assert rows == distinct == len(ids)  # nothing stored twice
    assert {i for i in ids if not i.startswith(OWN)} == event_ids(lines)  # nothing lost
    store = open_store(pg_url)
    assert store.verify().ok
    store.close()

    # the same events as one batch, into a second database: the same findings
    batch_url = pg_url + "_batch"
    with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{batch_url.rsplit("/", 1)[1]}"')
    try:
        batch = open_store(batch_url)
        ingest(batch, [str(write_lines(tmp_path / "all.jsonl", lines))], parallel=False)
        run_detection(batch, engine_for(batch_url), load_rules(None))
        batch.close()
        expected = findings_of(batch_url)
        assert expected, "the input should raise findings"
        got = findings_of(pg_url)
        only_stream = {k: v for k, v in got.items() if expected.get(k) != v}
        only_batch = {k: v for k, v in expected.items() if got.get(k) != v}
        assert not only_stream and not only_batch, (
            f"stream-only {sorted(v[:2] for v in only_stream.values())}\n"
            f"batch-only {sorted(v[:2] for v in only_batch.values())}\n"
            f"{json.dumps({k: str(v) for k, v in list(only_stream.items())[:3]}, indent=1)}\n"
            f"{json.dumps({k: str(v) for k, v in list(only_batch.items())[:3]}, indent=1)}")
    finally:
        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/test", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{batch_url.rsplit("/", 1)[1]}" '
                          "WITH (FORCE)")
