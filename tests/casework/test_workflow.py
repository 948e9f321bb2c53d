"""The whole case workflow through the CLI on real findings, on SQLite and PostgreSQL:
open → assign → confirm (reason required) → recovery linked → closed, with who/when/why."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.casework.city import recovery, write_jsonl
from tests.casework.conftest import Detected
from tests.e2e.conftest import Cli, json_of


def step(cli: Cli, db: str, *args: str) -> dict:
    proc = cli("case", *args, "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    return json_of(proc)


def refused(cli: Cli, db: str, *args: str) -> str:
    proc = cli("case", *args, "--db", db)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    return proc.stderr


def test_open_to_closed_with_recovery(detected: Detected, cli: Cli, tmp_path: Path) -> None:
    db, fid = detected.url, detected.overpaid
    case = f"case-{fid}"
    opened = step(cli, db, "open", fid, "--by", "张三")
    assert opened["case_id"] == case and opened["state"] == "open"
    assert opened["type"] == "CaseOpened" and opened["by"] == "张三"
    assert datetime.fromisoformat(opened["occurred_at"]).utcoffset() is not None

    assert step(cli, db, "assign", case, "--to", "李四", "--by", "张三",
                "--reason", "熟悉该机构")["state"] == "assigned"
    assert "reason is required" in refused(cli, db, "confirm", case, "--by", "李四")
    confirmed = step(cli, db, "confirm", case, "--by", "李四",
                     "--reason", "bank statement shows 3500.00 paid 银行流水")
    assert confirmed["state"] == "confirmed" and confirmed["state_zh"] == "已认定"

    # The recovery must be a stored PaymentRecovered of one of the finding's payments.
    write_jsonl([recovery("rec-P2b", "P2b", "500.00"), recovery("rec-P1", "P1", "20.00")],
                tmp_path / "recoveries.jsonl")
    assert cli("ingest", str(tmp_path / "recoveries.jsonl"), "--db", db).returncode == 0
    assert "rec-P2b (P2b, 500.00)" in refused(cli, db, "recover", case)  # lists candidates
    assert "not a stored PaymentRecovered" in refused(cli, db, "recover", case,
                                                      "--recovery", "rec-P1")
    assert "not a stored PaymentRecovered" in refused(cli, db, "recover", case,
                                                      "--recovery", "no-such-event")
    linked = step(cli, db, "recover", case, "--recovery", "rec-P2b", "--by", "李四")
    assert linked["state"] == "recovered"
    assert "already linked" in refused(cli, db, "recover", case, "--recovery", "rec-P2b")

    assert step(cli, db, "note", case, "学校已退回超付款项", "--by", "王五")["state"] == "recovered"
    assert step(cli, db, "close", case, "--by", "张三")["state"] == "closed"
    assert "closed" in refused(cli, db, "assign", case, "--to", "x")

    listed = json_of(cli("case", "list", "--db", db, "--json", "--state", "closed"))
    assert [r["case_id"] for r in listed] == [case]
    r = listed[0]
    assert (r["state"], r["code"], r["subject_id"]) == ("closed", "FRAUD_PAY_OVER_APPROVED", "CL2")
    assert (r["amount_at_risk"], r["recovered"], r["assignee"]) == ("500.00", "500.00", "李四")
    assert r["last_step"]["type"] == "CaseClosed" and r["last_step"]["by"] == "张三"

    shown = json_of(cli("case", "show", case, "--db", db, "--json"))
    history = shown["history"]
    assert [h["type"] for h in history] == ["CaseOpened", "CaseAssigned", "CaseConfirmed",
                                            "CaseRecoveryLinked", "CaseNoteAdded", "CaseClosed"]
    assert [h["by"] for h in history] == ["张三", "张三", "李四", "李四", "王五", "张三"]
    assert history[1]["assignee"] == "李四" and history[1]["reason"] == "熟悉该机构"
    assert history[2]["reason"] == "bank statement shows 3500.00 paid 银行流水"
    assert history[3]["recovery_event_id"] == "rec-P2b" and history[3]["amount"] == "500.00"
    assert history[4]["text"] == "学校已退回超付款项"
    assert all(datetime.fromisoformat(h["at"]).utcoffset() is not None for h in history)
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    # A person as the subject: the ID number is masked, in free text too, unless unmasked.
    ghost, pid = detected.ghost, detected.ghost_person
    step(cli, db, "open", ghost, "--by", "张三", "--reason", f"家属反映 {pid} 已去世")
    listed = json_of(cli("case", "list", "--db", db, "--json", "--state", "open"))
    assert listed[0]["subject_type"] == "person" and listed[0]["subject_id"] != pid
    assert listed[0]["subject_id"].startswith(pid[:6]) and "*" in listed[0]["subject_id"]
    text = cli("case", "show", ghost, "--db", db)  # a finding id stands for its case
    assert text.returncode == 0 and "家属反映" in text.stdout and "张三" in text.stdout
    assert pid not in text.stdout and pid not in cli("case", "list", "--db", db).stdout
    unmasked = json_of(cli("case", "show", ghost, "--db", db, "--json", "--unmask"))
    assert unmasked["subject_id"] == pid and pid in unmasked["history"][0]["reason"]

    # Every step is an event in the verified log.
    verified = json_of(cli("verify", "--db", db, "--json"))
    assert verified["ok"] and verified["checked"] >= len(history)


def test_an_unassigned_case_lists_as_strict_json(detected: Detected, cli: Cli) -> None:
    db, fid = detected.url, detected.overpaid
    step(cli, db, "open", fid, "--by", "张三")
    proc = cli("case", "list", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    mine = [r for r in listed if r["finding_id"] == fid]
    assert mine and mine[0]["assignee"] is None
