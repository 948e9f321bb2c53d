"""FRAUD_PAY_DUPLICATE: a claim paid twice; equal instalments within the approval are fine."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_pay_duplicate as d
from tests.detectors.city import TinyCity


def city() -> TinyCity:
    c = TinyCity()
    c.institution()
    p = c.person()
    c.klass("C1")
    for n in range(1, 5):
        c.claim(f"CL{n}", [(p, "4000.00", None)], cid="C1")
    c.review("CL1", "4000.00")
    c.pay("P1a", "CL1", "2000.00")  # two equal instalments = approved: fine
    c.pay("P1b", "CL1", "2000.00", on="2023-05-15")
    c.review("CL2", "4000.00")
    c.pay("P2a", "CL2", "4000.00")  # the same amount paid again
    c.pay("P2b", "CL2", "4000.00", on="2023-06-15")
    c.review("CL3", "2000.00", decision="partial")
    c.pay("P3", "CL3", "1000.00")  # one payment id used by two payment events
    c.pay("P3", "CL3", "1000.00", on="2023-05-15")
    c.review("CL4", "4000.00")
    c.pay("P4a", "CL4", "3000.00")  # overpaid without a repeat: over-approved's case
    c.pay("P4b", "CL4", "2000.00", on="2023-05-15")
    return c


def test_fires_on_double_payment_and_reused_id(tmp_path: Path) -> None:
    found = d.detect(city().frames(tmp_path), d.Params())
    by = {f.subject_id: f for f in found}
    assert sorted(by) == ["CL2", "CL3"]
    f = by["CL2"]
    assert f.amount_at_risk_fen == 400000 and f.payment_ids == ("P2a", "P2b")
    assert f.class_ids == ("C1",) and f.institution_ids == ("I1",)
    assert "4000.00" in f.explanation_en and "8000.00" in f.explanation_en
    assert f.observed["repeated_amounts"] == ["4000.00"]
    g = by["CL3"]
    assert g.observed["reused_payment_ids"] == ["P3"] and g.amount_at_risk_fen == 100000
    assert "P3" in g.explanation_zh
