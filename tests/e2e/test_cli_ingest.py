"""``skillaudit ingest``, ``stats``, ``verify`` and ``quarantine`` through the command line."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from engine.store.factory import open_store
from tests.e2e.conftest import Cli, cli_command, cli_env, json_of
from tests.engine.store_contract import all_rows
from tests.lines import malformed_lines, write_jsonl

pytestmark = pytest.mark.e2e

BAD = malformed_lines()


def test_ingest_json_stats_and_verify(cli: Cli, store_url: str, tmp_path: Path) -> None:
    bad = {3: BAD["not_json"], 9: BAD["negative_money"], 40: BAD["date_without_offset"]}
    w = write_jsonl(tmp_path / "in.jsonl", 45, bad=bad, blank=[20])
    proc = cli("ingest", str(w.path), "--db", store_url, "--json")
    assert proc.returncode == 0, proc.stderr  # quarantined lines are not a failure
    summary = json_of(proc)
    assert summary["stored"] == 45
    assert summary["duplicates"] == 0
    assert summary["quarantined"] == 3
    assert isinstance(summary["seconds"], int | float) and summary["seconds"] >= 0

    again = json_of(cli("ingest", str(w.path), "--db", store_url, "--json"))
    assert (again["stored"], again["duplicates"], again["quarantined"]) == (0, 45, 0)

    stats = json_of(cli("stats", "--db", store_url, "--json"))
    s = open_store(store_url)
    try:
        rows = all_rows(s)
        head = s.head()
    finally:
        s.close()
    assert stats["events"] == 45 == len(rows)
    assert stats["by_type"] == dict(Counter(r.topic for r in rows))
    assert stats["quarantined"] == 3
    assert head.hex in stats["chain_head"]

    ok = cli("verify", "--db", store_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    verified = json_of(cli("verify", "--db", store_url, "--json"))
    assert verified["ok"] is True and verified["checked"] == 45


def test_human_summary_says_nothing_new_on_a_rerun(cli: Cli, sqlite_url: str,
                                                  tmp_path: Path) -> None:
    w = write_jsonl(tmp_path / "in.jsonl", 12)
    assert cli("ingest", str(w.path), "--db", sqlite_url).returncode == 0
    rerun = cli("ingest", str(w.path), "--db", sqlite_url)
    assert rerun.returncode == 0
    assert "Nothing new" in rerun.stdout


def test_db_defaults_to_env_then_local_file(cli: Cli, tmp_path: Path) -> None:
    w = write_jsonl(tmp_path / "in.jsonl", 7)
    env_db = tmp_path / "from_env.db"
    proc = cli("ingest", str(w.path), "--json", env=cli_env(SKILLAUDIT_DB=f"sqlite:///{env_db}"))
    assert proc.returncode == 0 and json_of(proc)["stored"] == 7
    assert env_db.exists() and not (tmp_path / "skillaudit.db").exists()
    proc = cli("ingest", str(w.path), "--json")  # cwd is tmp_path
    assert proc.returncode == 0 and json_of(proc)["stored"] == 7
    assert (tmp_path / "skillaudit.db").exists()


def test_missing_input_file_is_an_error(cli: Cli, sqlite_url: str, tmp_path: Path) -> None:
    proc = cli("ingest", str(tmp_path / "absent.jsonl"), "--db", sqlite_url, "--json")
    assert proc.returncode != 0
    assert "absent.jsonl" in proc.stderr


def test_quarantine_list_and_retry_with_corrections(cli: Cli, store_url: str,
                                                    tmp_path: Path) -> None:
    bad = {2: BAD["missing_field"], 5: BAD["unknown_type"]}
    w = write_jsonl(tmp_path / "in.jsonl", 8, bad=bad)
    assert cli("ingest", str(w.path), "--db", store_url, "--json").returncode == 0

    listed = json_of(cli("quarantine", "list", "--db", store_url, "--json"))
    assert sorted((e["line"], e["reason"]) for e in listed) == [
        (2, "missing_field"), (5, "unknown_type")]
    assert {e["raw"] for e in listed} == {raw.decode() for raw, _ in bad.values()}
    assert all(e["source"] == str(w.path) for e in listed)
    entry = next(e for e in listed if e["line"] == 2)

    fixed = json.loads(entry["raw"])
    fixed["data"]["person_id"] = "142301199001010011"
    corrections = tmp_path / "fix.jsonl"
    corrections.write_text(json.dumps({"id": entry["id"], "raw": json.dumps(fixed)}) + "\n")
    proc = cli("quarantine", "retry", "--db", store_url, "--corrections", str(corrections))
    assert proc.returncode == 0, proc.stdout + proc.stderr

    still_open = json_of(cli("quarantine", "list", "--db", store_url, "--json"))
    assert [e["line"] for e in still_open] == [5]
    everything = json_of(cli("quarantine", "list", "--db", store_url, "--json", "--all"))
    done = next(e for e in everything if e["id"] == entry["id"])
    assert (done["status"], done["resolved_event_id"]) == ("resolved", fixed["event_id"])

    s = open_store(store_url)
    try:
        ids = [r.event_id for r in all_rows(s)]
        assert ids.count(fixed["event_id"]) == 1 and len(ids) == 9
        assert s.verify().ok
    finally:
        s.close()

    # retrying the still-broken line without a correction fails and says so
    proc = cli("quarantine", "retry", "--db", store_url, "--id", str(still_open[0]["id"]))
    assert proc.returncode == 1
    stats = json_of(cli("stats", "--db", store_url, "--json"))
    assert stats["events"] == 9 and stats["quarantined"] == 1


def test_ingest_from_stdin(sqlite_url: str, tmp_path: Path) -> None:
    w = write_jsonl(tmp_path / "in.jsonl", 15, bad={4: BAD["not_object"]})
    proc = subprocess.run(cli_command("ingest", "-", "--db", sqlite_url, "--json"),
                          input=w.path.read_bytes(), capture_output=True, cwd=tmp_path,
                          env=cli_env(), timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["stored"], summary["quarantined"]) == (15, 1)
    s = open_store(sqlite_url)
    try:
        [entry] = s.quarantine_list()
        assert (entry.source, entry.line_no) == ("-", 4)
    finally:
        s.close()
