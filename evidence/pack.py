"""Build an evidence pack: one finding, its events as stored, and proof they belong to the log.

The pack is a directory a court, an auditee or another auditor can check
without our database (``evidence/verify.py``): each event's link is recomputed
exactly as ``store.verify`` does; a Merkle root over every chain hash up to the
head, with an inclusion proof per event, shows each one sits in the verified
log at its place. Refuses to pack from a store whose chain does not verify.

Masked by default. A masked pack holds no personal data anywhere: each event
keeps its content digest (the SHA-256 the chain links, see ``engine/chain.py``)
instead of its stored bytes, and a masked copy to read. The links and proofs
verify offline exactly as before; that the masked copy is the masked stored
event is checked against the store (``verify-evidence --db``) or an unmasked
pack of the same finding, whose digests are the same. Only an ``--unmask`` pack
keeps the stored bytes themselves, so anyone can recompute the digests.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.chain import GENESIS, ChainHead
from engine.errors import SkillauditError
from engine.privacy import mask_record
from engine.serial import load
from engine.store.base import EventStore
from engine.store.log_reader import LogReader
from evidence import merkle
from evidence.records import event_record, pack_known
from evidence.summary import render_summary
from projections.views import Views

FORMAT = "skillaudit-evidence-pack/1"
MERKLE_SCHEME = ("RFC 6962 SHA-256 over chain hashes 1..head in order: "
                 "leaf = SHA-256(0x00 ‖ chain_hash), node = SHA-256(0x01 ‖ left ‖ right)")
CONTENT_FILES = ("finding.json", "events.jsonl", "chain.json", "proofs.json", "summary.html")
MANIFEST = "manifest.json"


class PackError(SkillauditError):
    """The pack cannot be built; the message says why and what to do."""


@dataclass
class PackReport:
    out: Path
    finding_id: str
    events: int
    head: ChainHead
    root: bytes
    leaves: int
    seconds: dict[str, float] = field(default_factory=dict)


# -- the pack's files -----------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"


def _public_url(url: str) -> str:
    """The store URL without a password."""
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        cred, _, host = rest.rpartition("@")
        return f"{scheme}://{cred.split(':', 1)[0]}@{host}"
    return url


# -- building -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FindingToPack:
    """A finding as listed (masked unless unmasked) and where its FindingRaised event is."""

    finding_id: str
    record: dict[str, Any]
    position: int


def finding_to_pack(views: Views, finding_id: str, *, unmask: bool = False) -> FindingToPack:
    """Look the finding up in the read models (before the store is opened: see ``build_pack``)."""
    from findings.listing import as_records, current_findings

    frame = current_findings(views)
    if finding_id not in frame.index:
        raise PackError(f"no finding {finding_id!r} is recorded: list them with "
                        "`skillaudit findings` (run `skillaudit detect` first)")
    record = as_records(frame.loc[[finding_id]], unmask=unmask)[0]
    return FindingToPack(finding_id, record, int(frame.loc[finding_id, "position"]))


def build_pack(store: EventStore, engine: sa.Engine, finding: FindingToPack, out: str | Path,
               *, unmask: bool = False, now: datetime | None = None) -> PackReport:
    """Write the pack for ``finding`` into the empty (or new) directory ``out``.

    Look the finding up first (``finding_to_pack``) and dispose of that engine:
    read models are read through connectorx, whose own bundled SQLite may delete
    the WAL under SQLite connections this process still holds.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PackError(f"{out} exists and is not an empty directory: choose a new --out DIR")
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    finding_id, record, finding_pos = finding.finding_id, finding.record, finding.position

    t = time.perf_counter()
    checked = store.verify()
    seconds["verify"] = time.perf_counter() - t
    if not checked.ok:
        assert checked.problem is not None
        raise PackError(f"the store's chain does not verify, so no pack is made: "
                        f"{checked.problem.message}. Run `skillaudit verify` and restore the "
                        "store from a trusted copy first")
    head = checked.head
    if finding_pos > head.position:
        raise PackError("the finding was recorded while the chain was being verified: "
                        "run the command again")

    finding_row = store.row_at(finding_pos)
    if finding_row is None or finding_row.topic != "FindingRaised":
        raise PackError(f"no FindingRaised event at position {finding_pos}: run "
                        "`skillaudit project --rebuild` and try again")
    data = load(finding_row.state).get("data", {})
    evidence_ids = [str(e) for e in data.get("evidence", [])]
    log = LogReader(engine)
    found = log.positions_of(evidence_ids)
    missing = [e for e in evidence_ids if e not in found]
    if missing:
        raise PackError(f"evidence events {', '.join(missing[:5])} of finding {finding_id} are "
                        "not in the store: it was raised against another store")
    rows = [r for r in (store.row_at(p) for p in sorted(set(found.values()))) if r is not None]
    roles = [(r, "evidence") for r in rows if r.position != finding_pos]
    roles.append((finding_row, "finding"))
    roles.sort(key=lambda x: x[0].position)

    t = time.perf_counter()
    wanted_prev = {r.chain_seq - 2 for r, _ in roles if r.chain_seq > 1}
    prevs: dict[int, bytes] = {}

    def leaves() -> Iterator[bytes]:
        for i, h in enumerate(log.chain_hashes(head.position)):
            if i in wanted_prev:
                prevs[i] = h
            yield h

    try:
        tree = merkle.build(leaves(), head.seq,
                            [r.chain_seq - 1 for r, _ in roles] + [head.seq - 1])
    except (ValueError, IndexError) as exc:
        raise PackError(f"the chain hashes changed while packing ({exc}): run the command "
                        "again") from None
    seconds["merkle"] = time.perf_counter() - t

    known = None if unmask else pack_known([r for r, _ in roles])
    if known is not None:  # also what the events name (a name the finding quotes)
        record = mask_record(record, known)
    events = [event_record(r, prevs[r.chain_seq - 2] if r.chain_seq > 1 else GENESIS, role,
                           known) for r, role in roles]
    finding_event = next(e for e in events if e["role"] == "finding")
    now = now or datetime.now().astimezone()
    chain = {
        "format": FORMAT, "store": _public_url(store.url), "packed_at": now.isoformat(),
        "genesis": GENESIS.hex(), "verified_events": checked.checked,
        "head": {"seq": head.seq, "hash": head.hex, "position": head.position},
        "merkle": {"scheme": MERKLE_SCHEME, "root": tree.root.hex(), "leaves": tree.size},
        "head_proof": [p.hex() for p in tree.proofs[head.seq - 1]],
    }
    proofs = {"root": tree.root.hex(), "leaves": tree.size, "proofs": [
        {"event_id": e["event_id"], "chain_seq": e["chain_seq"], "leaf_index": e["chain_seq"] - 1,
         "path": [p.hex() for p in tree.proofs[e["chain_seq"] - 1]]} for e in events]}

    out.mkdir(parents=True, exist_ok=True)
    (out / "finding.json").write_text(_dump({"finding": record, "event": finding_event}),
                                      encoding="utf-8")
    (out / "events.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    (out / "chain.json").write_text(_dump(chain), encoding="utf-8")
    (out / "proofs.json").write_text(_dump(proofs), encoding="utf-8")
    (out / "summary.html").write_text(
        render_summary(record, events, chain, unmask=unmask), encoding="utf-8")
    manifest = {"format": FORMAT, "finding_id": finding_id, "created_at": now.isoformat(),
                "unmasked": unmask,
                "sha256": {name: sha256_file(out / name) for name in CONTENT_FILES}}
    (out / MANIFEST).write_text(_dump(manifest), encoding="utf-8")
    seconds["total"] = time.perf_counter() - t0
    return PackReport(out, finding_id, len(events), head, tree.root, tree.size, seconds)
