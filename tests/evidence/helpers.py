"""Build a pack from a stored city, and tamper with packs as a forger would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.chain import content_digest, link
from engine.store.factory import open_store
from evidence.against_store import check_against_store
from evidence.pack import (
    CONTENT_FILES,
    MANIFEST,
    PackReport,
    build_pack,
    finding_to_pack,
    sha256_file,
)
from evidence.verify import PackCheck
from projections.projector import engine_for
from projections.views import Views


def pack(url: str, finding_id: str, out: Path, *, unmask: bool = False) -> PackReport:
    engine = engine_for(url)
    finding = finding_to_pack(Views(engine), finding_id, unmask=unmask)
    engine.dispose()
    store = open_store(url, create=False)
    try:
        return build_pack(store, engine_for(url), finding, out, unmask=unmask)
    finally:
        store.close()


def against_store(check: PackCheck, url: str) -> PackCheck:
    """``check`` also compared with the store at ``url``."""
    store = open_store(url, create=False)
    try:
        check_against_store(check, store, engine_for(url))
    finally:
        store.close()
    return check


def read_events(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in
            (out / "events.jsonl").read_text(encoding="utf-8").splitlines()]


def write_events(out: Path, events: list[dict[str, Any]]) -> None:
    (out / "events.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")


def reseal(out: Path) -> None:
    """Recompute the manifest, as a forger who edited files would."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["sha256"] = {name: sha256_file(out / name) for name in CONTENT_FILES}
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def relink(e: dict[str, Any]) -> None:
    """Give an edited event the chain hash its new content links to."""
    digest = content_digest(e["stream"], e["topic"], e["event_id"], e["recorded_at_us"],
                            e["state"].encode())
    e["chain_hash"] = link(bytes.fromhex(e["prev_hash"]), e["chain_seq"], e["version"],
                           digest).hex()
