"""``consume``: stored once, offsets after the store, bad messages kept and dead-lettered,
findings and alerts kept current (SQLite file, real broker)."""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pytest
from kafka import TopicPartition

from engine.store.factory import open_store
from findings.listing import current_findings
from projections.projector import engine_for
from projections.views import Views
from services.workbench import Workbench
from streams.consume import ConsumeSummary, StreamConsumer
from streams.follow import Follower
from streams.lease import Lease
from streams.publish import publish
from streams.topics import ensure_topics
from tests.e2e.procs import count_events, kill_group
from tests.streams.broker import Broker
from tests.streams.conftest import settings_for
from tests.streams.procs import ConsumerProc
from tests.streams.test_publish import read_all, small_city

pytestmark = pytest.mark.kafka
BAD = [b"not json at all",
       b'{"event_id": "x1", "type": "NoSuchType", "occurred_at": "2023-03-01T09:00:00+08:00",'
       b' "source": "t", "data": {}}']


def publish_lines(settings, tmp_path: Path, lines: list[bytes], name: str = "in") -> None:
    ensure_topics(settings, {settings.topic: settings.partitions})
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(b"".join(x + b"\n" for x in lines))
    assert not publish(settings, [str(path)]).unsent


def consume_until_idle(store, s) -> tuple[StreamConsumer, ConsumeSummary, dict[int, int]]:
    """Run a consumer until idle; its summary and each partition's committed offset."""
    c = StreamConsumer(store, s)
    try:
        summary = c.run(exit_when_idle=3)
        parts = [TopicPartition(s.topic, p) for p in range(s.partitions)]
        committed = {tp.partition: c.consumer.committed(tp) for tp in parts}
    finally:
        c.close()
    return c, summary, committed


def test_stores_quarantines_dead_letters_then_commits(broker: Broker, tmp_path: Path) -> None:
    s = settings_for(broker.bootstrap)
    lines = small_city()
    publish_lines(s, tmp_path, [*lines, *BAD])
    ensure_topics(s, {s.dlq: 1})
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    _, summary, committed = consume_until_idle(store, s)
    ends: dict[int, int] = {}
    for m in read_all(broker.bootstrap, s.topic, len(lines) + 2):
        ends[m.partition] = max(ends.get(m.partition, 0), m.offset + 1)
    assert (summary.messages, summary.stored, summary.quarantined, summary.dead_lettered) == (
        len(lines) + 2, len(lines), 2, 2)
    assert committed == ends  # everything stored is committed, up to the last offset
    entries = store.quarantine_list("open")
    assert {e.reason for e in entries} == {"not_json", "unknown_type"}
    assert all(re.fullmatch(rf"kafka:{s.topic}/\d", e.source) for e in entries)
    dead = read_all(broker.bootstrap, s.dlq, 2)
    assert sorted(m.value for m in dead) == sorted(BAD)
    for m in dead:
        headers = dict(m.headers)
        assert headers["reason"].decode() in {"not_json", "unknown_type"}
        source, offset = headers["source"].decode(), int(headers["offset"])
        assert any(e.source == source and e.line_no == offset for e in entries)
    assert store.verify().ok
    store.close()


def test_a_redelivered_topic_stores_nothing_twice(broker: Broker, tmp_path: Path) -> None:
    s = settings_for(broker.bootstrap)
    lines = small_city()
    publish_lines(s, tmp_path, [*lines, *BAD])
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    for group, stored, duplicates in ((s.group, len(lines), 0), (s.group + "-again", 0,
                                                                 len(lines))):
        c = StreamConsumer(store, settings_for(broker.bootstrap, topic=s.topic, group=group,
                                               dlq_topic=s.dlq))
        try:
            summary = c.run(exit_when_idle=3)
        finally:
            c.close()
        assert (summary.stored, summary.duplicates) == (stored, duplicates)
    assert store.head().position == len(lines)
    assert len(store.quarantine_list(None)) == 2  # the same two lines, kept once
    assert store.verify().ok
    store.close()


