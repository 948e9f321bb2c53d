"""Plan completion, ranking and the biweekly dispatch table against a targets file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from projections.plan import (
    RANKED,
    Targets,
    TargetsError,
    check_targets,
    completion,
    dispatch,
    write_table,
)
from tests.detectors.city import TinyCity
from tests.e2e.conftest import cli_command, cli_env


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


def write_targets(tmp_path: Path, counties: dict[str, dict[str, int]]) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(Targets(2023, counties).dump(), encoding="utf-8")
    return path


# 文水县 leads on the whole year (every target met) but has nothing yet on 2023-04-30,
# when 离石区 has 4 of 8 trainees and 3 of 4 certificates: the two snapshots rank apart
RANKS_APART = {"离石区": {"trainees": 8, "enterprise_trainees": 2, "certificates": 4,
                         "high_skill": 2},
               "文水县": {"trainees": 2, "enterprise_trainees": 0, "certificates": 1,
                         "high_skill": 0}}


def shown_rate(done: int, target: int) -> float | None:
    return done / target if target else None


def test_the_dispatch_table_is_one_snapshot_of_its_day(tmp_path: Path) -> None:
    views = city().frames(tmp_path)
    targets = Targets.load(write_targets(tmp_path, RANKS_APART))
    year_end = completion(views, targets).set_index("county")
    assert year_end.loc["文水县", "rank"] == 1  # ahead once the year is done
    table = dispatch(views, targets, on="2023-04-30").set_index("county")
    assert table.loc["离石区", ["trainees", "certificates", "high_skill"]].tolist() == [4, 3, 0]
    assert table.loc["文水县", ["trainees", "certificates", "high_skill"]].tolist() == [0, 0, 0]
    for county, row in table.iterrows():
        rates = [shown_rate(int(row[m]), int(row[f"{m}_target"])) for m in RANKED]
        parts = [r for r in rates if r is not None]
        assert row["overall_rate"] == pytest.approx(sum(parts) / len(parts), abs=1e-4), county
    assert table.loc["离石区", "overall_rate"] == pytest.approx((0.5 + 0.75 + 0.0) / 3, abs=1e-4)
    assert table.loc["文水县", "overall_rate"] == 0.0
    assert table["rank"].to_dict() == {"离石区": 1, "文水县": 2}


def test_the_plan_command_prints_and_writes_one_snapshot(tmp_path: Path) -> None:
    """``skillaudit plan --dispatch OUT --on DATE`` on a real SQLite file: each printed
    overall rate is the mean of the parts printed beside it, and so is the file's."""
    views = city().frames(tmp_path)
    path = write_targets(tmp_path, RANKS_APART)
    out = tmp_path / "dispatch.csv"
    proc = subprocess.run(cli_command("plan", "--db", str(views.engine.url), "--targets",
                                      str(path), "--dispatch", str(out), "--on", "2023-04-30"),
                          env=cli_env(), capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    heads = (r"rank 排名\s+county 县区\s+overall 综合\s+trained 培训\s+certificates 取证\s+"
             r"high-skill 高技能")
    assert re.search(heads, proc.stdout), proc.stdout  # the columns of the rows below
    pattern = (r"(\d+)\.\s+(\S+)\s+([\d.]+)%\s+(\d+)/(\d+)\s+(\d+)/(\d+)\s+(\d+)/(\d+)\n")
    printed = re.findall(pattern, proc.stdout)
    assert [(rank, county) for rank, county, *_ in printed] == [("1", "离石区"), ("2", "文水县")]
    for _, county, overall, *counts in printed:
        pairs = zip(counts[::2], counts[1::2], strict=True)
        parts = [r for d, t in pairs if (r := shown_rate(int(d), int(t))) is not None]
        assert float(overall) == pytest.approx(100 * sum(parts) / len(parts), abs=0.05), county
    written = pd.read_csv(out, encoding="utf-8-sig").set_index("县(区、市) county")
    for county, row in written.iterrows():
        parts = [row[f"{h} {m}_rate"] for m, h in (("trainees", "培训完成率"),
                                                    ("certificates", "取证完成率"),
                                                    ("high_skill", "高技能完成率"))]
        parts = [r for r in parts if not pd.isna(r)]
        assert row["综合完成率 overall_rate"] == pytest.approx(sum(parts) / len(parts),
                                                          abs=1e-4), county


def test_a_day_after_the_year_counts_only_that_year(tmp_path: Path) -> None:
    c = city()
    later = [c.person(born=f"1990-03-{10 + i}") for i in range(3)]
    c.klass("C4", start="2024-01-08")
    c.train("C4", later)
    c.certify(later[0], on="2024-01-20", level=3)
    views = c.frames(tmp_path)
    targets = Targets.load(write_targets(tmp_path, RANKS_APART))
    table = dispatch(views, targets, on="2024-02-01").set_index("county")
    assert table.loc["离石区", ["trainees", "certificates", "high_skill"]].tolist() == [4, 4, 1]
    assert table.loc["离石区", "trainees_period"] == 0  # the period lies after the year
    whole_year = completion(views, targets).set_index("county")
    assert table["overall_rate"].equals(whole_year["overall_rate"])


def test_target_counties_the_data_never_names_are_warned_about(tmp_path: Path) -> None:
    c = city()
    c.person(county="交城县", region="141122")  # a county with a person and no class
    views = c.frames(tmp_path)
    row = {"trainees": 1, "enterprise_trainees": 0, "certificates": 1, "high_skill": 0}
    targets = Targets.load(write_targets(tmp_path, {
        "离石区": row, "141102": row, "交城县": row, "不存在县": row}))
    warnings = check_targets(views, targets)
    assert [w.county for w in warnings] == ["141102", "不存在县"]
    assert all(w.known == ("交城县", "文水县", "离石区") for w in warnings)
    shown = str(warnings[0])
    assert "141102" in warnings[0].en and "141102" in warnings[0].zh
    assert "交城县, 文水县, 离石区" in warnings[0].en and "交城县、文水县、离石区" in warnings[0].zh
    assert warnings[0].en in shown and warnings[0].zh in shown
    # the rows themselves are still there, at 0 %
    frame = completion(views, targets).set_index("county")
    assert frame.loc["不存在县", "overall_rate"] == 0.0


def test_a_store_without_classes_or_persons_warns_about_every_target(tmp_path: Path) -> None:
    empty = TinyCity()
    empty.institution()
    views = empty.frames(tmp_path)
    warnings = check_targets(views, Targets.load(targets(tmp_path)))
    assert [w.county for w in warnings] == ["离石区", "文水县"]
    assert warnings[0].known == () and "none" in warnings[0].en
