"""FRAUD_FAKE_EMPLOYMENT: outcome employment at a linked employer, uninsured or under-paid."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from detectors import fraud_fake_employment as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution(legal_rep="LR-BOSS", phone="0358-111")
    c.employer("E1")
    c.employer("E2", legal_rep="LR-BOSS")  # the institution's own boss
    c.employer("E3", phone=" 0358-111")  # the institution's phone
    ids = {k: c.person(born=f"198{i}-02-0{i + 1}") for i, k in enumerate("abcdefg")}
    c.klass("C1", mode="order", employer="E1")
    c.train("C1", list(ids.values()))
    c.claim("CL1", [(p, "1500.00", 10) for p in ids.values()], cid="C1")
    c.employ(ids["a"], "E2")
    c.employ(ids["b"], "E1", insured=False)
    c.employ(ids["c"], "E1", income="1500.00")
    c.employ(ids["d"], "E1")  # real
    c.employ(ids["e"], "E2", start="2021-06-01")  # a job held before the class: not an outcome
    c.employ(ids["f"], "E1", income="1980.00")  # exactly the minimum: fine
    c.employ(ids["g"], "E3", income="1000.00")
    return c, ids


LOCAL = d.Params(local_minimum_income=Decimal("1980.00"))  # the city's minimum, set by a user


def test_fires_on_fake_outcomes_only(tmp_path: Path) -> None:
    c, ids = city()
    found = d.detect(c.frames(tmp_path), LOCAL)
    by = {f.subject_id: f for f in found}
    assert sorted(by) == sorted([ids["a"], ids["b"], ids["c"], ids["g"]])
    a = by[ids["a"]]
    assert a.institution_ids == ("I1",) and a.class_ids == ("C1",) and a.claim_ids == ("CL1",)
    assert a.amount_at_risk_fen == 150000
    assert "E2" in a.explanation_en and "legal representative" in a.explanation_en
    assert a.observed["jobs"][0]["shared"] == ["legal_rep_id"]
    assert "未缴社会保险" in by[ids["b"]].explanation_zh
    assert "1500.00" in by[ids["c"]].explanation_en and "1980.00" in by[ids["c"]].explanation_en
    g = by[ids["g"]]
    assert "phone" in g.explanation_en and "1000.00" in g.explanation_en


def test_unset_minimum_income_compares_no_income_and_says_so(tmp_path: Path) -> None:
    c, ids = city()
    frames = c.frames(tmp_path)
    found = {f.subject_id for f in d.detect(frames, d.Params())}
    assert found == {ids["a"], ids["b"], ids["g"]}  # linked or uninsured: c's wage unjudged
    [note] = d.unchecked(frames, d.Params())
    assert note.key == "local_minimum_income" and note.count == 6  # e's job predates C1
    assert d.unchecked(frames, LOCAL) == []


def test_minimum_income_comes_from_the_policy(tmp_path: Path) -> None:
    c, ids = city()
    found = d.detect(c.frames(tmp_path), d.Params(local_minimum_income=Decimal("1400.00")))
    assert ids["c"] not in {f.subject_id for f in found}
