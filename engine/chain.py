"""The SHA-256 hash chain that makes the log tamper-evident.

Each stored event carries ``chain_seq`` (1, 2, 3, … with no gaps) and
``chain_hash = SHA-256(previous hash ‖ record)``, where the record is the
event's position in the chain, stream, version, topic, event id, recording
time and canonical state, each length-prefixed so no two records share bytes.
Changing, deleting or swapping any stored event breaks the chain from there on.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

GENESIS = hashlib.sha256(b"skillaudit event chain v1").digest()
_HEADER = struct.Struct(">qqqIII")  # seq, version, recorded_at_us (-1 = none), 3 lengths
_sha256 = hashlib.sha256


def link(
    previous: bytes,
    seq: int,
    stream: str,
    version: int,
    topic: str,
    event_id: str | None,
    recorded_at_us: int | None,
    state: bytes,
) -> bytes:
    """The chain hash of one record given the hash before it."""
    stream_b = stream.encode()
    topic_b = topic.encode()
    event_b = b"" if event_id is None else event_id.encode()
    header = _HEADER.pack(seq, version, -1 if recorded_at_us is None else recorded_at_us,
                          len(topic_b), len(stream_b), len(event_b))
    return _sha256(b"".join((previous, header, topic_b, stream_b, event_b, state))).digest()


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
