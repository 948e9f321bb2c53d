"""A run records its guard warnings and what it left unchecked; ``findings`` reads them back.

On SQLite and PostgreSQL: the notes travel in the ``DetectionRun`` event, so a later
listing (or the fund report) shows them without detecting again, and a rule's notes
are those of the latest run that ran it.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from detectors.rules import load_rules
from engine.ingest import ingest
from engine.store.factory import open_store
from findings.detection import run_detection
from findings.listing import as_records, current_findings
from findings.runs import run_notes
from projections.projector import engine_for
from projections.views import Views
from reports.funds import fund_report
from reports.xlsx import SHEETS
from tests.detectors.test_guard import CITY_AMOUNT, CODE, certification_city, rules_file
from tests.e2e.conftest import Cli, cli, json_of

__all__ = ["cli"]


def _load(url: str, tmp_path: Path) -> None:
    events = tmp_path / "city.jsonl"
    events.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                              for e in certification_city().events), encoding="utf-8")
    store = open_store(url)
    try:
        assert ingest(store, [str(events)], parallel=False).quarantined == 0
    finally:
        store.close()


def _detect(url: str, rules: Path | None) -> None:
    store = open_store(url)
    engine = engine_for(url)
    try:
        run_detection(store, engine, load_rules(rules), codes=[CODE, "COMP_LATE_PAYMENT"])
    finally:
        store.close()
        engine.dispose()


def test_notes_are_recorded_with_the_run_and_read_back(store_url: str, tmp_path: Path) -> None:
    _load(store_url, tmp_path)
    engine = engine_for(store_url)
    try:
        _detect(store_url, None)  # the defaults: no certification amount to compare with
        notes = run_notes(Views(engine))
        assert notes.guards == {}
        [note] = notes.not_checked[CODE]
        assert note["key"] == "policy.certification_subsidy" and note["count"] == 60

        _detect(store_url, rules_file(tmp_path, "200.00"))  # set too low for this city
        notes = run_notes(Views(engine))
        assert notes.not_checked == {}  # the latest run of the rule checked everything
        assert notes.guards[CODE]["flagged"] == 60
        frame = current_findings(Views(engine))
        assert len(frame) == 60 and frame["guard"].notna().all()
        record = as_records(frame.iloc[:1])[0]
        assert "flagged 100 % of certification claims" in record["guard"]
        assert "当地标准可能与规则文件不同" in record["guard"]
        report = fund_report(Views(engine))
        assert list(report.warnings["code"]) == [CODE]
        assert report.attribution["guard"].notna().all()

        _detect(store_url, rules_file(tmp_path, CITY_AMOUNT))  # the city's own amount
        notes = run_notes(Views(engine))
        assert notes.guards == {} and notes.not_checked == {}
        frame = current_findings(Views(engine))
        assert len(frame) == 10 and frame["guard"].isna().all()
        assert fund_report(Views(engine)).warnings.empty
    finally:
        engine.dispose()


@pytest.mark.e2e
def test_detect_findings_and_the_report_say_it(sqlite_url: str, tmp_path: Path,
                                               cli: Cli) -> None:
    _load(sqlite_url, tmp_path)
    plain = cli("detect", "--db", sqlite_url)
    assert plain.returncode == 0, plain.stderr
    assert "Not checked 未检查" in plain.stdout
    assert "→ set policy.certification_subsidy" in plain.stdout
    assert "请设置 policy.certification_subsidy" in plain.stdout

    mis_set = cli("detect", "--db", sqlite_url, "--rules", str(rules_file(tmp_path, "200.00")))
    assert mis_set.returncode == 0, mis_set.stderr
    assert mis_set.stdout.count("flagged 100 % of certification claims (60 of 60)") == 1
    assert "[rule doubted 规则存疑]" in mis_set.stdout

    listed = cli("findings", "--db", sqlite_url)  # later, without detecting again
    assert "Warning 警告" in listed.stdout and "(60 of 60)" in listed.stdout
    other = cli("findings", "--db", sqlite_url, "--category", "compliance")
    assert other.returncode == 0 and "Warning 警告" not in other.stdout
    records = json_of(cli("findings", "--db", sqlite_url, "--json"))
    assert len(records) == 60 and all("flagged 100 %" in r["guard"] for r in records)
    lines = cli("findings", "--db", sqlite_url, "--format", "jsonl").stdout.splitlines()
    assert all(json.loads(line)["guard"] for line in lines) and len(lines) == 60

    html = tmp_path / "funds.html"
    assert cli("report", "funds", "--db", sqlite_url, "--out", str(html)).returncode == 0
    text = html.read_text(encoding="utf-8")
    assert 'class="warn"' in text and "flagged 100 % of certification claims" in text
    xlsx = tmp_path / "funds.xlsx"
    assert cli("report", "funds", "--db", sqlite_url, "--out", str(xlsx)).returncode == 0
    sheet = openpyxl.load_workbook(xlsx)[SHEETS["warnings"]]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert CODE in cells and any("(60 of 60)" in c for c in cells)
