"""Plan completion, ranking and the biweekly dispatch table against a targets file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from projections.plan import Targets, TargetsError, completion, dispatch, write_table
from tests.detectors.city import TinyCity


def city() -> TinyCity:
    c = TinyCity()
    c.institution()
    c.agency()
    c.employer()
    a = [c.person(born=f"1980-01-{10 + i}") for i in range(4)]
    b = [c.person(born=f"1985-02-{10 + i}", county="文水县", region="141121") for i in range(2)]
    c.klass("C1", start="2023-03-06")
    c.train("C1", a)
    c.klass("C2", start="2023-06-05", mode="enterprise", employer="E1")
    c.train("C2", a[:1])  # the same person trained twice in a year counts once
    c.klass("C3", start="2023-06-12", county="文水县")
    c.train("C3", b)
    for pid in a[:3]:
        c.certify(pid, on="2023-04-02", level=5)
    c.certify(a[3], on="2023-06-20", level=3)  # high-skill
    c.certify(b[0], on="2023-06-21", level=4)
    return c


def targets(tmp_path: Path) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(
        'year = 2023\n\n[counties."离石区"]\ntrainees = 8\nenterprise_trainees = 2\n'
        'certificates = 4\nhigh_skill = 2\n\n[counties."文水县"]\ntrainees = 2\n'
        'enterprise_trainees = 0\ncertificates = 4\nhigh_skill = 1\n', encoding="utf-8")
    return path


def test_completion_counts_and_ranks(tmp_path: Path) -> None:
    views = city().frames(tmp_path)
    frame = completion(views, Targets.load(targets(tmp_path))).set_index("county")
    lishi = frame.loc["离石区"]
    assert (lishi["trainees"], lishi["enterprise_trainees"]) == (4, 1)
    assert (lishi["certificates"], lishi["high_skill"]) == (4, 1)
    assert lishi["trainees_rate"] == 0.5 and lishi["enterprise_share"] == 0.25
    wenshui = frame.loc["文水县"]
    assert (wenshui["trainees"], wenshui["certificates"], wenshui["high_skill"]) == (2, 1, 0)
    # overall = mean of trainees, certificates and high-skill rates
    assert lishi["overall_rate"] == pytest.approx((0.5 + 1.0 + 0.5) / 3, abs=1e-4)
    assert wenshui["overall_rate"] == pytest.approx((1.0 + 0.25 + 0.0) / 3, abs=1e-4)
    assert frame["rank"].to_dict() == {"离石区": 1, "文水县": 2}


def test_dispatch_table_counts_the_period_and_writes_csv_and_xlsx(tmp_path: Path) -> None:
    views = city().frames(tmp_path)
    table = dispatch(views, Targets.load(targets(tmp_path)), on="2023-06-25").set_index("county")
    # 2023-06-12 .. 06-25: C3's two trainees start; two certificates issued (06-20, 06-21)
    assert table.loc["文水县", "trainees_period"] == 2
    assert table.loc["离石区", "certificates_period"] == 1
    assert table.loc["离石区", "trainees"] == 4
    earlier = dispatch(views, Targets.load(targets(tmp_path)), on="2023-04-30")
    assert earlier.set_index("county").loc["离石区", "trainees"] == 4
    assert earlier.set_index("county").loc["离石区", "certificates"] == 3
    csv = write_table(table.reset_index(), tmp_path / "d.csv")
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert any(c.startswith("县(区、市)") for c in back.columns)
    xlsx = write_table(table.reset_index(), tmp_path / "d.xlsx")
    sheet = openpyxl.load_workbook(xlsx)["双周调度"]
    assert sheet.max_row == 3 and "本期新增培训" in " ".join(str(c.value) for c in sheet[1])


def test_targets_file_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('year = 2023\n[counties."离石区"]\ntrainees = -1\n', encoding="utf-8")
    with pytest.raises(TargetsError, match="trainees"):
        Targets.load(bad)
    bad.write_text('year = 2023\n[counties."离石区"]\ntrainess = 5\n', encoding="utf-8")
    with pytest.raises(TargetsError, match="trainess"):
        Targets.load(bad)
