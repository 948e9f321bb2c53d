"""FRAUD_PAY_WITHOUT_APPROVAL: payments with no approving review before them."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_pay_without_approval as d
from tests.detectors.city import TinyCity


def city() -> TinyCity:
    c = TinyCity()
    c.institution()
    p = c.person()
    for n in range(1, 7):
        c.claim(f"CL{n}", [(p, "500.00", 5)])
    c.review("CL1", "500.00")  # approved before payment: fine
    c.pay("PAY1", "CL1", "500.00")
    c.pay("PAY2", "CL2", "500.00")  # never reviewed
    c.pay("PAY3", "CL3", "500.00", on="2023-04-01")  # approved only afterwards
    c.review("CL3", "500.00", on="2023-04-05")
    c.review("CL4", "0.00", decision="rejected")
    c.pay("PAY4", "CL4", "500.00")
    c.pay("PAY5", "NO-SUCH-CLAIM", "300.00")
    c.review("CL6", "400.00", decision="partial")  # partly approved: fine
    c.pay("PAY6", "CL6", "400.00")
    return c


def test_fires_on_unapproved_payments_only(tmp_path: Path) -> None:
    found = d.detect(city().frames(tmp_path), d.Params())
    by = {f.subject_id: f for f in found}
    assert sorted(by) == ["PAY2", "PAY3", "PAY4", "PAY5"]
    assert by["PAY2"].observed["reason"] == "not_reviewed"
    assert by["PAY3"].observed["reason"] == "paid_before_review"
    assert "2023-04-05" in by["PAY3"].explanation_en
    assert by["PAY4"].observed["reason"] == "rejected" and "驳回" in by["PAY4"].explanation_zh
    assert by["PAY5"].observed["reason"] == "no_claim"
    assert by["PAY5"].amount_at_risk_fen == 30000 and "300.00" in by["PAY5"].explanation_en
    assert by["PAY2"].amount_at_risk_fen == 50000
    assert by["PAY2"].claim_ids == ("CL2",) and by["PAY2"].payment_ids == ("PAY2",)
    assert by["PAY2"].institution_ids == ("I1",)
    assert len(by["PAY3"].evidence_positions) == 2
