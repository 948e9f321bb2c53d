"""The public list (公示): names, credit codes, grades, scores, reasons; no personal data."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from credit.publish import write_public
from credit.service import rate
from tests.credit.cities import NAMES, city_with_two_findings, load, params

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")


def forbidden(city_events: list[dict], persons: list[str]) -> set[str]:
    """Every personal value the city holds: ID numbers, names, phones, bank accounts."""
    out = set(persons) | set(NAMES)
    for e in city_events:
        d = e["data"]
        if e["type"] in ("PersonRegistered", "InstitutionRegistered"):
            out |= {d["phone"], d["bank_account"]}
        if e["type"] == "InstitutionRegistered":
            out.add(d["legal_rep_id"])
    return out


def xlsx_text(path: Path) -> str:
    sheet = openpyxl.load_workbook(path).active
    cells = " | ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    with zipfile.ZipFile(path) as z:  # every XML part, not only the cells openpyxl reads
        raw = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return cells + " " + raw


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_public_list_has_grades_and_reasons_but_no_personal_data(
        sqlite_url: str, tmp_path: Path, suffix: str) -> None:
    city, persons = city_with_two_findings()
    engine = load(city, sqlite_url, tmp_path)
    position, ratings = rate(engine, params())
    out = write_public(ratings, position, tmp_path / f"public{suffix}")
    text = (out.read_text(encoding="utf-8-sig") if suffix == ".csv" else xlsx_text(out))
    for expected in ("I2 培训学校", "CCI2", "B 基本守信", "80", "FRAUD_PROXY_CHECKIN",
                     "I1 培训学校", "CCI1", "A 守信", "A1 评价中心"):
        assert expected in text
    leaked = {v for v in forbidden(city.events, persons) if v in text}
    assert not leaked, f"personal data in the public list: {leaked}"
    assert not ID_NUMBER.search(text) and not MOBILE.search(text)


def test_public_list_rows_are_ordered_by_grade_and_explain_deductions(
        sqlite_url: str, tmp_path: Path) -> None:
    import pandas as pd

    city, _ = city_with_two_findings()
    position, ratings = rate(load(city, sqlite_url, tmp_path), params())
    frame = pd.read_csv(write_public(ratings, position, tmp_path / "p.csv"),
                        encoding="utf-8-sig")
    assert list(frame["编号 id"]) == ["A1", "I1", "I2"]
    assert list(frame["信用分 score"]) == [100, 100, 80]
    reasons = dict(zip(frame["编号 id"], frame["主要原因 main reasons"], strict=True))
    assert reasons["I1"] == "无扣分事项 no deductions"
    assert "扣20分" in reasons["I2"] and "-20" in reasons["I2"]


def test_public_list_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        write_public([], 0, tmp_path / "p.pdf")
