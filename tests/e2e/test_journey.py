"""The README's journey: demo → a confirmed case → a verified evidence pack → a published
credit list → a fund report, all through the CLI a user types."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from tests.e2e.conftest import Cli, json_of


def test_from_demo_to_case_evidence_credit_and_report(cli: Cli, tmp_path: Path) -> None:
    demo = cli("demo", "--persons", "600", "--seed", "3", "--dir", str(tmp_path), timeout=600)
    assert demo.returncode == 0, demo.stderr
    assert "Findings by category" in demo.stdout and (tmp_path / "skillaudit-demo-findings.csv"
                                                      ).exists()
    db = f"sqlite:///{tmp_path / 'skillaudit-demo.db'}"

    findings = json_of(cli("findings", "--db", db, "--json"))
    target = next(f for f in findings if f["code"] == "FRAUD_PAY_DUPLICATE")
    fid = target["finding_id"]
    assert cli("case", "open", fid, "--db", db, "--by", "张审计").returncode == 0
    case_id = f"case-{fid}"
    assert cli("case", "assign", case_id, "--to", "李调查", "--db", db, "--by", "张审计"
               ).returncode == 0
    confirmed = cli("case", "confirm", case_id, "--db", db, "--by", "李调查",
                    "--reason", "银行流水证实重复支付")
    assert confirmed.returncode == 0, confirmed.stderr
    shown = json_of(cli("case", "show", case_id, "--db", db, "--json"))
    assert shown["state"] == "confirmed"

    pack = tmp_path / "pack"
    built = cli("evidence", fid, "--out", str(pack), "--db", db)
    assert built.returncode == 0, built.stderr
    ok = cli("verify-evidence", str(pack))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    events = pack / "events.jsonl"
    events.write_text(events.read_text(encoding="utf-8").replace('"amount', '"amounT', 1),
                      encoding="utf-8")
    assert cli("verify-evidence", str(pack)).returncode == 1

    rated = json_of(cli("credit", "list", "--db", db, "--json"))
    paid_twice = set(target["institution_ids"])
    assert any(r.get("institution_id") in paid_twice and r["grade"] != "A" for r in rated)
    listing = tmp_path / "credit.csv"
    assert cli("credit", "publish", "--out", str(listing), "--db", db).returncode == 0
    with listing.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert len(rows) > 1

    report = tmp_path / "funds.xlsx"
    made = cli("report", "funds", "--out", str(report), "--db", db)
    assert made.returncode == 0, made.stderr
    assert len(openpyxl.load_workbook(report).sheetnames) >= 3
    html = tmp_path / "funds.html"
    assert cli("report", "funds", "--out", str(html), "--db", db).returncode == 0
    assert "https://" not in html.read_text(encoding="utf-8")
    assert cli("verify", "--db", db).returncode == 0  # every step above is in the chain
