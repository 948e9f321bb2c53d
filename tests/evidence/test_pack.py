"""Evidence packs end to end on a real store: build, verify, and every tamper caught."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from engine.chain import content_digest, link
from engine.store.factory import open_store
from evidence.against_store import check_against_store
from evidence.pack import PackError
from evidence.verify import verify_pack
from projections.projector import engine_for
from tests.attacker import Attacker
from tests.evidence.helpers import (
    against_store,
    pack,
    read_events,
    relink,
    reseal,
    write_events,
)
from tests.evidence.packcity import BAD_ID, stored_city


@pytest.fixture
def packed(sqlite_url: str, tmp_path: Path) -> tuple[str, str, Path]:
    """(store url, finding id, pack dir) of a fresh SQLite city: a masked pack, the default."""
    report = stored_city(sqlite_url, tmp_path)
    [fid] = report.finding_ids
    out = tmp_path / "pack"
    pack(sqlite_url, fid, out)
    return sqlite_url, fid, out


@pytest.fixture
def packed_full(packed: tuple[str, str, Path], tmp_path: Path) -> tuple[str, str, Path]:
    """An unmasked pack (``--unmask``) of the same finding: it keeps the stored bytes."""
    url, fid, _ = packed
    out = tmp_path / "pack-full"
    pack(url, fid, out, unmask=True)
    return url, fid, out


def test_pack_builds_and_verifies_on_each_backend(store_url: str, tmp_path: Path) -> None:
    report = stored_city(store_url, tmp_path)
    [fid] = report.finding_ids
    built = pack(store_url, fid, tmp_path / "pack")
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == [
        "chain.json", "events.jsonl", "finding.json", "manifest.json", "proofs.json",
        "summary.html"]
    check = verify_pack(tmp_path / "pack")
    assert check.ok, check.problems
    assert check.finding_id == fid and check.events == built.events
    store = open_store(store_url, create=False)
    try:
        head = store.head()
        assert built.head == head and built.leaves == head.seq
        check_against_store(check, store, engine_for(store_url))
    finally:
        store.close()
    assert check.ok, check.problems


def test_unmasked_pack_holds_every_evidence_event_as_stored(
        packed_full: tuple[str, str, Path]) -> None:
    url, fid, out = packed_full
    finding = json.loads((out / "finding.json").read_text(encoding="utf-8"))
    assert finding["finding"]["finding_id"] == fid
    assert finding["finding"]["subject_id"] == BAD_ID
    evidence = json.loads(finding["event"]["state"])["data"]["evidence"]
    events = read_events(out)
    assert {e["event_id"] for e in events if e["role"] == "evidence"} == set(evidence)
    assert [e["role"] for e in events].count("finding") == 1
    store = open_store(url, create=False)
    try:
        for e in events:
            [row] = store.read(e["position"] - 1, 1)
            assert row.state == e["state"].encode() and row.chain_hash.hex() == e["chain_hash"]
            if row.chain_seq > 1:
                [prev] = store.read(e["position"] - 2, 1)
                assert prev.chain_hash.hex() == e["prev_hash"]
    finally:
        store.close()
    chain = json.loads((out / "chain.json").read_text(encoding="utf-8"))
    assert chain["head"]["seq"] == chain["merkle"]["leaves"]


def test_one_changed_character_in_a_state_fails(packed_full: tuple[str, str, Path]) -> None:
    _, _, out = packed_full
    events = read_events(out)
    victim = next(e for e in events if e["role"] == "evidence")
    assert "1000.00" in "".join(e["state"] for e in events)
    old, new = next((o, n) for o, n in (("王", "汪"), ("李", "季"), ("C1", "C2"))
                    if o in victim["state"])
    victim["state"] = victim["state"].replace(old, new, 1)
    write_events(out, events)
    check = verify_pack(out)
    first = check.problems[0]
    assert first.file == "events.jsonl" and victim["event_id"] in str(first)
    assert "changed" in first.message
    assert any(p.file == "events.jsonl" and "manifest" in p.message for p in check.problems)
    reseal(out)  # a forger who also rewrote the manifest is caught all the same
    assert not verify_pack(out).ok


def test_a_forged_chain_hash_with_a_recomputed_link_fails_the_merkle_proof(
        packed_full: tuple[str, str, Path]) -> None:
    _, _, out = packed_full
    events = read_events(out)
    victim = next(e for e in events if "1000.00" in e["state"])
    victim["state"] = victim["state"].replace("1000.00", "100.00", 1)
    relink(victim)
    write_events(out, events)
    reseal(out)
    check = verify_pack(out)
    assert not check.ok
    first = check.problems[0]
    assert first.file == "proofs.json" and victim["event_id"] in str(first)
    assert "Merkle root" in first.message


def test_masked_pack_holds_digests_and_masked_copies_only(
        packed: tuple[str, str, Path], packed_full: tuple[str, str, Path]) -> None:
    url, _, out = packed
    _, _, full = packed_full
    for path in out.iterdir():
        assert BAD_ID not in path.read_text(encoding="utf-8"), path.name
    events, full_events = read_events(out), read_events(full)
    assert not any("state" in e or "state_b64" in e for e in events)
    # the digests a masked pack holds are those of the bytes an unmasked one keeps
    assert [e["content_digest"] for e in events] == [
        content_digest(f["stream"], f["topic"], f["event_id"], f["recorded_at_us"],
                       f["state"].encode()).hex() for f in full_events]
    copies = "".join(e["masked_state"] for e in events)
    assert BAD_ID[:6] + "********" + BAD_ID[-4:] in copies and "1000.00" in copies
    assert [json.loads(e["masked_state"])["event_id"] for e in events] == [
        e["event_id"] for e in events]
    check = verify_pack(out)
    assert check.ok and check.masked, check.problems
    assert verify_pack(full).ok and not verify_pack(full).masked
    against_store(check, url)
    assert check.ok, check.problems


def test_a_forged_content_digest_fails_its_link_then_its_merkle_proof(
        packed: tuple[str, str, Path]) -> None:
    _, _, out = packed
    events = read_events(out)
    victim = next(e for e in events if e["role"] == "evidence")
    forged = hashlib.sha256(b"another event").digest()
    victim["content_digest"] = forged.hex()
    write_events(out, events)
    reseal(out)
    first = verify_pack(out).problems[0]
    assert first.file == "events.jsonl" and victim["event_id"] in str(first)
    assert "changed" in first.message
    victim["chain_hash"] = link(bytes.fromhex(victim["prev_hash"]), victim["chain_seq"],
                                victim["version"], forged).hex()
    write_events(out, events)
    reseal(out)
    first = verify_pack(out).problems[0]
    assert first.file == "proofs.json" and "Merkle root" in first.message


def test_an_edited_masked_copy_is_caught_against_the_store(packed: tuple[str, str, Path]
                                                           ) -> None:
    url, _, out = packed
    events = read_events(out)
    victim = next(e for e in events if e["role"] == "evidence" and "1000.00" in e["masked_state"])
    victim["masked_state"] = victim["masked_state"].replace("1000.00", "100.00", 1)
    write_events(out, events)
    assert [p.file for p in verify_pack(out).problems] == ["events.jsonl"]  # the manifest's
    reseal(out)
    check = verify_pack(out)
    assert check.ok  # offline a masked copy is not proven (the module says so): the store is
    against_store(check, url)
    assert [p.file for p in check.problems] == ["events.jsonl"]
    assert victim["event_id"] in str(check.problems[0]) and "masked copy" in str(check.problems[0])


def test_an_edited_finding_fails(packed: tuple[str, str, Path]) -> None:
    _, _, out = packed
    path = out / "finding.json"
    finding = json.loads(path.read_text(encoding="utf-8"))
    finding["finding"]["amount_at_risk"] = "10.00"
    path.write_text(json.dumps(finding, ensure_ascii=False), encoding="utf-8")
    check = verify_pack(out)
    assert check.problems[0].file == "finding.json"
    assert check.problems[0].where == "amount_at_risk"
    assert any("SHA-256 differs" in p.message and p.file == "finding.json"
               for p in check.problems)


def test_a_dropped_evidence_event_or_summary_edit_fails(packed: tuple[str, str, Path]) -> None:
    _, _, out = packed
    html = out / "summary.html"
    html.write_text(html.read_text(encoding="utf-8").replace("high", "low"), encoding="utf-8")
    assert [p.file for p in verify_pack(out).problems] == ["summary.html"]
    events = read_events(out)
    dropped = next(e for e in events if e["role"] == "evidence")
    write_events(out, [e for e in events if e is not dropped])
    reseal(out)
    check = verify_pack(out)
    assert any(dropped["event_id"] in p.message and "not in the pack" in p.message
               for p in check.problems)


def test_expected_head_and_live_store_are_compared(packed: tuple[str, str, Path],
                                                   tmp_path: Path) -> None:
    _, _, out = packed
    chain = json.loads((out / "chain.json").read_text(encoding="utf-8"))
    head = f"{chain['head']['seq']}:{chain['head']['hash']}"
    assert verify_pack(out, expect_head=head).ok
    check = verify_pack(out, expect_head=f"{chain['head']['seq']}:{'0' * 64}")
    assert check.problems[0].file == "chain.json" and "expected" in check.problems[0].message
    other = f"sqlite:///{tmp_path / 'other' / 'other.db'}"
    (tmp_path / "other").mkdir()
    stored_city(other, tmp_path / "other")  # the same facts, detected at another time
    check = verify_pack(out)
    against_store(check, other)
    assert not check.ok and check.problems[0].where == "store"


def test_a_store_whose_chain_is_broken_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    [fid] = stored_city(sqlite_url, tmp_path).finding_ids
    with Attacker(sqlite_url) as attacker:
        attacker.drop_guards()
        row = attacker.row(5)
        attacker.set(5, state=row["state"].replace(b"C1", b"C9"))
    with pytest.raises(PackError, match="does not verify") as err:
        pack(sqlite_url, fid, tmp_path / "pack")
    assert "position 5" in str(err.value)
    assert not (tmp_path / "pack").exists()


def test_unknown_finding_and_used_directory_are_refused(packed: tuple[str, str, Path],
                                                        tmp_path: Path) -> None:
    url, fid, out = packed
    with pytest.raises(PackError, match="skillaudit findings"):
        pack(url, "nope", tmp_path / "other")
    with pytest.raises(PackError, match="not an empty directory"):
        pack(url, fid, out)


def test_summary_is_offline_and_masked_unless_unmasked(packed: tuple[str, str, Path],
                                                       tmp_path: Path) -> None:
    url, fid, out = packed
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert "src=" not in html and "<script" not in html and "<link" not in html
    assert BAD_ID not in html and BAD_ID[:6] + "********" + BAD_ID[-4:] in html
    assert "证据包" in html and "Evidence pack" in html and "Merkle root" in html
    open_html = tmp_path / "open"
    pack(url, fid, open_html, unmask=True)
    unmasked = (open_html / "summary.html").read_text(encoding="utf-8")
    assert BAD_ID in unmasked
    assert json.loads((open_html / "finding.json").read_text())["finding"]["subject_id"] == BAD_ID
    assert verify_pack(open_html).ok
