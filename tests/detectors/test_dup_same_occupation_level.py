"""DUP_SAME_OCCUPATION_LEVEL fires on a second subsidy for the same occupation and level only."""

from __future__ import annotations

from pathlib import Path

from detectors import dup_same_occupation_level as d
from tests.detectors.city import TinyCity, ts


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution("I1")
    c.institution("I2", county="柳林县")
    who = {k: c.person(born=f"198{i}-0{i + 1}-0{i + 1}")
           for i, k in enumerate(("dup", "up", "left", "rejected", "paid_anyway", "unpaid",
                                  "recovered"))}
    again = ["dup", "left", "rejected", "paid_anyway", "unpaid", "recovered"]
    c.klass("C1", institution="I1", level=5, start="2023-03-06")
    c.klass("C2", institution="I2", level=5, start="2023-06-05")  # same occupation, level 5
    c.klass("C3", institution="I1", level=4, start="2023-06-05")  # progression to level 4
    c.train("C1", list(who.values()))
    c.train("C2", [who[k] for k in again])
    c.add("TraineeWithdrew", ts("2023-06-06"), {"class_id": "C2", "person_id": who["left"]})
    c.train("C3", [who["up"]])
    c.claim("CL1", [(p, "1000.00", 10) for p in who.values()], cid="C1")
    c.settle("CL1", "7000.00")
    c.claim("CL2", [(who["dup"], "800.00", 8)], cid="C2", claimant="I2", on="2023-06-20")
    c.settle("CL2", "800.00", on="2023-06-25")
    c.claim("CL3", [(who["up"], "1000.00", 10)], cid="C3", on="2023-06-20")
    c.settle("CL3", "1000.00", on="2023-06-25")
    second = {"rejected": ("CL4", "rejected", False), "paid_anyway": ("CL5", "rejected", True),
              "unpaid": ("CL6", "approved", False), "recovered": ("CL7", "approved", True)}
    for key, (claim, decision, paid) in second.items():
        c.claim(claim, [(who[key], "1000.00", 10)], cid="C2", claimant="I2", on="2023-06-21")
        c.settle(claim, "1000.00", decision=decision, paid=paid, on="2023-06-25")
    c.recover("PAY-CL7", "1000.00", on="2023-07-20")  # paid, then wholly recovered
    return c, who


def test_fires_on_the_second_subsidy_only(tmp_path: Path) -> None:
    c, who = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert sorted(findings) == sorted([who["dup"], who["paid_anyway"]])
    f = findings[who["dup"]]
    assert f.subject_type == "person" and f.person_ids == (who["dup"],)
    assert f.class_ids == ("C1", "C2") and f.institution_ids == ("I1", "I2")
    assert f.claim_ids == ("CL1", "CL2")
    assert f.amount_at_risk_fen == 80000  # the later subsidy, not the first
    assert f.observed["first_class"] == "C1" and f.observed["later_classes"] == ["C2"]
    assert "2 times" in f.explanation_en and "level 5" in f.explanation_en
    assert "800.00" in f.explanation_en and "800.00" in f.explanation_zh
    assert len(f.evidence_positions) >= 4  # two classes, two claims (and enrolments)


def test_progression_withdrawal_and_rejection_stay_silent(tmp_path: Path) -> None:
    c, who = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}
    assert who["up"] not in found and who["left"] not in found
    assert who["rejected"] not in found


def test_subsidised_means_paid_net_of_recoveries(tmp_path: Path) -> None:
    """A claim rejected and paid anyway was a subsidy; approved and never paid, or paid and
    wholly recovered, was none, whatever the review said."""
    c, who = city()
    found = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    anyway = found[who["paid_anyway"]]
    assert anyway.claim_ids == ("CL1", "CL5") and anyway.amount_at_risk_fen == 100000
    assert who["unpaid"] not in found and who["recovered"] not in found


def test_threshold_comes_from_the_rules(tmp_path: Path) -> None:
    c, _ = city()
    assert d.detect(c.frames(tmp_path), d.Params(min_classes=3)) == []