class FailingStore:
    """The real store, except that its second append raises (a crash mid-stream)."""

    def __init__(self, store):
        self.store, self.calls = store, 0

    def append(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("disk gone")
        return self.store.append(*args, **kwargs)


@pytest.mark.parametrize("helper_min", [0, 1], ids=["in-process", "parse-helper"])
def test_offsets_are_committed_only_after_the_store(broker: Broker, tmp_path: Path,
                                                    helper_min: int) -> None:
    # with the helper, batch 3 is polled and handed over before batch 2 fails to store
    s = settings_for(broker.bootstrap, max_poll_records=3, parse_helper_min=helper_min)
    lines = small_city()
    publish_lines(s, tmp_path, lines)
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    c = StreamConsumer(FailingStore(store), s)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="disk gone"):
        c.run(exit_when_idle=3)
    parts = [TopicPartition(s.topic, p) for p in range(s.partitions)]
    committed = sum(c.consumer.committed(tp) or 0 for tp in parts)
    c.close()
    assert store.head().position == 3 and committed == 3  # the failed batch is not committed
    c = StreamConsumer(store, s)
    try:
        summary = c.run(exit_when_idle=3)
    finally:
        c.close()
    assert (summary.stored, summary.duplicates) == (len(lines) - 3, 0)
    assert store.head().position == len(lines) and store.verify().ok
    store.close()


def stored_order(store) -> dict[str, int]:
    return {r.event_id: r.position for r in store.read(0, 100_000)}


def test_a_backlog_is_validated_beside_storing_in_partition_order(broker: Broker,
                                                                 tmp_path: Path) -> None:
    s = settings_for(broker.bootstrap, max_poll_records=7, parse_helper_min=5)
    lines = small_city()
    publish_lines(s, tmp_path, [*lines, *BAD])
    ensure_topics(s, {s.dlq: 1})
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    c, summary, committed = consume_until_idle(store, s)
    assert c._parser.validated >= 3 and not c._parser.failed  # most batches went through the helper
    assert (summary.messages, summary.stored, summary.quarantined, summary.dead_lettered) == (
        len(lines) + 2, len(lines), 2, 2)
    messages = read_all(broker.bootstrap, s.topic, len(lines) + 2)
    ends: dict[int, int] = {}
    for m in messages:
        ends[m.partition] = max(ends.get(m.partition, 0), m.offset + 1)
    assert committed == ends
    at = stored_order(store)
    for p in ends:  # each partition's events are stored in their offset order
        ids = [json.loads(m.value)["event_id"] for m in sorted(messages, key=lambda m: m.offset)
               if m.partition == p and m.value not in BAD]
        assert [at[i] for i in ids] == sorted(at[i] for i in ids)
    assert {e.reason for e in store.quarantine_list("open")} == {"not_json", "unknown_type"}
    assert store.verify().ok
    store.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["sigkill", "ctrl-c"])
def test_a_signalled_parse_helper_loses_nothing(broker: Broker, tmp_path: Path,
                                                sig: signal.Signals) -> None:
    # SIGKILL (the OOM killer): noticed, and the rest validated in the consumer. SIGINT
    # (Ctrl-C reaches the whole process group): the helper keeps working, stopping stays
    # the consumer's
    s = settings_for(broker.bootstrap, max_poll_records=5, parse_helper_min=1)
    lines = small_city()
    publish_lines(s, tmp_path, lines)
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    c = StreamConsumer(store, s)
    try:
        while c._parser.pending is None:  # the first batch is in the helper's hands
            c.poll_once()
        os.kill(c._parser._proc.pid, sig)
        c._parser._proc.join(timeout=0.5)
        summary = c.run(exit_when_idle=3)
    finally:
        c.close()
    killed = sig == signal.SIGKILL
    assert c._parser.failed == killed
    assert killed or c._parser.validated >= 3
    assert (summary.stored, summary.duplicates) == (len(lines), 0)
    assert store.head().position == len(lines) and store.verify().ok
    store.close()


