"""COMP_LATE_PAYMENT: year Y's subsidy paid after 31 March of Y+1."""

from __future__ import annotations

from pathlib import Path

from detectors import comp_late_payment as d
from tests.detectors.city import TinyCity


def city() -> TinyCity:
    c = TinyCity()
    c.institution()
    p = c.person()
    for n, (claimed, paid) in enumerate([("2023-05-10", "2024-03-31"),  # on the last day
                                         ("2023-05-10", "2024-04-02"),  # two days late
                                         ("2023-12-20", "2024-02-01")], 1):  # next year: fine
        c.claim(f"CL{n}", [(p, "1000.00", None)], on=claimed)
        c.review(f"CL{n}", "1000.00", on=claimed)
        c.pay(f"P{n}", f"CL{n}", "1000.00", on=paid)
    return c


def test_fires_after_the_deadline_only(tmp_path: Path) -> None:
    frames = city().frames(tmp_path)
    found = d.detect(frames, d.Params())
    assert [f.subject_id for f in found] == ["P2"]
    f = found[0]
    assert f.observed["days_late"] == 2 and f.observed["deadline"] == "2024-03-31"
    assert f.claim_ids == ("CL2",) and f.institution_ids == ("I1",)
    assert f.amount_at_risk_fen == 100000
    assert "2024-04-02" in f.explanation_en and "2 day(s)" in f.explanation_en
    assert "2024-03-31" in f.explanation_zh
    # The deadline is policy: a 15 April deadline makes it on time.
    assert d.detect(frames, d.Params(payment_deadline="04-15")) == []
