"""Use cases of evidence packs: build one for a finding, verify one anywhere."""

from __future__ import annotations

from pathlib import Path

from evidence.against_store import check_against_store
from evidence.pack import PackReport, build_pack, finding_to_pack
from evidence.verify import PackCheck, verify_pack
from services.actor import Actor, Permission
from services.workbench import Workbench


def build_evidence(wb: Workbench, actor: Actor, finding_id: str, out: str | Path, *,
                   unmask: bool = False) -> PackReport:
    """A self-verifying pack of the finding's events, chain links and Merkle proofs."""
    actor.require(Permission.EVIDENCE)
    unmask = actor.unmasked(unmask)
    wb.require_store()
    finding = finding_to_pack(wb.views(), finding_id, unmask=unmask)
    wb.close()  # the read models' engine goes before the store opens: see build_pack
    with wb.store(create=False) as store:
        return build_pack(store, wb.engine, finding, out, unmask=unmask)


def verify_evidence(actor: Actor, path: str | Path, *, expect_head: str | None = None,
                    against: Workbench | None = None) -> PackCheck:
    """Check a pack from its own files; also against a store when one is given."""
    actor.require(Permission.READ)
    check = verify_pack(path, expect_head=expect_head)
    if against is not None and check.ok:
        with against.store(create=False) as store:
            check_against_store(check, store, against.engine)
    return check