def test_findings_become_alerts_and_late_facts_withdraw_them(broker: Broker,
                                                             tmp_path: Path) -> None:
    s = settings_for(broker.bootstrap)
    ensure_topics(s, {s.alerts_topic: 1})
    publish_lines(s, tmp_path, small_city())
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    engine = engine_for(url)
    follower = Follower(Workbench.held_open(url), Lease(url), s)
    c = StreamConsumer(store, s)
    try:
        c.run(exit_when_idle=3)
        assert follower.cycle() is True
        assert follower.cycle() is False  # nothing new: no detection, nothing appended
        head = store.head().position
        current = current_findings(Views(engine))
        unpaid = current[current["code"] == "FRAUD_PAY_WITHOUT_APPROVAL"]
        assert list(unpaid["subject_id"]) == ["PAY1"]
        alerts = [json.loads(m.value) for m in read_all(broker.bootstrap, s.alerts_topic,
                                                        len(current))]
        assert sorted(a["finding_id"] for a in alerts) == sorted(current.index)
        assert {a["alert"] for a in alerts} == {"raised"}
        assert not re.search(r"\d{17}[\dX]", json.dumps(alerts))  # ID numbers masked
        # reviews arrive late: first a rejection (the finding's facts change) ...
        def review(n: int, day: str, decision: str, amount: str) -> bytes:
            return json.dumps({"event_id": f"late-review-{n}", "type": "ClaimReviewed",
                               "occurred_at": f"2023-04-{day}T11:00:00+08:00", "source": "test",
                               "data": {"claim_id": "CL1", "decision": decision,
                                        "approved_amount": amount}}).encode()

        publish_lines(s, tmp_path, [review(1, "03", "rejected", "0.00")], "late1")
        c.run(exit_when_idle=3)
        assert follower.cycle() is True
        # ... then the approval, made before the payment: PAY1 was fine after all
        publish_lines(s, tmp_path, [review(2, "05", "approved", "3000.00")], "late2")
        c.run(exit_when_idle=3)
        assert store.head().position > head + 1
        assert follower.cycle() is True
    finally:
        c.close()
    now = current_findings(Views(engine))
    assert "PAY1" not in set(now["subject_id"])
    gone = unpaid.index[0]
    alerts = [json.loads(m.value) for m in read_all(broker.bootstrap, s.alerts_topic,
                                                    len(current) + 2)]
    about = [a["alert"] for a in alerts if a["finding_id"] == gone]
    assert about == ["raised", "changed", "withdrawn"]
    changed = next(a for a in alerts if a["alert"] == "changed")
    assert changed["observed"]["reason"] == "rejected"
    follower.close(final=False)
    store.close()


def test_a_dead_lettered_message_can_be_corrected_and_retried(broker: Broker,
                                                              tmp_path: Path) -> None:
    """The quarantine is the same as for files: list, correct, retry, stored once."""
    from engine.ingest import retry_quarantine

    s = settings_for(broker.bootstrap)
    good = small_city()
    fixed = json.loads(good[-1])
    broken = json.dumps({**fixed, "occurred_at": "2023-04-15 15:00"}).encode()  # no offset
    publish_lines(s, tmp_path, [*good[:-1], broken])
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    c = StreamConsumer(store, s)
    try:
        summary = c.run(exit_when_idle=3)
    finally:
        c.close()
    assert (summary.stored, summary.quarantined) == (len(good) - 1, 1)
    [entry] = store.quarantine_list("open")
    assert entry.reason == "bad_date" and entry.source.startswith(f"kafka:{s.topic}/")
    assert retry_quarantine(store).still_failing == 1  # as it came, it still fails
    result = retry_quarantine(store, corrections={entry.id: good[-1]})
    assert result.resolved == 1 and store.quarantine_list("open") == []
    assert store.head().position == len(good) and store.verify().ok
    store.close()


class FlakyProducer:
    """A real producer whose first flush fails, as when the broker drops mid-send."""

    def __init__(self, settings):
        from kafka import KafkaProducer

        self.real = KafkaProducer(**settings.producer_config())
        self.flushes = 0

    def send(self, *args, **kwargs):
        return self.real.send(*args, **kwargs)

    def flush(self, *args, **kwargs):
        self.flushes += 1
        if self.flushes == 1:
            from kafka.errors import KafkaTimeoutError

            raise KafkaTimeoutError("broker went away")
        return self.real.flush(*args, **kwargs)

    def close(self, *args, **kwargs):
        return self.real.close(*args, **kwargs)


