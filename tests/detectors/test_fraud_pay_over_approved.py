"""FRAUD_PAY_OVER_APPROVED: paid more than approved; exact instalments stay silent."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_pay_duplicate as dup
from detectors import fraud_pay_over_approved as d
from tests.detectors.city import TinyCity


def city() -> TinyCity:
    c = TinyCity()
    c.institution()
    p = c.person()
    for n in range(1, 5):
        c.claim(f"CL{n}", [(p, "4000.00", None)])
    c.review("CL1", "4000.00")
    c.pay("P1a", "CL1", "2500.00")  # instalments adding up to the approved amount
    c.pay("P1b", "CL1", "1500.00", on="2023-05-15")
    c.review("CL2", "3000.00", decision="partial")
    c.pay("P2a", "CL2", "2000.00")  # 3500 against 3000 approved
    c.pay("P2b", "CL2", "1500.00", on="2023-05-15")
    c.review("CL3", "4000.00")
    c.pay("P3a", "CL3", "4000.00")  # paid twice: the duplicate rule's
    c.pay("P3b", "CL3", "4000.00", on="2023-05-15")
    c.review("CL4", "4000.00")
    c.pay("P4", "CL4", "4500.00")  # overpaid, then recovered
    c.add("PaymentRecovered", "2023-05-20T10:00:00+08:00",
          {"payment_id": "P4", "amount": "500.00", "reason": "overpaid"})
    return c


def test_fires_on_overpayment_not_on_instalments_or_recovered(tmp_path: Path) -> None:
    frames = city().frames(tmp_path)
    found = d.detect(frames, d.Params())
    assert [f.subject_id for f in found] == ["CL2"]
    f = found[0]
    assert f.amount_at_risk_fen == 50000 and f.payment_ids == ("P2a", "P2b")
    assert "3000.00" in f.explanation_en and "3500.00" in f.explanation_zh
    assert f.observed["approved_fen"] == 300000 and f.observed["net_paid_fen"] == 350000
    # The double payment is reported once, as a duplicate.
    assert [f.subject_id for f in dup.detect(frames, dup.Params())] == ["CL3"]
