"""DUP_OVER_ANNUAL_CAP fires on the fourth subsidy in a year, not on three plus one next year."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from detectors import dup_over_annual_cap as d
from detectors.rules import load_rules
from tests.detectors.city import TinyCity

OCCUPATIONS = ("4-10-01-05", "4-03-02-01", "6-31-01-03", "4-01-06-01")


def city() -> tuple[TinyCity, str, str, dict[str, str]]:
    c = TinyCity()
    c.institution(occupations=OCCUPATIONS)
    many, ok = c.person(), c.person(born="1984-04-04")
    # a fourth training whose claim was rejected yet paid, or approved and never paid
    fourth = {k: c.person(born=f"198{i}-06-0{i + 1}")
              for i, k in enumerate(("paid_anyway", "unpaid"))}
    both = list(fourth.values())
    plan = [  # class, start, occupation, level, trainees
        ("C1", "2023-03-06", OCCUPATIONS[0], 5, [many, *both]),
        ("C2", "2023-05-08", OCCUPATIONS[1], 5, [many, *both]),
        ("C3", "2023-07-03", OCCUPATIONS[2], 5, [many, *both]),
        ("C4", "2023-09-04", OCCUPATIONS[3], 5, [many, ok]),  # many's 4th in 2023
        ("C5", "2023-04-17", OCCUPATIONS[0], 5, [ok]),
        ("C6", "2023-05-22", OCCUPATIONS[1], 5, [ok]),
        # ok's 4th class starts in December but ends in January: it counts for 2024.
        ("C7", "2023-12-28", OCCUPATIONS[0], 4, [ok]),
        ("C8", "2023-09-04", OCCUPATIONS[3], 5, both),
    ]
    for cid, start, occ, level, people in plan:
        c.klass(cid, start=start, days=8, occupation=occ, level=level)
        c.train(cid, people)
        claimed = "2024-01-10" if cid == "C7" else f"2023-{int(start[5:7]) + 1:02d}-05"
        if cid == "C8":  # one claim each: their reviews and payments differ
            c.claim("CL8", [(fourth["paid_anyway"], "500.00", 5)], cid=cid, on=claimed)
            c.settle("CL8", "500.00", decision="rejected", on="2023-10-10")
            c.claim("CL9", [(fourth["unpaid"], "500.00", 5)], cid=cid, on=claimed)
            c.settle("CL9", "500.00", paid=False, on="2023-10-10")
            continue
        c.claim(f"CL{cid[1:]}", [(p, "500.00", 5) for p in people], cid=cid, on=claimed)
        c.settle(f"CL{cid[1:]}", f"{500 * len(people)}.00",
                 on=(date.fromisoformat(claimed) + timedelta(days=5)).isoformat())
    return c, many, ok, fourth


def test_fires_beyond_the_cap(tmp_path: Path) -> None:
    c, many, _ok, fourth = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert sorted(findings) == sorted([many, fourth["paid_anyway"]])
    f = findings[many]
    assert f.amount_at_risk_fen == 50000
    assert f.class_ids == ("C1", "C2", "C3", "C4")
    assert f.claim_ids == ("CL1", "CL2", "CL3", "CL4")
    assert f.observed["beyond_cap"] == ["C4"] and f.observed["year"] == 2023
    assert "4 training subsidies in 2023" in f.explanation_en and "cap of 3" in f.explanation_en
    assert "500.00" in f.explanation_zh


def test_class_ending_next_year_counts_next_year(tmp_path: Path) -> None:
    c, _many, ok, _fourth = city()
    assert ok not in {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}


def test_a_subsidy_is_a_training_paid(tmp_path: Path) -> None:
    """Rejected and paid anyway counts towards the cap; approved and never paid does not."""
    c, _many, _ok, fourth = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    anyway = findings[fourth["paid_anyway"]]
    assert anyway.observed["beyond_cap"] == ["C8"] and anyway.claim_ids[-1] == "CL8"
    assert anyway.amount_at_risk_fen == 50000
    assert fourth["unpaid"] not in findings


def test_cap_comes_from_the_policy(tmp_path: Path) -> None:
    over = tmp_path / "rules.toml"
    over.write_text("[policy]\nmax_trainings_per_year = 4\n")
    params = load_rules(over).params(d.CODE, d.Params)
    assert params.max_trainings_per_year == 4
    c, _many, _ok, _fourth = city()
    assert d.detect(c.frames(tmp_path), params) == []