def test_a_failed_dead_letter_send_reads_the_batch_again(broker: Broker, tmp_path: Path) -> None:
    s = settings_for(broker.bootstrap, partitions=1)
    lines = small_city()
    publish_lines(s, tmp_path, [*lines, *BAD])
    ensure_topics(s, {s.dlq: 1})
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    c = StreamConsumer(store, s)
    c._producer = FlakyProducer(s)  # type: ignore[assignment]
    try:
        summary = c.run(exit_when_idle=3)
    finally:
        c.close()
    assert c._producer is not None and c._producer.flushes >= 2  # type: ignore[attr-defined]
    # the batch was read twice: stored once, its bad lines kept once, dead-lettered in the end
    assert (summary.stored, summary.duplicates, summary.dead_lettered) == (len(lines), len(lines),
                                                                           2)
    assert len(store.quarantine_list(None)) == 2
    dead = read_all(broker.bootstrap, s.dlq, 4)
    # at least once: a re-sent dead letter carries the same key (source@offset)
    assert {m.value for m in dead} == set(BAD) and len({m.key for m in dead}) == 2
    store.close()


def consumer_args(s, url: str, idle: str | None) -> list[str]:
    """``skillaudit consume`` arguments: store only, optionally ``--exit-when-idle``."""
    args = ["--bootstrap", s.bootstrap, "--topic", s.topic, "--group", s.group, "--db", url,
            "--no-detect", "--no-alerts", "--partitions", str(s.partitions), "--json"]
    return [*args, "--exit-when-idle", idle] if idle else args


def test_a_group_join_longer_than_the_idle_time_still_consumes(
        broker: Broker, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The join waits about half of max_poll_interval_ms on this broker (about 4 s here),
    twice the idle time: the consumer still stores everything, then ends idle, exit 0."""
    s = settings_for(broker.bootstrap)
    lines = small_city()
    publish_lines(s, tmp_path, lines)
    url = f"sqlite:///{tmp_path / 'a.db'}"
    slow = ["--max-poll-interval-ms", "8000", "--session-timeout-ms", "8000"]  # after FAST_ARGS
    c = ConsumerProc(tmp_path, "slow-join", *consumer_args(s, url, "2"), *slow)
    request.addfinalizer(lambda: kill_group(c.proc))
    assert c.wait(timeout=90) == 0, c.log()[-3000:]
    out = json.loads(c.out_path.read_text(encoding="utf-8"))
    assert (out["messages"], out["stored"]) == (len(lines), len(lines)), c.log()[-3000:]
    assert count_events(url) == len(lines)
    assert "still joining" in c.log()  # the join did outlast the idle time
    assert out["ended"] == "idle"
    assert "nothing consumed" not in c.log()


def test_an_empty_topic_ends_saying_nothing_was_consumed(
        broker: Broker, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    s = settings_for(broker.bootstrap)
    ensure_topics(s, {s.topic: s.partitions})
    url = f"sqlite:///{tmp_path / 'a.db'}"
    c = ConsumerProc(tmp_path, "empty", *consumer_args(s, url, "1"))
    request.addfinalizer(lambda: kill_group(c.proc))
    assert c.wait(timeout=60) == 1, c.log()[-3000:]
    log = c.log()
    assert re.search(r"assigned partitions \[0, 1, 2, 3\]", log)  # it did join, then waited
    assert f"nothing consumed 未消费任何消息: no message came on {s.topic} within 1 s" in log
    assert f"主题 {s.topic} 没有任何消息" in log
    out = json.loads(c.out_path.read_text(encoding="utf-8"))
    assert (out["messages"], out["ended"]) == (0, "idle")


def test_a_stopped_consumer_that_found_nothing_exits_0(
        broker: Broker, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Without ``--exit-when-idle`` a quiet topic is normal: SIGTERM ends it cleanly."""
    s = settings_for(broker.bootstrap)
    ensure_topics(s, {s.topic: s.partitions})
    c = ConsumerProc(tmp_path, "quiet", *consumer_args(s, f"sqlite:///{tmp_path / 'a.db'}",
                                                        None))
    request.addfinalizer(lambda: kill_group(c.proc))
    c.wait_log(r"assigned partitions \[\d", timeout=60)
    os.kill(c.proc.pid, signal.SIGTERM)
    assert c.wait(timeout=30) == 0, c.log()[-3000:]
    assert "nothing consumed" not in c.log()
    assert json.loads(c.out_path.read_text(encoding="utf-8"))["ended"] == "stopped"
