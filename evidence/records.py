"""Event records of an evidence pack: as stored (unmasked) or as digest and masked copy.

An unmasked record keeps the stored bytes, so its content digest is recomputed
from them; a masked one keeps the digest itself (the chain links digests, not
bytes, see ``engine/chain.py``) and a masked copy of the event to read. The
pack, its summary, the offline check and the check against a store all read
records through these functions.
"""

from __future__ import annotations

import base64
from typing import Any

from engine.chain import content_digest
from engine.privacy import mask_record, mask_text, sensitive_values
from engine.serial import canonical_obj, load
from engine.store.base import StoredRow


def event_record(row: StoredRow, prev: bytes, role: str,
                 known: dict[str, str] | None = None) -> dict[str, Any]:
    """One event as stored, plus the previous chain hash so its link can be recomputed.

    With ``known`` (raw → masked values, see ``pack_known``) the record is masked:
    its content digest and a masked copy stand in for the stored bytes.
    """
    rec: dict[str, Any] = {
        "role": role, "position": row.position, "stream": row.stream, "version": row.version,
        "topic": row.topic, "event_id": row.event_id, "recorded_at_us": row.recorded_at_us,
        "chain_seq": row.chain_seq, "chain_hash": row.chain_hash.hex(), "prev_hash": prev.hex(),
    }
    if known is not None:
        rec["stream"] = mask_text(row.stream, known)
        rec["content_digest"] = stored_digest(row).hex()
        rec["masked_state"] = masked_state(row.state, known)
        return rec
    try:
        rec["state"] = row.state.decode("utf-8")
    except UnicodeDecodeError:  # never for canonical JSON, but bytes are kept exactly anyway
        rec["state_b64"] = base64.b64encode(row.state).decode()
    return rec


def stored_digest(row: StoredRow) -> bytes:
    """The content digest the chain links for a stored row."""
    return content_digest(row.stream, row.topic, row.event_id, row.recorded_at_us, row.state)


def pack_known(rows: list[StoredRow]) -> dict[str, str]:
    """The personal values the pack's events name by field (raw → masked), for masking
    each event's copy with what the others name (a name quoted in an explanation)."""
    known: dict[str, str] = {}
    for r in rows:
        try:
            known.update(sensitive_values(load(r.state)))
        except ValueError:  # not JSON: nothing named by field
            continue
    return known


def masked_state(state: bytes, known: dict[str, str]) -> str:
    """The masked copy of stored bytes: canonical JSON, every personal value masked."""
    try:
        return canonical_obj(mask_record(load(state), known)).decode("utf-8")
    except ValueError:  # not JSON (never for a stored event): the bytes are not shown
        return "null"


def is_masked(rec: dict[str, Any]) -> bool:
    """A masked event record: a digest and a masked copy instead of the stored bytes."""
    return "state" not in rec and "state_b64" not in rec


def state_bytes(rec: dict[str, Any]) -> bytes:
    """The stored bytes of an unmasked event record (inverse of ``event_record``)."""
    if "state_b64" in rec:
        return base64.b64decode(rec["state_b64"], validate=True)
    return str(rec["state"]).encode("utf-8")


def record_digest(rec: dict[str, Any]) -> bytes:
    """An event record's content digest: recomputed from its bytes, or as a masked one holds it."""
    if is_masked(rec):
        return bytes.fromhex(str(rec["content_digest"]))
    recorded = rec["recorded_at_us"]
    return content_digest(str(rec["stream"]), str(rec["topic"]), rec["event_id"],
                          None if recorded is None else int(recorded), state_bytes(rec))


def record_envelope(rec: dict[str, Any]) -> Any:
    """The event an event record shows: its stored JSON, or its masked copy."""
    return load(str(rec["masked_state"]) if is_masked(rec) else state_bytes(rec))
