"""``skillaudit credit …`` as a user runs it: list, show, history, repair, publish."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.credit.cities import city_with_two_findings, write_jsonl
from tests.e2e.conftest import Cli, json_of

pytestmark = pytest.mark.e2e


def ingested(cli: Cli, url: str, tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    proc = cli("ingest", str(write_jsonl(city, tmp_path / "city.jsonl")), "--db", url)
    assert proc.returncode == 0, proc.stderr


def test_list_json_records_each_rating_once(cli: Cli, store_url: str, tmp_path: Path) -> None:
    ingested(cli, store_url, tmp_path)
    first = json_of(cli("credit", "list", "--db", store_url, "--json"))
    assert {"institution_id", "score", "grade", "reasons"} <= set(first[0])
    by_id = {r["subject_id"]: r for r in first}
    assert by_id["I2"]["institution_id"] == "I2" and by_id["A1"]["institution_id"] is None
    assert (by_id["I1"]["score"], by_id["I1"]["grade"], by_id["I1"]["reasons"]) == (100, "A", [])
    assert (by_id["I2"]["score"], by_id["I2"]["grade"]) == (80, "B")
    assert by_id["I2"]["reasons"][0]["finding_ids"] == ["F1", "F2"]
    stats = json_of(cli("stats", "--db", store_url, "--json"))
    assert stats["by_type"]["CreditRated"] == 3
    again = json_of(cli("credit", "list", "--db", store_url, "--json", "--type", "institution"))
    assert [r["subject_id"] for r in again] == ["I1", "I2"]
    assert json_of(cli("stats", "--db", store_url, "--json"))["by_type"]["CreditRated"] == 3


def test_show_history_repair_and_publish(cli: Cli, sqlite_url: str, tmp_path: Path) -> None:
    ingested(cli, sqlite_url, tmp_path)
    shown = json_of(cli("credit", "show", "I2", "--db", sqlite_url, "--json"))
    assert (shown["score"], shown["grade"]) == (80, "B")
    assert shown["stored"]["reproduced"] is True
    rated_at = shown["stored"]["as_of_position"]

    table = cli("credit", "list", "--db", sqlite_url)
    assert table.returncode == 0 and "基本守信" in table.stdout and "I2 培训学校" in table.stdout

    # the findings were raised on 2023-05-01: long past the 180 clean days
    repaired = cli("credit", "repair", "I2", "--db", sqlite_url, "--note", "已整改并退回资金",
                   "--by", "检查员甲", "--json")
    assert repaired.returncode == 0, repaired.stderr
    body = json_of(repaired)
    assert (body["repair"]["from_grade"], body["repair"]["to_grade"]) == ("B", "A")
    assert (body["rating"]["grade"], body["rating"]["score"]) == ("A", 80)
    twice = cli("credit", "repair", "I2", "--db", sqlite_url, "--note", "x", "--by", "y")
    assert twice.returncode == 1 and "already repaired" in twice.stderr
    unknown = cli("credit", "show", "NOPE", "--db", sqlite_url)
    assert unknown.returncode == 1 and "credit list" in unknown.stderr

    events = json_of(cli("credit", "history", "I2", "--db", sqlite_url, "--json"))
    assert [(e["event"], e.get("grade") or e["to_grade"]) for e in events] == [
        ("CreditRated", "B"), ("CreditRepaired", "A"), ("CreditRated", "A")]

    past = json_of(cli("credit", "show", "I2", "--db", sqlite_url, "--json",
                       "--as-of-position", str(rated_at)))
    assert (past["grade"], past["as_of_position"]) == ("B", rated_at)
    assert past["stored"]["reproduced"] is True

    out = tmp_path / "公示.xlsx"
    published = cli("credit", "publish", "--db", sqlite_url, "--out", str(out))
    assert published.returncode == 0, published.stderr
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "名称 name" and len(rows) == 4
    assert any(r[2] == "I2" and r[4].startswith("A ") for r in rows[1:])
