"""Check an evidence pack with no database: every byte, every link, every proof.

For each event the content digest is recomputed from its stored bytes and
fields, then its link from the previous hash, and must equal its chain hash;
that chain hash must be proven into the Merkle root at leaf ``chain_seq - 1``;
the chain head must be the root's last leaf; the finding must agree with its
stored ``FindingRaised`` event and name only events in the pack; the manifest
must hold the SHA-256 of every file. Every problem is listed, the most
specific first (an event before the manifest line it also breaks).

What a pack cannot prove alone is that its head is *the* log's head: compare
it with a head noted independently (``expect_head``) or with the live store
(``check_against_store``). A masked pack (the default) holds each event's
content digest instead of its bytes: every link and proof is checked all the
same, but its masked copies, and so the finding's fields read from the masked
FindingRaised copy, are only proven against the store (``masked`` says so).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.chain import GENESIS, link
from evidence import merkle
from evidence.pack import CONTENT_FILES, FORMAT, MANIFEST, sha256_file
from evidence.records import is_masked, record_digest, record_envelope

# finding.json fields that must equal the stored FindingRaised event's data
_SAME_AS_EVENT = ("finding_id", "code", "category", "severity", "title", "amount_at_risk",
                  "subject_type", "rules_version", "rules_digest", "evidence")


@dataclass(frozen=True)
class Problem:
    """One failed check: the file, the event or field it concerns, and what is wrong."""

    file: str
    where: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}{f' ({self.where})' if self.where else ''}: {self.message}"


@dataclass
class PackCheck:
    """The outcome of checking a pack."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    events: int = 0
    finding_id: str | None = None
    head: dict[str, Any] = field(default_factory=dict)
    root: str | None = None
    leaves: int = 0
    masked: bool = False  # events carry digests and masked copies, not their stored bytes

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, file: str, where: str | None, message: str) -> None:
        self.problems.append(Problem(file, where, message))

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "path": str(self.path), "finding_id": self.finding_id,
                "events": self.events, "head": self.head, "merkle_root": self.root,
                "leaves": self.leaves, "masked": self.masked,
                "problems": [asdict(p) for p in self.problems]}


def _hex(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"expected a hex string, got {type(value).__name__}")
    return bytes.fromhex(value)


def _read_json(check: PackCheck, name: str) -> Any:
    path = check.path / name
    if not path.is_file():
        check.fail(name, None, "missing from the pack")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        check.fail(name, None, f"not valid UTF-8 JSON ({exc})")
        return None


def read_events(check: PackCheck) -> list[tuple[int, dict[str, Any]]]:
    path = check.path / "events.jsonl"
    if not path.is_file():
        check.fail("events.jsonl", None, "missing from the pack")
        return []
    out = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        try:
            rec = json.loads(line.decode("utf-8"))
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
        except (ValueError, UnicodeDecodeError) as exc:
            check.fail("events.jsonl", f"line {n}", f"not a JSON object ({exc})")
            continue
        out.append((n, rec))
    return out


def _name(n: int, rec: dict[str, Any]) -> str:
    return f"line {n}, event {rec.get('event_id')}, chain #{rec.get('chain_seq')}"


def _check_event(check: PackCheck, n: int, rec: dict[str, Any], root: bytes | None,
                 leaves: int, proof: dict[str, Any] | None) -> None:
    where = _name(n, rec)
    try:
        seq, version = int(rec["chain_seq"]), int(rec["version"])
        digest = record_digest(rec)
        prev, stored = _hex(rec["prev_hash"]), _hex(rec["chain_hash"])
    except (KeyError, TypeError, ValueError) as exc:
        check.fail("events.jsonl", where, f"malformed event record ({exc!r})")
        return
    if seq == 1 and prev != GENESIS:
        check.fail("events.jsonl", where, "the first event of the chain must follow the genesis "
                                          "hash")
    if link(prev, seq, version, digest) != stored:
        check.fail("events.jsonl", where, "recomputed link does not equal the chain hash: the "
                                          "event's bytes or fields were changed")
        return
    if root is None:
        return
    if proof is None:
        check.fail("proofs.json", where, "no inclusion proof for this event")
        return
    try:
        path = [_hex(p) for p in proof["path"]]
    except (KeyError, TypeError, ValueError) as exc:
        check.fail("proofs.json", where, f"malformed proof ({exc!r})")
        return
    if not merkle.verify_inclusion(stored, seq - 1, leaves, path, root):
        check.fail("proofs.json", where, "the chain hash is not proven into the Merkle root: "
                                         "this event is not the one stored in the log")


