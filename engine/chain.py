"""The SHA-256 hash chain that makes the log tamper-evident.

Each stored event carries ``chain_seq`` (1, 2, 3, … with no gaps) and
``chain_hash = SHA-256(previous hash ‖ seq ‖ version ‖ content digest)``, where
the content digest is SHA-256 over the topic, stream, event id, recording time
and canonical state, each length-prefixed so no two records share bytes.
Changing, deleting or swapping any stored event breaks the chain from there on.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

GENESIS = hashlib.sha256(b"skillaudit event chain v1").digest()
_CONTENT = struct.Struct(">qIII")  # recorded_at_us (-1 = none), topic, stream, event id lengths
LINK = struct.Struct(">qq")  # chain seq, stream version
_sha256 = hashlib.sha256


def content_digest(
    stream: str, topic: str, event_id: str | None, recorded_at_us: int | None, state: bytes
) -> bytes:
    """SHA-256 of what an event says, independent of where it lands in the log.

    Computed while parsing (in the parser process for large inputs), so the
    writer only has to link 80 bytes per event under the insert lock.
    """
    stream_b = stream.encode()
    topic_b = topic.encode()
    event_b = b"" if event_id is None else event_id.encode()
    header = _CONTENT.pack(-1 if recorded_at_us is None else recorded_at_us,
                           len(topic_b), len(stream_b), len(event_b))
    return _sha256(b"".join((header, topic_b, stream_b, event_b, state))).digest()


def link(previous: bytes, seq: int, version: int, digest: bytes) -> bytes:
    """The chain hash of one record: its position, its stream version and its content."""
    return _sha256(previous + LINK.pack(seq, version) + digest).digest()


@dataclass(frozen=True)
class ChainHead:
    """The last link: how many events the chain holds and the hash that seals them."""

    seq: int
    hash: bytes
    position: int  # the notification id (global position) of the last event, 0 when empty

    @property
    def hex(self) -> str:
        return self.hash.hex()

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash.hex()}"


EMPTY_HEAD = ChainHead(0, GENESIS, 0)


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the stored chain disagrees with its recomputation."""

    position: int  # notification id of the row where it was found
    event_id: str | None
    kind: str  # "changed" | "missing" | "reordered" | "head"
    message: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head: ChainHead
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None
