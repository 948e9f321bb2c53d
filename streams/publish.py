"""Send JSONL event files to a topic, each message keyed by the spec's partition key.

The producer is idempotent (``enable_idempotence``, ``acks=all``), so its retries
after a lost acknowledgement never write a message twice. What could not be
delivered within the delivery timeout is not dropped silently: each such line
is reported with its number and written to an ``unsent`` file to publish again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.partitioner.default import murmur2

from engine.events import EVENT_TYPES
from engine.events.keys import key_fields
from engine.sources import Source, read_chunks
from streams.settings import KafkaSettings


class _Envelope(msgspec.Struct):
    event_id: Any = None
    type: Any = None
    data: Any = None


_decode_envelope = msgspec.json.Decoder(_Envelope).decode


def message_key(line: bytes) -> bytes | None:
    """The spec's partition key of a JSON event line; None when the line has none.

    A line that is not a valid event still gets sent (keyless): the consumer is the
    one place that validates, quarantines and dead-letters, with the reason.
    """
    try:
        env = _decode_envelope(line)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    data = env.data if isinstance(env.data, dict) else {}
    if isinstance(env.type, str) and env.type in EVENT_TYPES:
        for name in key_fields(EVENT_TYPES[env.type]):
            value = data.get(name)
            if isinstance(value, str) and value:
                return value.encode()
    return str(env.event_id).encode() if env.event_id else None


class KeyPartitions:
    """The partition Kafka's default partitioner gives each key, worked out once per key.

    kafka-python hashes every keyed message with a pure-Python murmur2 (about 3.5 µs
    here), yet a city's messages repeat a few thousand keys (its persons and classes).
    So ``publish`` remembers each key's partition and names it in the send: the same
    partition the default partitioners of kafka-python and the Java client choose
    (murmur2 of the key, made positive, modulo the partition count, over the sorted
    partition ids), so other producers of the same key still meet it there.
    """

    LIMIT = 1_000_000  # keys remembered before starting afresh (a national file has more)

    def __init__(self) -> None:
        self._partitions: list[int] = []
        self._of: dict[bytes, int] = {}

    def use(self, partitions: set[int] | frozenset[int]) -> None:
        """The topic's current partitions (checked by the caller once per chunk: a topic
        that grew moves keys, as it does for every producer)."""
        ordered = sorted(partitions)
        if ordered != self._partitions:
            self._partitions, self._of = ordered, {}

    def __call__(self, key: bytes | None) -> int | None:
        """``key``'s partition; None (the producer's own choice) for no key or no topic."""
        if key is None or not self._partitions:
            return None
        found = self._of.get(key)
        if found is None:
            if len(self._of) >= self.LIMIT:
                self._of = {}
            found = self._of[key] = self._partitions[
                (murmur2(key) & 0x7FFFFFFF) % len(self._partitions)]
        return found


@dataclass(frozen=True)
class PublishProgress:
    source: Source
    bytes_done: int
    lines: int
    elapsed: float


@dataclass
class PublishSummary:
    """What a publish did; ``unsent`` lines are the ones the broker never acknowledged."""

    topic: str
    lines: int = 0
    sent: int = 0
    unkeyed: int = 0
    blank: int = 0
    seconds: float = 0.0
    unsent: list[tuple[str, int, str]] = field(default_factory=list)  # source, line, error
    unsent_file: str | None = None

    @property
    def per_s(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    def as_json(self) -> dict[str, object]:
        return {"topic": self.topic, "lines": self.lines, "sent": self.sent,
                "unsent": len(self.unsent), "unkeyed": self.unkeyed, "blank": self.blank,
                "seconds": round(self.seconds, 3), "messages_per_s": round(self.per_s, 1),
                "unsent_file": self.unsent_file,
                "unsent_lines": [{"source": s, "line": n, "error": e}
                                 for s, n, e in self.unsent[:100]]}


def publish(
    settings: KafkaSettings, paths: Iterable[str], *,
    producer: KafkaProducer | None = None,
    progress: Callable[[PublishProgress], None] | None = None,
    unsent_path: str | Path | None = None,
) -> PublishSummary:
    """Send every non-blank line of the files to ``settings.topic``; wait for every ack.

    Once the broker cannot take a message within the delivery timeout, the lines
    left are not tried one by one (each would wait as long): they are reported.
    """
    summary = PublishSummary(settings.topic)
    failed: list[tuple[str, int, bytes, str]] = []
    started = time.perf_counter()
    gone: str | None = None  # why sending stopped: the rest is reported, not tried
    own = producer is None
    if producer is None:
        try:
            producer = KafkaProducer(**settings.producer_config())
        except KafkaError as exc:
            gone = f"broker unreachable at {settings.bootstrap}: {type(exc).__name__}"
    topic = settings.topic
    partition_of = KeyPartitions()
    try:
        for path in paths:
            source = Source.of(path)
            for first, lines, consumed in read_chunks(source, 20_000):
                if gone is None:
                    try:
                        partition_of.use(producer.partitions_for(topic))  # type: ignore[union-attr]
                    except KafkaError as exc:  # no metadata for the topic within max_block_ms
                        gone = f"{type(exc).__name__}: {exc}"
                for n, line in enumerate(lines, first):
                    if not line.strip():
                        summary.blank += 1
                        continue
                    summary.lines += 1
                    if gone is not None:
                        failed.append((source.name, n, line, gone))
                        continue
                    key = message_key(line)
                    if key is None:
                        summary.unkeyed += 1
                    try:
                        future = producer.send(  # type: ignore[union-attr]
                            topic, value=line, key=key, partition=partition_of(key))
                    except KafkaError as exc:  # no metadata or a full buffer for too long
                        gone = f"{type(exc).__name__}: {exc}"
                        failed.append((source.name, n, line, gone))
                        continue
                    future.add_errback(_record_failure, failed, source.name, n, line)
                if progress:
                    progress(PublishProgress(source, consumed, summary.lines,
                                             time.perf_counter() - started))
        if producer is not None:
            producer.flush()
    finally:
        if own and producer is not None:
            producer.close(timeout=5)
    summary.seconds = time.perf_counter() - started
    failed.sort(key=lambda f: (f[0], f[1]))
    summary.unsent = [(s, n, e) for s, n, _, e in failed]
    summary.sent = summary.lines - len(failed)
    if failed:
        target = Path(unsent_path or "unsent.jsonl")
        target.write_bytes(b"".join(line + b"\n" for _, _, line, _ in failed))
        summary.unsent_file = str(target)
    return summary


def _record_failure(failed: list[tuple[str, int, bytes, str]], source: str, n: int,
                    line: bytes, exc: BaseException) -> None:
    failed.append((source, n, line, f"{type(exc).__name__}: {exc}"))