def _check_chain(check: PackCheck, chain: Any) -> tuple[bytes | None, int]:
    try:
        if chain.get("format") != FORMAT:
            check.fail("chain.json", None, f"format {chain.get('format')!r}, expected {FORMAT}")
        head, tree = chain["head"], chain["merkle"]
        root, leaves = _hex(tree["root"]), int(tree["leaves"])
        head_hash, head_seq = _hex(head["hash"]), int(head["seq"])
        head_proof = [_hex(p) for p in chain["head_proof"]]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        check.fail("chain.json", None, f"malformed ({exc!r})")
        return None, 0
    check.head, check.root, check.leaves = head, tree["root"], leaves
    if head_seq != leaves:
        check.fail("chain.json", "head", f"head #{head_seq} but the tree has {leaves} leaves")
    if not merkle.verify_inclusion(head_hash, leaves - 1, leaves, head_proof, root):
        check.fail("chain.json", "head", "the head hash is not the last leaf of the Merkle root")
    return root, leaves


def _check_proofs(check: PackCheck, proofs: Any, root: bytes | None, leaves: int
                  ) -> dict[int, dict[str, Any]]:
    if not isinstance(proofs, dict):
        return {}
    if root is not None and (proofs.get("root") != root.hex() or proofs.get("leaves") != leaves):
        check.fail("proofs.json", None, "root or leaf count differs from chain.json")
    by_seq = {}
    for p in proofs.get("proofs", []):
        if isinstance(p, dict) and isinstance(p.get("chain_seq"), int):
            by_seq[p["chain_seq"]] = p
    return by_seq


def _check_finding(check: PackCheck, finding: Any, events: list[tuple[int, dict[str, Any]]]
                   ) -> None:
    try:
        record, event = finding["finding"], finding["event"]
        check.finding_id = record["finding_id"]
        data = record_envelope(event)["data"]
    except (KeyError, TypeError, ValueError) as exc:
        check.fail("finding.json", None, f"malformed ({exc!r})")
        return
    ours = [rec for _, rec in events if rec.get("role") == "finding"]
    if len(ours) != 1 or ours[0] != event:
        check.fail("finding.json", "event", "the FindingRaised event differs from the one in "
                                            "events.jsonl")
    for key in _SAME_AS_EVENT:
        if record.get(key) != data.get(key):
            check.fail("finding.json", key, f"{record.get(key)!r} differs from the stored event's "
                                            f"{data.get(key)!r}")
    in_pack = {rec.get("event_id") for _, rec in events}
    absent = [e for e in data.get("evidence", []) if e not in in_pack]
    if absent:
        check.fail("events.jsonl", None, f"evidence events {', '.join(absent[:5])} named by the "
                                         "finding are not in the pack")


def _check_manifest(check: PackCheck) -> None:
    manifest = _read_json(check, MANIFEST)
    if not isinstance(manifest, dict):
        return
    hashes = manifest.get("sha256", {})
    for name in CONTENT_FILES:
        path = check.path / name
        if name not in hashes:
            check.fail(MANIFEST, name, "file not listed")
        elif not path.is_file():
            check.fail(name, None, "missing from the pack")
        elif sha256_file(path) != hashes[name]:
            check.fail(name, None, "SHA-256 differs from manifest.json: the file was changed")


def verify_pack(path: str | Path, *, expect_head: str | None = None) -> PackCheck:
    """Check the pack directory at ``path``; ``expect_head`` is ``SEQ:HASH`` or ``HASH``."""
    check = PackCheck(Path(path))
    if not check.path.is_dir():
        check.fail(str(path), None, "not a directory: give the --out DIR of `skillaudit evidence`")
        return check
    chain = _read_json(check, "chain.json")
    root, leaves = _check_chain(check, chain) if isinstance(chain, dict) else (None, 0)
    by_seq = _check_proofs(check, _read_json(check, "proofs.json"), root, leaves)
    events = read_events(check)
    check.events = len(events)
    check.masked = any(is_masked(rec) for _, rec in events)
    if not events:
        check.fail("events.jsonl", None, "holds no events")
    for n, rec in events:
        _check_event(check, n, rec, root, leaves, by_seq.get(rec.get("chain_seq", -1)))
    finding = _read_json(check, "finding.json")
    if finding is not None:
        _check_finding(check, finding, events)
    if expect_head is not None and check.head:
        seq_hash = f"{check.head.get('seq')}:{check.head.get('hash')}"
        if expect_head not in (seq_hash, check.head.get("hash")):
            check.fail("chain.json", "head", f"head {seq_hash} differs from the expected "
                                             f"{expect_head}")
    _check_manifest(check)
    return check
