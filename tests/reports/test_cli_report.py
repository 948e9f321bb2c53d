"""``skillaudit report funds`` through the CLI, on SQLite and PostgreSQL: both formats."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from reports.xlsx import SHEETS
from tests.e2e.conftest import Cli, json_of
from tests.projections import scenario

pytestmark = pytest.mark.e2e


def test_report_funds_writes_xlsx_and_html(store_url: str, tmp_path: Path, cli: Cli) -> None:
    events = tmp_path / "scenario.jsonl"
    events.write_bytes(b"\n".join(scenario.lines()) + b"\n")
    assert cli("ingest", str(events), "--db", store_url, "--json").returncode == 0
    detect = cli("detect", "--db", store_url)
    assert detect.returncode == 0, detect.stderr
    findings = json_of(cli("findings", "--db", store_url, "--json"))
    total = sum(Decimal(f["amount_at_risk"]) for f in findings)
    assert total > 0

    xlsx = tmp_path / "funds.xlsx"
    out = json_of(cli("report", "funds", "--db", store_url, "--out", str(xlsx), "--json"))
    assert Decimal(out["at_risk"]) == total and out["out"] == str(xlsx)
    items = {s["item"]: s for s in out["summary"]}
    assert items["paid 已拨付"]["amount"] == "500.00"
    assert items["paid past the deadline 逾期支付"] == {
        "item": "paid past the deadline 逾期支付", "amount": "199.90", "count": 1}
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == list(SHEETS.values())
    assert len(wb[SHEETS["charts"]]._images) == 3

    html = tmp_path / "funds.html"
    proc = cli("report", "funds", "--db", store_url, "--out", str(html), "--year", "2023")
    assert proc.returncode == 0, proc.stderr
    assert "资金安全报告" in proc.stdout and str(html) in proc.stdout
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("data:image/png;base64,") == 3
    assert "year 年度 2023" in text and "199.90" in text

    early = json_of(cli("report", "funds", "--db", store_url, "--out", str(xlsx), "--json",
                        "--as-of-position", "10"))
    assert early["at_risk"] == "0.00" and early["as_of"] == "position ≤ 10"


def test_report_funds_refuses_other_formats(sqlite_url: str, tmp_path: Path, cli: Cli) -> None:
    proc = cli("report", "funds", "--db", sqlite_url, "--out", str(tmp_path / "funds.pdf"))
    assert proc.returncode == 2 and ".xlsx or .html" in proc.stderr
    assert not (tmp_path / "funds.pdf").exists()
