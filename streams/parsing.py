"""Validate polled messages in a second process while the consumer stores the last batch.

Draining a backlog, the storing consumer spends about as long validating messages
(``engine.parse``: typed decode, canonical bytes, content hash) as polling and
appending together, all on one core. ``ParserProcess`` takes the validation to a
helper process, as ``engine.ingest`` does for large files: the consumer hands it a
batch, stores the batch before it meanwhile, and takes the result when it comes
back for the next one. The helper is only an accelerator: the consumer keeps every
handed-over batch's messages, so if the helper dies it validates them itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from engine.parse import NewEvent, parse_line
from engine.processes import sigint_ignored
from engine.quarantine import Malformed, QuarantineEntry

log = logging.getLogger("skillaudit.streams")


class Message(NamedTuple):
    """What validation needs of a polled Kafka record (kafka-python's has more fields)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


class Batch(NamedTuple):
    events: list[NewEvent]
    bad: list[QuarantineEntry]
    mismatched: int  # keys that are not the event's partition key
    upto: dict[int, int]  # per partition, the latest recording time (µs) among its events


def to_events(records: list[Any]) -> Batch:
    """Validate messages like file lines; the source names topic and partition, the
    line number is the offset, so a message is quarantined once however often it comes."""
    events: list[NewEvent] = []
    bad: list[QuarantineEntry] = []
    mismatched = 0
    upto: dict[int, int] = {}
    for m in records:
        source = f"kafka:{m.topic}/{m.partition}"
        value = m.value if m.value is not None else b""
        try:
            event = parse_line(value, source, m.offset)
        except Malformed as exc:
            bad.append(QuarantineEntry(source, m.offset, value, exc.reason, exc.message))
            continue
        if m.key is not None and m.key.decode(errors="replace") != event.stream.split(":", 1)[1]:
            mismatched += 1  # stored all the same; keying is the producer's concern
        events.append(event)
        if event.recorded_at_us > upto.get(m.partition, -1):
            upto[m.partition] = event.recorded_at_us
    return Batch(events, bad, mismatched, upto)


def _dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _serve(conn: Connection) -> None:
    """Child process: validate each batch received, send it back as columns (events as
    one tuple per field pickle several times faster than as tuples)."""
    try:
        while True:
            columns = pickle.loads(conn.recv_bytes())
            batch = to_events(list(map(Message._make, zip(*columns, strict=True))))
            columns = tuple(zip(*batch.events, strict=True))
            conn.send_bytes(_dumps((columns, batch.bad, batch.mismatched, batch.upto)))
    except (EOFError, BrokenPipeError):
        return  # the consumer is gone or closed the pipe
    finally:
        conn.close()


class ParserProcess:
    """One helper process validating one batch at a time: ``submit``, then ``result``.

    The two alternate, so neither side ever writes to a pipe the other is not reading.
    """

    def __init__(self) -> None:
        self._conn: Connection | None = None
        self._proc: Any = None
        self.pending: list[Any] | None = None  # the batch handed over, result not taken
        self.failed = False  # the helper died once: the caller validates in-process
        self.validated = 0  # batches the helper validated

    def _start(self) -> Connection:
        ctx = multiprocessing.get_context("spawn")  # the consumer runs client threads
        here, there = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_serve, args=(there,), name="skillaudit-parse",
                                 daemon=True)
        # Ctrl-C stays the consumer's, which stores the batch in flight, then closes the pipe
        with sigint_ignored():
            self._proc.start()
        there.close()
        self._conn = here
        return here

    def submit(self, records: list[Any]) -> None:
        """Hand a polled batch over (the previous result must have been taken)."""
        assert self.pending is None, "take the previous batch's result first"
        self.pending = records
        if self.failed:
            return
        columns = ([m.topic for m in records], [m.partition for m in records],
                   [m.offset for m in records], [m.key for m in records],
                   [m.value for m in records])  # lists of plain values pickle fastest
        try:
            (self._conn or self._start()).send_bytes(_dumps(columns))
        except (OSError, EOFError) as exc:
            self._fail(exc)

    def result(self) -> Batch:
        """The submitted batch, validated (by this process if the helper is gone)."""
        messages, self.pending = self.pending, None
        assert messages is not None, "nothing was submitted"
        if not self.failed and self._conn is not None:
            try:
                columns, bad, mismatched, upto = pickle.loads(self._conn.recv_bytes())
                self.validated += 1
                return Batch(list(map(NewEvent._make, zip(*columns, strict=True))), bad,
                             mismatched, upto)
            except (OSError, EOFError) as exc:
                self._fail(exc)
        return to_events(messages)

    def discard(self) -> None:
        """Forget the batch handed over (it will be polled again): restart the helper,
        so that its answer to it is never taken for a later batch's."""
        self.pending = None
        self.close()

    def _fail(self, exc: BaseException) -> None:
        log.warning("the message-parsing helper process stopped (%s): validating in the "
                    "consumer's own process from now on; nothing is lost / 解析子进程已停止，"
                    "改为本进程解析", type(exc).__name__)
        self.failed = True
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
            self._proc = None
