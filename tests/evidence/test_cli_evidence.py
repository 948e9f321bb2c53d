"""``skillaudit evidence`` and ``skillaudit verify-evidence`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Cli, json_of
from tests.evidence.helpers import read_events, write_events
from tests.evidence.packcity import BAD_ID, stored_city


def test_pack_verify_and_tamper_through_the_cli(cli: Cli, store_url: str, tmp_path: Path
                                                ) -> None:
    [fid] = stored_city(store_url, tmp_path).finding_ids
    out = tmp_path / "pack"
    made = cli("evidence", fid, "--out", str(out), "--db", store_url, "--json")
    assert made.returncode == 0, made.stderr
    built = json_of(made)
    assert built["finding_id"] == fid and built["events"] >= 3
    assert built["leaves"] == int(built["chain_head"].split(":")[0])

    ok = cli("verify-evidence", str(out))  # no --db: no database needed
    assert ok.returncode == 0, ok.stderr
    assert "证据包校验通过" in ok.stdout and built["merkle_root"] in ok.stdout
    live = json_of(cli("verify-evidence", str(out), "--db", store_url, "--json"))
    assert live["ok"] and live["checked_against_store"] and live["problems"] == []

    assert "masked pack" in ok.stdout and live["masked"]  # the default: nothing personal
    events = read_events(out)
    victim = events[0]
    victim["content_digest"] = victim["content_digest"][::-1]
    write_events(out, events)
    bad = cli("verify-evidence", str(out))
    assert bad.returncode == 1
    first = bad.stderr.splitlines()[0]
    assert "证据包校验失败" in first and "events.jsonl" in first
    assert victim["event_id"] in first
    report = json_of(cli("verify-evidence", str(out), "--json"))
    assert not report["ok"] and report["problems"][0]["file"] == "events.jsonl"


def test_summary_masks_unless_unmask(cli: Cli, sqlite_url: str, tmp_path: Path) -> None:
    [fid] = stored_city(sqlite_url, tmp_path).finding_ids
    masked, full = tmp_path / "masked", tmp_path / "full"
    made = cli("evidence", fid, "--out", str(masked), "--db", sqlite_url)
    assert made.returncode == 0, made.stderr
    assert "verify-evidence" in made.stdout and "默克尔根" in made.stdout
    assert cli("evidence", fid, "--out", str(full), "--db", sqlite_url, "--unmask"
               ).returncode == 0
    html = (masked / "summary.html").read_text(encoding="utf-8")
    assert BAD_ID not in html and "http://" not in html and "https://" not in html
    assert BAD_ID in (full / "summary.html").read_text(encoding="utf-8")
    finding = json.loads((masked / "finding.json").read_text(encoding="utf-8"))
    assert BAD_ID not in json.dumps(finding["finding"], ensure_ascii=False)


def test_errors_say_what_to_do(cli: Cli, sqlite_url: str, tmp_path: Path) -> None:
    stored_city(sqlite_url, tmp_path)
    missing = cli("evidence", "no-such-finding", "--out", str(tmp_path / "p"), "--db", sqlite_url)
    assert missing.returncode == 1 and "skillaudit findings" in missing.stderr
    nothing = cli("verify-evidence", str(tmp_path / "nowhere"))
    assert nothing.returncode == 1 and "not a directory" in nothing.stderr
    no_store = cli("evidence", "x", "--out", str(tmp_path / "q"), "--db",
                   f"sqlite:///{tmp_path / 'absent.db'}")
    assert no_store.returncode == 1 and "skillaudit ingest" in no_store.stderr
