"""INEFF_LOW_ATTENDANCE fires on a claimed trainee who attended too little, not on 80%."""

from __future__ import annotations

from pathlib import Path

from detectors import ineff_low_attendance as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, str, str]:
    c = TinyCity()
    c.institution()
    low, ok = c.person(), c.person(born="1985-02-03")
    c.klass("C1", days=10)
    c.enrol("C1", low)
    c.enrol("C1", ok)
    c.sessions("C1")
    days = c.class_days("C1")
    c.attend("C1", low, days[:6])  # 48 of 80 hours: 60 %
    c.attend("C1", ok, days[:8])  # exactly 80 %: the look-alike
    c.complete("C1")
    c.claim("CL1", [(low, "600.00", 6), (ok, "800.00", 8)], cid="C1")
    return c, low, ok


def test_fires_below_the_threshold_and_not_at_it(tmp_path: Path) -> None:
    c, low, _ok = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == [low]
    f = findings[0]
    assert f.amount_at_risk_fen == 60000
    assert f.claim_ids == ("CL1",) and f.class_ids == ("C1",) and f.institution_ids == ("I1",)
    assert "48/80" in f.explanation_zh and "60%" in f.explanation_en
    assert len(f.evidence_positions) >= 2 + 12  # claim, class, 6 days in and out


def test_threshold_comes_from_the_rules(tmp_path: Path) -> None:
    from decimal import Decimal

    c, _low, _ok = city()
    findings = d.detect(c.frames(tmp_path), d.Params(min_attended_ratio=Decimal("0.5")))
    assert findings == []
