"""Check a verified pack against a live store: same head, same events, same Merkle root.

A pack proves its events belong to *a* log with its head; this says whether
that log is the store's own log (its first ``head.seq`` events, unchanged).
For a masked pack it also proves what offline checks cannot: each masked copy
is the stored event masked, so the finding read from it is the stored one.
Reads only the chain hash column once, plus the pack's rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from engine.store.base import EventStore
from engine.store.log_reader import LogReader
from evidence import merkle
from evidence.records import (
    is_masked,
    masked_state,
    pack_known,
    record_digest,
    state_bytes,
    stored_digest,
)
from evidence.verify import PackCheck, read_events


def check_against_store(check: PackCheck, store: EventStore, engine: sa.Engine) -> None:
    """Add a problem to ``check`` for each way the pack disagrees with the store."""
    head = check.head
    if not head or check.root is None:
        return
    seq, position, hash_hex = int(head["seq"]), int(head["position"]), str(head["hash"])
    live = store.head()
    if live.seq < seq:
        check.fail("chain.json", "store", f"the store holds {live.seq} chained events, fewer "
                                          f"than the pack's head #{seq}: it is not this log")
        return
    row = store.row_at(position)
    if row is None or row.chain_seq != seq or row.chain_hash.hex() != hash_hex:
        check.fail("chain.json", "store", f"the store's event at position {position} is not the "
                                          f"pack's head {seq}:{hash_hex[:16]}…")
        return
    records = read_events(check)
    rows = [store.row_at(int(rec.get("position", 0))) for _, rec in records]
    known = pack_known([r for r in rows if r is not None])
    for (n, rec), row in zip(records, rows, strict=True):
        where = f"line {n}, event {rec.get('event_id')}"
        masked = is_masked(rec)
        if (row is None or row.chain_hash.hex() != rec.get("chain_hash")
                or (not masked and row.state != state_bytes(rec))):
            check.fail("events.jsonl", where, "differs from the event stored at that position")
        elif masked and record_digest(rec) != stored_digest(row):
            check.fail("events.jsonl", where, "content digest differs from the event stored at "
                                              "that position")
        elif masked and rec.get("masked_state") != masked_state(row.state, known):
            check.fail("events.jsonl", where, "masked copy is not the stored event masked: it "
                                              "was changed")
    try:
        tree = merkle.build(LogReader(engine).chain_hashes(position), seq)
    except ValueError as exc:
        check.fail("chain.json", "store", f"the store's chain up to the head differs ({exc})")
        return
    if tree.root.hex() != check.root:
        check.fail("chain.json", "store", "the Merkle root over the store's first "
                                          f"{seq} chain hashes differs from the pack's")
