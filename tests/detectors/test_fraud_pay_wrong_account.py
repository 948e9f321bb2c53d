"""FRAUD_PAY_WRONG_ACCOUNT: paid to an account that was not the claimant's at the time."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_pay_wrong_account as d
from tests.detectors.city import TinyCity, ts


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution()
    moved, proxy, late = (c.person(bank="6222-OLD-1"), c.person(bank="6222-OWN-2"),
                          c.person(bank="6222-OWN-3"))
    # Changed account before the payment: the new one is the claimant's.
    c.add("PersonUpdated", ts("2023-04-01"), {"person_id": moved, "bank_account": "6222-NEW-1"})
    for n, pid in enumerate((moved, proxy, late), 1):
        c.claim(f"CL{n}", [(pid, "300.00", None)], claimant_type="person", claimant=pid,
                kind="living")
        c.review(f"CL{n}", "300.00")
    c.pay("P1", "CL1", "300.00", account=" 6222-new-1")  # same account, other spelling
    c.pay("P2", "CL2", "300.00", account="ACC-I1")  # the institution's account
    c.pay("P3", "CL3", "300.00", account="6222-LATER-3")
    c.add("PersonUpdated", ts("2023-06-01"), {"person_id": late, "bank_account": "6222-LATER-3"})
    c.claim("CL4", [(moved, "1000.00", None)])
    c.review("CL4", "1000.00")
    c.pay("P4", "CL4", "1000.00", account="ACC-I1")  # institution paid to its own: fine
    c.claim("CL5", [(moved, "1000.00", None)])
    c.review("CL5", "1000.00")
    c.pay("P5", "CL5", "1000.00", account="6222-OWN-2")  # institution paid to a trainee
    return c, [moved, proxy, late]


def test_fires_on_foreign_accounts_not_on_a_prior_change(tmp_path: Path) -> None:
    c, (_moved, proxy, late) = city()
    found = d.detect(c.frames(tmp_path), d.Params())
    by = {f.subject_id: f for f in found}
    assert sorted(by) == ["P2", "P3", "P5"]
    f = by["P2"]
    assert f.amount_at_risk_fen == 30000 and f.person_ids == (proxy,)
    assert f.institution_ids == ("I1",) and f.observed["account_owner"] == "institution:I1"
    assert "ACC-I1" in f.explanation_en and "6222-OWN-2" in f.explanation_en
    g = by["P3"]
    assert g.observed["claimant_held_it_at_another_time"] is True
    assert g.person_ids == (late,)
    h = by["P5"]
    assert h.amount_at_risk_fen == 100000 and proxy in h.person_ids
    assert "ACC-I1" in h.explanation_zh
