"""The read commands through the CLI: project, ledger, timeline, person, institution, plan,
detect and findings — with --json, --as-of and masking — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.e2e.conftest import Cli, json_of
from tests.projections import scenario


@pytest.fixture
def loaded(store_url: str, tmp_path: Path, cli: Cli) -> str:
    path = tmp_path / "scenario.jsonl"
    path.write_bytes(b"\n".join(scenario.lines()) + b"\n")
    proc = cli("ingest", str(path), "--db", store_url, "--json")
    assert proc.returncode == 0, proc.stderr
    return store_url


def test_project_then_nothing_new(loaded: str, cli: Cli) -> None:
    first = json_of(cli("project", "--db", loaded, "--json"))
    assert first["applied"] == len(scenario.events())
    again = json_of(cli("project", "--db", loaded, "--json"))
    assert again["applied"] == 0
    rebuilt = json_of(cli("project", "--db", loaded, "--rebuild", "--json"))
    assert rebuilt["rebuilt"] and rebuilt["applied"] == len(scenario.events())


def test_ledger_json_reconciles(loaded: str, cli: Cli) -> None:
    rows = json_of(cli("ledger", "--db", loaded, "--json"))
    keys = {"county", "program", "year", "allocated", "claimed", "approved", "paid",
            "recovered", "remaining", "paid_late"}
    assert all(keys <= set(r) for r in rows)
    paid = sum(Decimal(r["paid"]) for r in rows)
    expected = sum(Decimal(str(e["data"]["amount"])) for e in scenario.events()
                   if e["type"] == "SubsidyPaid")
    assert paid == expected and all(isinstance(r["paid"], str) for r in rows)
    only_2024 = json_of(cli("ledger", "--db", loaded, "--year", "2024", "--json"))
    assert [r["year"] for r in only_2024] == [2024]
    early = json_of(cli("ledger", "--db", loaded, "--json",
                        "--as-of", "2023-04-01T00:00+08:00"))
    assert sum(Decimal(r["paid"]) for r in early) == 0  # no payment recorded by then


def test_timeline_masks_unless_unmasked(loaded: str, cli: Cli) -> None:
    text = cli("timeline", "person", scenario.P1, "--db", loaded)
    assert text.returncode == 0 and scenario.P1 not in text.stdout
    assert "PersonRegistered" in text.stdout and "142301********123X" in text.stdout
    plain = json_of(cli("timeline", "person", scenario.P1, "--db", loaded, "--unmask",
                        "--json"))
    assert plain[0]["data"]["person_id"] == scenario.P1
    first_two = json_of(cli("timeline", "person", scenario.P1, "--db", loaded, "--json",
                            "--as-of-position", "8"))
    assert [e["type"] for e in first_two] == ["PersonRegistered", "PersonUpdated"]


def test_person_and_institution_reports(loaded: str, cli: Cli) -> None:
    person = json_of(cli("person", scenario.P1, "--db", loaded, "--json"))
    assert person["person"]["person_id"] != scenario.P1 and person["person"]["name"] == "王*"
    full = json_of(cli("person", scenario.P1, "--db", loaded, "--json", "--unmask"))
    assert full["person"]["person_id"] == scenario.P1 and full["person"]["name"] == "王伟"
    assert [t["class_id"] for t in person["trainings"]] == ["C1"]
    assert person["subsidy_total"] == "300.00"
    inst = json_of(cli("institution", "I1", "--db", loaded, "--json"))
    assert inst["classes"] == 1 and inst["received"] == "449.95"
    assert inst["pass_rate"] == 1.0 and inst["employment_rate"] == 0.5


def test_plan_and_dispatch(loaded: str, cli: Cli, tmp_path: Path) -> None:
    targets = tmp_path / "t.toml"
    targets.write_text('year = 2023\n[counties."平遥县"]\ntrainees = 4\nenterprise_trainees = 0\n'
                       'certificates = 2\nhigh_skill = 0\n', encoding="utf-8")
    rows = json_of(cli("plan", "--db", loaded, "--targets", str(targets), "--json"))
    assert rows[0]["county"] == "平遥县" and rows[0]["trainees"] == 2
    assert rows[0]["certificates"] == 1 and rows[0]["rank"] == 1
    out = tmp_path / "dispatch.xlsx"
    proc = cli("plan", "--db", loaded, "--targets", str(targets), "--dispatch", str(out),
               "--on", "2023-03-31")
    assert proc.returncode == 0, proc.stderr
    sheet = openpyxl.load_workbook(out).active
    assert sheet.max_row == 2
    bad = cli("plan", "--db", loaded, "--targets", str(tmp_path / "missing.toml"))
    assert bad.returncode != 0 and "targets" in bad.stderr


def test_detect_and_findings(loaded: str, cli: Cli, tmp_path: Path) -> None:
    first = cli("detect", "--db", loaded, "--format", "jsonl")
    assert first.returncode == 0, first.stderr
    listed = json_of(cli("findings", "--db", loaded, "--json"))
    for f in listed:
        assert {"finding_id", "code", "category", "severity", "explanation", "subject_type",
                "subject_id", "person_ids", "amount_at_risk", "evidence"} <= set(f)
        assert all("*" in p for p in f["person_ids"])
    rerun = cli("detect", "--db", loaded)
    assert rerun.returncode == 0 and "0 new" in rerun.stdout
    assert json_of(cli("findings", "--db", loaded, "--new", "--json")) == []


def test_findings_export_formats(tmp_path: Path, cli: Cli) -> None:
    """csv and xlsx exports hold the same findings as --json, ID numbers masked."""
    from tests.detectors.city import TinyCity

    c = TinyCity()
    c.institution()
    people = [c.person(born=f"1980-03-1{i}") for i in range(3)]
    c.klass("C1", days=10)
    c.train("C1", people, attend_days=3)  # 30 % attendance, claimed in full
    c.claim("CL1", [(p, "1000.00", 10) for p in people], cid="C1")
    path = tmp_path / "city.jsonl"
    path.write_text("".join(__import__("json").dumps(e, ensure_ascii=False) + "\n"
                            for e in c.events), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'f.db'}"
    assert cli("ingest", str(path), "--db", url).returncode == 0
    xlsx, csv = tmp_path / "f.xlsx", tmp_path / "f.csv"
    assert cli("detect", "--db", url, "--format", "xlsx", "--out", str(xlsx)).returncode == 0
    listed = json_of(cli("findings", "--db", url, "--json"))
    assert len(listed) >= 3
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.max_row == len(listed) + 1
    assert cli("findings", "--db", url, "--format", "csv", "--out", str(csv)).returncode == 0
    text = csv.read_text(encoding="utf-8-sig")
    assert all(p not in text for p in people) and "INEFF_LOW_ATTENDANCE" in text
