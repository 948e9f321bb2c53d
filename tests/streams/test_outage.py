"""Broker outage: the consumer waits, says so, reconnects by itself and goes on.

This Tansu build keeps topics in memory, so the restarted broker is empty: part
of a file is published and consumed, the broker is stopped and started again,
the rest is published, and the same consumer process must store every event
exactly once with a valid chain. Meanwhile ``publish`` is run against the
stopped broker: with a short timeout it reports (and writes out) every line it
could not send; with a longer one it retries until the broker is back.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from engine.store.factory import open_store
from streams.publish import publish
from streams.topics import ensure_topics
from tests.e2e.conftest import cli_command, cli_env
from tests.e2e.procs import count_events, id_stats, kill_group
from tests.streams.broker import Broker
from tests.streams.cities import city_lines, event_ids, write_lines
from tests.streams.conftest import settings_for
from tests.streams.procs import ConsumerProc

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]


def wait_count(url: str, n: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while (got := count_events(url)) < n and time.monotonic() < deadline:
        time.sleep(0.2)
    return got


def test_consumer_rides_out_a_broker_restart(own_broker: Broker, tmp_path: Path,
                                             request: pytest.FixtureRequest) -> None:
    lines = city_lines(tmp_path, 6_000)
    first, rest = lines[:2_500], lines[2_500:]
    s = settings_for(own_broker.bootstrap, partitions=3)
    topics = {s.topic: 3, s.dlq: 1}
    ensure_topics(s, topics)
    assert not publish(s, [str(write_lines(tmp_path / "first.jsonl", first))]).unsent
    url = f"sqlite:///{tmp_path / 'events.db'}"
    consumer = ConsumerProc(tmp_path, "c", "--bootstrap", own_broker.bootstrap, "--topic",
                            s.topic, "--group", s.group, "--db", url, "--no-detect",
                            "--no-alerts", "--exit-when-idle", "12")
    request.addfinalizer(lambda: kill_group(consumer.proc))
    assert wait_count(url, len(first), 90) == len(first)

    own_broker.stop()
    consumer.wait_log(r"unreachable", timeout=30)
    assert consumer.proc.poll() is None  # still running, waiting for the broker

    # publishing while the broker is down: given 2 s, it reports every line it could not send
    refused, retried, after = rest[:1_000], rest[1_000:2_000], rest[2_000:]
    unsent = tmp_path / "unsent.jsonl"
    pub = ["--bootstrap", own_broker.bootstrap, "--topic", s.topic, "--json"]
    proc = subprocess.run(cli_command("publish", str(write_lines(tmp_path / "a.jsonl", refused)),
                                      *pub, "--timeout", "2", "--unsent", str(unsent)),
                          capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["unsent"] == len(refused)
    assert unsent.read_bytes() == b"".join(x + b"\n" for x in refused)
    # given 60 s, it keeps retrying until the broker is back, then sends everything
    patient = subprocess.Popen(cli_command("publish", str(write_lines(tmp_path / "b.jsonl",
                                                                      retried)),
                                           *pub, "--timeout", "60"),
                               stdout=subprocess.PIPE, text=True, env=cli_env())
    time.sleep(3)  # a real outage lasts a while
    own_broker.start()
    ensure_topics(s, topics)  # the restarted broker is empty
    out, _ = patient.communicate(timeout=120)
    assert patient.returncode == 0 and json.loads(out)["sent"] == len(retried)
    # the operator re-publishes what was reported unsent, and the rest of the feed follows
    assert not publish(s, [str(unsent), str(write_lines(tmp_path / "c.jsonl", after))]).unsent

    assert consumer.wait(timeout=180) == 0
    log = consumer.log()
    assert "reachable again" in log
    assert count_events(url) == len(lines)
    rows, distinct = id_stats(url)
    assert rows == distinct == len(lines)
    store = open_store(url)
    assert {r.event_id for batch in store.iter_rows() for r in batch} == event_ids(lines)
    assert store.verify().ok
    store.close()
