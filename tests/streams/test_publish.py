"""``publish``: every line sent once, keyed by the spec's partition key; failures reported."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.partitioner.default import murmur2

from streams.publish import KeyPartitions, message_key, publish
from streams.topics import ensure_topics
from tests.detectors.city import TinyCity
from tests.e2e.conftest import cli_command, cli_env
from tests.streams.broker import Broker, free_port
from tests.streams.conftest import settings_for

pytestmark = pytest.mark.kafka


def line(type_: str, data: dict[str, object], event_id: str = "e1") -> bytes:
    return json.dumps({"event_id": event_id, "type": type_,
                       "occurred_at": "2023-03-01T09:00:00+08:00", "source": "t",
                       "data": data}).encode()


def test_key_is_the_first_present_field_in_the_spec_order() -> None:
    assert message_key(line("TraineeEnrolled", {"class_id": "C1", "person_id": "P1"})) == b"P1"
    assert message_key(line("ClassCompleted", {"class_id": "C1"})) == b"C1"
    assert message_key(line("SubsidyPaid", {"payment_id": "PAY1", "claim_id": "CL1"})) == b"CL1"
    assert message_key(line("InstitutionRegistered", {"institution_id": "I1",
                                                      "county": "离石区"})) == b"I1"
    # an unknown type still has an event id to keep its repeats together
    assert message_key(line("NoSuchType", {"person_id": "P1"}, "e9")) == b"e9"
    assert message_key(b"not json") is None
    assert message_key(b'{"data": 1}') is None


def small_city() -> list[bytes]:
    c = TinyCity()
    c.institution()
    people = [c.person(name=f"人{i}") for i in range(6)]
    cid = c.klass("C1")
    c.train(cid, people)
    c.claim("CL1", [(p, "500.00", 5) for p in people], cid=cid)
    c.pay("PAY1", "CL1", "3000.00")  # paid without review: one finding
    return [json.dumps(e, ensure_ascii=False).encode() for e in c.events]


def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=3000)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    out = []
    import time

    deadline = time.monotonic() + timeout
    while len(out) < expected and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            out.extend(batch)
    consumer.close()
    return out


def test_every_line_is_sent_once_with_its_key(broker: Broker, tmp_path: Path) -> None:
    lines = small_city()
    path = tmp_path / "city.jsonl"
    path.write_bytes(b"\n".join([*lines, b"", b"{broken"]) + b"\n")
    s = settings_for(broker.bootstrap)
    ensure_topics(s, {s.topic: 4})
    summary = publish(s, [str(path)])
    assert (summary.lines, summary.sent, summary.blank, summary.unkeyed) == (
        len(lines) + 1, len(lines) + 1, 1, 1)
    assert summary.unsent == [] and summary.unsent_file is None
    got = read_all(broker.bootstrap, s.topic, len(lines) + 1)
    assert sorted(m.value for m in got) == sorted([*lines, b"{broken"])
    partition_of: dict[bytes, int] = {}
    for m in got:
        assert m.key == message_key(m.value)
        if m.key is not None:  # one subject, one partition: its order is kept
            assert partition_of.setdefault(m.key, m.partition) == m.partition
    assert len({m.partition for m in got}) > 1


def test_unreachable_broker_is_reported_with_the_unsent_lines(tmp_path: Path) -> None:
    lines = small_city()[:5]
    path = tmp_path / "part.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    unsent = tmp_path / "unsent.jsonl"
    proc = subprocess.run(
        cli_command("publish", str(path), "--bootstrap", f"127.0.0.1:{free_port()}",
                    "--topic", "t", "--timeout", "2", "--unsent", str(unsent), "--json"),
        capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["sent"], out["unsent"]) == (0, 5)
    assert [u["line"] for u in out["unsent_lines"]] == [1, 2, 3, 4, 5]
    assert "unreachable" in out["unsent_lines"][0]["error"]
    assert unsent.read_bytes() == b"".join(x + b"\n" for x in lines)


def test_keys_land_where_a_plain_keyed_producer_puts_them(broker: Broker,
                                                          tmp_path: Path) -> None:
    """publish names each key's partition itself (remembered per key): it must be the
    partition Kafka's default partitioner picks, or other producers of the same subject
    would split its events over two partitions and lose their order."""
    lines = small_city()
    path = tmp_path / "city.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    ours, plain = settings_for(broker.bootstrap), settings_for(broker.bootstrap)
    ensure_topics(ours, {ours.topic: 5, plain.topic: 5})
    assert publish(ours, [str(path)]).sent == len(lines)
    producer = KafkaProducer(**plain.producer_config())
    for value in lines:
        producer.send(plain.topic, value=value, key=message_key(value))
    producer.flush()
    producer.close()
    where = {topic: {m.value: m.partition for m in read_all(broker.bootstrap, topic, len(lines))}
             for topic in (ours.topic, plain.topic)}
    assert len(where[ours.topic]) == len(set(lines))
    assert where[ours.topic] == where[plain.topic]
    assert len(set(where[ours.topic].values())) > 1


def test_key_partitions_start_afresh_when_the_topic_changes() -> None:
    keys = [f"P{i}".encode() for i in range(50)]
    of = KeyPartitions()
    assert of(b"P1") is None  # no partitions known yet: the producer decides
    of.use({0, 1, 2})
    assert [of(k) for k in keys] == [(murmur2(k) & 0x7FFFFFFF) % 3 for k in keys]
    assert of(None) is None
    of.use({3, 0, 2, 1})  # the topic grew: keys move, as for every producer
    assert [of(k) for k in keys] == [(murmur2(k) & 0x7FFFFFFF) % 4 for k in keys]
    of.use({10, 20})  # ids, not positions: the sorted ids are indexed
    assert {of(k) for k in keys} == {10, 20}
    of = KeyPartitions()
    of.LIMIT = 5  # a file with more keys than are remembered: still the same answers
    of.use({10, 20})
    assert [of(k) for k in keys] == [[10, 20][(murmur2(k) & 0x7FFFFFFF) % 2] for k in keys]
    assert len(of._of) <= 5
