"""COMP_OVER_BUDGET: payments past a county × programme × year budget, net of recoveries."""

from __future__ import annotations

from pathlib import Path

from detectors import comp_over_budget as d
from tests.detectors.city import TinyCity, ts


def city() -> TinyCity:
    c = TinyCity()
    c.institution()
    p = c.person()
    c.budget(amount="5000.00")
    c.budget(program="enterprise_training", amount="10000.00")
    c.budget(program="vocational", amount="2000.00")
    c.budget(program="vocational", amount="1000.00")  # a supplementary allocation adds up
    for n, (program, amount, on) in enumerate([
            ("employment_subsidy", "3000.00", "2023-04-15"),
            ("employment_subsidy", "2500.00", "2023-05-15"),  # takes 2023 past 5000
            ("enterprise_training", "4000.00", "2023-04-15"),
            ("vocational", "3500.00", "2023-04-15"),  # 3500 - 500 recovered = 3000: at budget
            ("unbudgeted", "800.00", "2023-04-15")], 1):
        c.claim(f"CL{n}", [(p, amount, None)], program=program)
        c.review(f"CL{n}", amount)
        c.pay(f"P{n}", f"CL{n}", amount, program=program, on=on)
    c.add("PaymentRecovered", ts("2023-06-01"), {"payment_id": "P4", "amount": "500.00",
                                                 "reason": "overpaid"})
    return c


def test_fires_past_the_budget_only(tmp_path: Path) -> None:
    frames = city().frames(tmp_path)
    found = d.detect(frames, d.Params())
    assert [(f.subject_type, f.subject_id) for f in found] == [("county", "离石区")]
    f = found[0]
    assert f.amount_at_risk_fen == 50000 and f.payment_ids == ("P2",)
    assert f.claim_ids == ("CL2",) and f.institution_ids == ("I1",)
    assert f.observed["budget_fen"] == 500000 and f.observed["paid_fen"] == 550000
    assert "5000.00" in f.explanation_en and "5500.00" in f.explanation_zh
    assert "110%" in f.explanation_en
    # With no allocation meaning "no money", the unbudgeted programme is over too.
    strict = d.detect(frames, d.Params(missing_budget_is_zero=True))
    assert sorted(f.observed["program"] for f in strict) == ["employment_subsidy", "unbudgeted"]
