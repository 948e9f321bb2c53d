"""FRAUD_SPOT_CHECK_GAP fires when the inspector counts far fewer people, not one or two fewer."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_spot_check_gap as d
from tests.detectors.city import TinyCity, ts


def spot(c: TinyCity, cid: str, day: str, seen: int) -> None:
    c.add("SpotCheckPerformed", ts(day, 10, 30),
          {"class_id": cid, "inspector": "张检查", "headcount_observed": seen})


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution()
    c.klass("C1")
    c.klass("C2", start="2023-04-03")
    p1 = [c.person(born=f"19{70 + i}-0{1 + i % 9}-1{i % 9}") for i in range(10)]
    p2 = [c.person(born=f"19{80 + i}-0{1 + i % 9}-2{i % 9}") for i in range(10)]
    c.train("C1", p1)
    c.train("C2", p2)
    spot(c, "C1", c.class_days("C1")[1], 4)  # 4 seen, 10 checked in
    spot(c, "C2", c.class_days("C2")[1], 8)  # 2 short: someone stepped out
    c.claim("CL1", [(p, "1000.00", 10) for p in p1], cid="C1")
    c.claim("CL2", [(p, "1000.00", 10) for p in p2], cid="C2", on="2023-04-20")
    return c, p1


def test_fires_on_a_large_gap_only(tmp_path: Path) -> None:
    c, p1 = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [(f.subject_type, f.subject_id) for f in findings] == [("class", "C1")]
    f = findings[0]
    assert f.person_ids == tuple(sorted(p1)) and f.claim_ids == ("CL1",)
    assert f.institution_ids == ("I1",)
    assert f.amount_at_risk_fen == 600000  # 6 of 10 missing, of 10,000 yuan claimed
    assert "counted 4 people but 10 were checked in, 6 missing (40%" in f.explanation_en
    assert "实到 4 人" in f.explanation_zh and "签到记录 10 人" in f.explanation_zh
    assert f.observed["date"] == "2023-03-07" and f.observed["gap"] == 6
    assert len(f.evidence_positions) >= 12  # the spot check, 10 check-ins, the claim


def test_thresholds_come_from_the_rules(tmp_path: Path) -> None:
    from decimal import Decimal

    c, _ = city()
    views = c.frames(tmp_path)
    assert [f.subject_id for f in d.detect(views, d.Params(min_gap=2,
                                                           max_observed_ratio=Decimal("0.9")))] \
        == ["C1", "C2"]
    assert d.detect(views, d.Params(min_gap=7)) == []
