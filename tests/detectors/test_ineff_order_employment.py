"""INEFF_ORDER_EMPLOYMENT fires on a paid order class below 80% employment, not at 80%."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from detectors import ineff_order_employment as d
from tests.detectors.city import TinyCity, ts


def city() -> tuple[TinyCity, dict[str, list[str]]]:
    c = TinyCity()
    c.institution()
    c.employer("E1")
    groups: dict[str, list[str]] = {}
    n = 0
    for cid, mode, start in (("ORDER", "order", "2023-03-06"), ("PROJECT", "project",
                                                                  "2023-04-03"),
                             ("INCL", "inclusive", "2023-05-08"),
                             ("UNPAID", "order", "2023-06-05")):
        c.klass(cid, mode=mode, start=start, days=10, employer="E1")
        people = []
        for _ in range(6 if cid == "ORDER" else 5):
            n += 1
            people.append(c.person(born=f"19{70 + n}-0{1 + n % 9}-1{n % 9}"))
        c.train(cid, people)
        groups[cid] = people
    order = groups["ORDER"]  # class ends 2023-03-15
    c.add("TraineeWithdrew", ts("2023-03-08"), {"class_id": "ORDER", "person_id": order[5]})
    for pid in order[:3]:
        c.employ(pid, start="2023-04-01")  # employed after the class: 3
    c.employ(order[3], start="2022-12-01")  # already employed before: not counted
    c.employ(order[4], start="2023-12-20")  # beyond the 180-day window: not counted
    c.employ(order[5], start="2023-04-01")  # withdrew: neither counted nor in the base
    for pid in groups["PROJECT"][:4]:  # exactly 4 of 5 = 80%
        c.employ(pid, start="2023-04-13")
    c.employ(groups["UNPAID"][0], start="2023-06-20")
    for k, cid in enumerate(groups, 1):
        people = groups[cid][:5]
        c.claim(f"CL{k}", [(p, "1500.00", 10) for p in people], cid=cid,
                on=f"2023-0{k + 2}-25")
        if cid != "UNPAID":
            c.review(f"CL{k}", "7500.00", on=f"2023-0{k + 3}-01")
            c.pay(f"PAY{k}a", f"CL{k}", "5000.00", on=f"2023-0{k + 3}-10")
            c.pay(f"PAY{k}b", f"CL{k}", "2500.00", on=f"2023-0{k + 3}-20")
    return c, groups


def test_fires_below_the_threshold(tmp_path: Path) -> None:
    c, groups = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == ["ORDER"]
    f = findings[0]
    assert f.subject_type == "class" and f.institution_ids == ("I1",)
    assert f.claim_ids == ("CL1",) and f.payment_ids == ("PAY1a", "PAY1b")
    assert f.amount_at_risk_fen == 750000  # both instalments
    assert f.person_ids == tuple(sorted(groups["ORDER"][:5]))
    assert f.observed["employed"] == 3 and f.observed["trainees"] == 5
    assert "3 of 5 trainees (60%)" in f.explanation_en and "3/5" in f.explanation_zh
    assert "7500.00" in f.explanation_en


def test_exactly_eighty_percent_other_modes_and_unpaid_stay_silent(tmp_path: Path) -> None:
    c, _ = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}
    assert not found & {"PROJECT", "INCL", "UNPAID"}


def test_threshold_comes_from_the_rules(tmp_path: Path) -> None:
    c, _ = city()
    found = d.detect(c.frames(tmp_path), d.Params(order_min_employment=Decimal("0.90")))
    assert sorted(f.subject_id for f in found) == ["ORDER", "PROJECT"]
    wide = d.detect(c.frames(tmp_path), d.Params(employment_window_days=365))
    assert wide == []  # order[4] counts: 4 of 5
