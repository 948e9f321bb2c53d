"""Store events arriving on a topic: idempotent, offsets committed only after the store.

Each poll is handled as one batch: valid messages are appended (an ``event_id``
already stored is skipped), malformed ones go to the quarantine in the same
transaction and then to the dead-letter topic, and only then are the offsets
committed. A crash anywhere in between re-delivers the batch, which stores
nothing twice: at-least-once in, exactly-once in effect. Draining a backlog, a
large batch is validated in a helper process while the batch before it is
stored (``streams.parsing``); offsets are committed by name for the batch just
stored, so a batch polled but not yet stored is never committed.

The loop never gives up on the broker: while it is unreachable the consumer
logs it once, keeps polling (kafka-python reconnects by itself) and logs when it
is back. A broker that comes back empty (a restart without storage) recreates
the topic with a new topic id; the consumer then reads it again from the start,
since the positions it held belong to the old topic, and duplicates are skipped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata

from engine.quarantine import QuarantineEntry, Reason
from engine.store.base import EventStore
from streams.parsing import Batch, ParserProcess, to_events
from streams.progress import PartitionProgress
from streams.settings import KafkaSettings
from streams.topics import reachable

log = logging.getLogger("skillaudit.streams")

PROBE_EVERY_S = 2.0  # how often an idle consumer checks that the broker is reachable


@dataclass
class ConsumeSummary:
    """What a consumer did, for its closing line and ``--json``."""

    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    dead_lettered: int = 0
    batches: int = 0
    commits_failed: int = 0
    outages: int = 0
    rereads: int = 0
    key_mismatches: int = 0
    seconds: float = 0.0
    partitions: set[int] = field(default_factory=set)
    ended_idle: bool = False  # stopped by ``exit_when_idle`` (not by a signal)

    def as_json(self) -> dict[str, object]:
        return {"messages": self.messages, "stored": self.stored,
                "duplicates": self.duplicates, "quarantined": self.quarantined,
                "dead_lettered": self.dead_lettered, "batches": self.batches,
                "commits_failed": self.commits_failed, "outages": self.outages,
                "topic_rereads": self.rereads, "key_mismatches": self.key_mismatches,
                "seconds": round(self.seconds, 3), "partitions": sorted(self.partitions),
                "ended": "idle" if self.ended_idle else "stopped"}


class _Rebalance(ConsumerRebalanceListener):
    """Log which partitions this member holds: an operator sees a take-over happen."""

    def __init__(self, owner: StreamConsumer):
        self.owner = owner

    def on_partitions_revoked(self, revoked: Any) -> None:
        # the batch being validated is stored and committed first; every earlier one is
        self.owner.finish_in_flight()
        self.owner.assigned_at = None  # rejoining: not idle until the group settles again
        log.info("giving up partitions %s / 释放分区", sorted(tp.partition for tp in revoked))

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.owner.assigned = sorted(tp.partition for tp in assigned)
        self.owner.assigned_at = time.monotonic()
        log.info("assigned partitions %s of %s / 分配分区", self.owner.assigned,
                 self.owner.settings.topic)


def _offsets(records: list[Any], pick: Callable[[int, int], int]) -> dict[tuple[str, int], int]:
    """Per (topic, partition), the first (``min``) or last (``max``) offset in ``records``."""
    out: dict[tuple[str, int], int] = {}
    for m in records:
        key = (m.topic, m.partition)
        out[key] = pick(out.get(key, m.offset), m.offset)
    return out


class StreamConsumer:
    """One member of a consumer group, storing into one event store."""

    def __init__(self, store: EventStore, settings: KafkaSettings, *,
                 on_stored: Callable[[int], None] | None = None,
                 heartbeat_file: str | None = None,
                 progress: PartitionProgress | None = None):
        self.store = store
        self.progress = progress  # how far each partition is stored, for the follower
        self.settings = settings
        self.on_stored = on_stored  # told how many new events each batch stored
        self.heartbeat_file = Path(heartbeat_file) if heartbeat_file else None
        self.summary = ConsumeSummary()
        self.consumer = KafkaConsumer(**settings.consumer_config())
        self.consumer.subscribe([settings.topic], listener=_Rebalance(self))
        self.assigned: list[int] = []
        # when the group last gave this member its partitions (None while joining): a join
        # can take longer than ``exit_when_idle``, and waiting for it is not being idle
        self.assigned_at: float | None = None
        self._producer: KafkaProducer | None = None
        self._topic_ids: dict[str, Any] = {}
        self._recreated: set[str] = set()
        self.consumer._client.cluster.add_listener(self._on_metadata)  # topic ids (KIP-516)
        self._down_since: float | None = None
        self._last_probe = 0.0
        self._last_beat = 0.0
        self.stopping = False
        self._parser = ParserProcess()  # validates large batches (a backlog) beside storing
        self._unstored: list[list[Any]] = []  # batches polled and not committed, in order

    # -- broker events ------------------------------------------------------------------------

    def _on_metadata(self, cluster: Any) -> None:
        """Called by kafka-python on each metadata update: notice a recreated topic."""
        topic_id = cluster.topic_id(self.settings.topic)
        if topic_id is None:
            return
        known = self._topic_ids.get(self.settings.topic)
        if known is not None and known != topic_id:
            self._recreated.add(self.settings.topic)
        self._topic_ids[self.settings.topic] = topic_id

    def _reread_recreated(self) -> None:
        for topic in sorted(self._recreated):
            parts = [tp for tp in self.consumer.assignment() if tp.topic == topic]
            log.warning("topic %s was recreated (the broker came back without its data): "
                        "reading its %d assigned partition(s) again from the start; events "
                        "already stored are skipped as duplicates", topic, len(parts))
            if parts:
                self.consumer.seek_to_beginning(*parts)
            self.summary.rereads += 1
        self._recreated.clear()

    def _probe(self, now: float) -> None:
        if now - self._last_probe < PROBE_EVERY_S:
            return
        self._last_probe = now
        up = reachable(self.settings.servers)
        if not up and self._down_since is None:
            self._down_since = now
            self.summary.outages += 1
            log.warning("Kafka broker %s unreachable: waiting and reconnecting by itself "
                        "(every stored event is safe; offsets are committed only after "
                        "storing) / Kafka 不可达，等待自动重连", self.settings.bootstrap)
        elif up and self._down_since is not None:
            self._back(now)

    def _back(self, now: float) -> None:
        assert self._down_since is not None
        log.warning("Kafka broker %s reachable again after %.1f s: resuming / 已重连，继续消费",
                    self.settings.bootstrap, now - self._down_since)
        self._down_since = None

    @property
    def broker_down(self) -> bool:
        return self._down_since is not None

    def _beat(self, now: float) -> None:
        if self.heartbeat_file and now - self._last_beat >= 1.0:
            self._last_beat = now
            self.heartbeat_file.touch()

    # -- the loop -----------------------------------------------------------------------------

    def poll_once(self, timeout_ms: int = 500) -> int:
        """Poll one batch and store it (or hand it to the parser and store the one before);
        return the messages polled. A poll that brings nothing stores the batch in flight."""
        now = time.monotonic()
        self._beat(now)
        if self._recreated:
            self._reread_recreated()
        # a validated batch does not wait on a long poll: if nothing is ready, it is stored
        polled = self.consumer.poll(timeout_ms=0 if self._parser.pending else timeout_ms,
                                    max_records=self.settings.max_poll_records)
        if self._recreated:  # found while polling: what came from the old offsets is kept
            self._reread_recreated()
        if not polled:
            self.finish_in_flight()
            self._probe(time.monotonic())
            return 0
        if self._down_since is not None:  # messages flow again: it is back
            self._back(time.monotonic())
        records = [m for batch in polled.values() for m in batch]
        self._unstored.append(records)
        try:
            before = self._parser.pending  # with its result, taken before the next submit
            earlier = (before, self._parser.result()) if before is not None else None
            helped = 0 < self.settings.parse_helper_min <= len(records)
            if helped:
                self._parser.submit(records)  # validated there while the one before is stored
            if earlier is not None:
                self._store(*earlier)
            if not helped:  # a small batch: validated here, stored now
                self._store(records, to_events(records))
        except BaseException:
            self._abandon()
            raise
        return len(records)

    def finish_in_flight(self) -> None:
        """Store and commit the batch the parser holds, if any (before a rebalance, when
        idle, when stopping)."""
        records = self._parser.pending
        if records is None:
            return
        try:
            self._store(records, self._parser.result())
        except BaseException:
            self._abandon()
            raise

    def _store(self, records: list[Any], batch: Batch) -> None:
        """Store a validated batch, dead-letter its malformed messages, commit its offsets."""
        self.handle(records, batch)
        self._commit_stored(records)

    def _abandon(self) -> None:
        """After a failure: read every batch not committed again from its first message
        (what was stored is then skipped as duplicates)."""
        self._rewind([m for batch in self._unstored for m in batch])
        self._unstored.clear()
        self._parser.discard()

    def _rewind(self, records: list[Any]) -> None:
        """Put each partition back at its first message in ``records`` (not all stored)."""
        for (topic, partition), offset in _offsets(records, min).items():
            with contextlib.suppress(ValueError):  # not assigned any more: re-read elsewhere
                self.consumer.seek(TopicPartition(topic, partition), offset)

    def _commit_stored(self, records: list[Any]) -> None:
        """Commit a stored batch's offsets: each partition's last one in it, plus one."""
        self.commit({TopicPartition(t, p): OffsetAndMetadata(last + 1, "", -1)
                     for (t, p), last in _offsets(records, max).items()})
        self._unstored = [b for b in self._unstored if b is not records]

    def handle(self, records: list[Any], batch: Batch) -> None:
        """Store a validated batch and send its malformed messages to the dead-letter topic."""
        events, bad, mismatched = batch.events, batch.bad, batch.mismatched
        result = self.store.append(events, bad)
        if self.progress is not None:  # after the store: a mark never runs ahead of it
            self.progress.record(batch.upto)
        s = self.summary
        s.messages += len(records)
        s.batches += 1
        s.stored += result.stored
        s.duplicates += result.duplicates
        s.quarantined += result.quarantined
        s.key_mismatches += mismatched
        s.partitions.update(m.partition for m in records)
        dead = [*bad, *result.conflicts]
        if dead:
            self._dead_letter(dead)
        if self.on_stored and result.stored:
            self.on_stored(result.stored)

    def _dead_letter(self, entries: list[QuarantineEntry]) -> None:
        """Publish rejected messages, with why, before their offsets are committed.

        The key names topic/partition/offset, so a re-delivered batch (after a crash)
        sends a message the dead-letter reader can recognise as already seen.
        """
        if self._producer is None:
            self._producer = KafkaProducer(**self.settings.producer_config())
        for e in entries:
            reason = e.reason.value if isinstance(e.reason, Reason) else str(e.reason)
            self._producer.send(self.settings.dlq, key=f"{e.source}@{e.line_no}".encode(),
                                value=e.raw, headers=[
                                    ("reason", reason.encode()),
                                    ("message", e.message.encode()),
                                    ("source", e.source.encode()),
                                    ("offset", str(e.line_no).encode())])
        self._producer.flush()  # raises if it cannot deliver: the batch is then re-read
        self.summary.dead_lettered += len(entries)

    def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        """Commit the offsets after a stored batch (named: a later batch may be polled)."""
        try:
            self.consumer.commit(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # the events are stored; a re-delivery after a rebalance is skipped as duplicate
            self.summary.commits_failed += 1
            log.warning("offset commit failed (%s): the batch is stored; whoever reads these "
                        "partitions next skips it as duplicates", type(exc).__name__)

    def run(self, *, exit_when_idle: float | None = None,
            idle_check: Callable[[], bool] | None = None) -> ConsumeSummary:
        """Consume until stopped (``stopping``) or, with ``exit_when_idle``, until no
        message came for that many seconds while the broker was reachable and
        ``idle_check`` (e.g. detection caught up) agrees.

        Idle time counts from the latest partition assignment at the earliest: joining
        the group (which can take about ``max_poll_interval_ms``) is waiting, not idling.
        """
        started = time.monotonic()
        last_message = started
        told_joining = False
        self.summary.ended_idle = False
        try:
            while not self.stopping:
                try:
                    n = self.poll_once()
                except KafkaError as exc:  # transient client errors: log and keep going
                    log.warning("Kafka error %s: retrying", exc)
                    time.sleep(1.0)
                    continue
                now = time.monotonic()
                if n or self.broker_down:
                    last_message = now
                elif exit_when_idle is None:
                    continue
                elif self.assigned_at is None:
                    if not told_joining and now - started >= exit_when_idle:
                        told_joining = True
                        log.info("no partitions assigned yet after %.1f s: still joining "
                                 "group %s (not counted as idle) / 仍在加入消费组，尚未分配分区"
                                 "（不计入空闲时间）", now - started, self.settings.group)
                elif (now - max(last_message, self.assigned_at) >= exit_when_idle
                      and (idle_check is None or idle_check())):
                    self.summary.ended_idle = True
                    break
            self.finish_in_flight()
        finally:
            self.summary.seconds = time.monotonic() - started
        return self.summary

    def close(self) -> None:
        """Let go of the broker and the parser; a batch still in flight is not stored (it
        is not committed either, so the group reads it again)."""
        self._parser.close()
        if self._producer is not None:
            self._producer.close(timeout=5)
        self.consumer.close(autocommit=False)
        if self.heartbeat_file and self.heartbeat_file.exists():
            os.unlink(self.heartbeat_file)
