"""FRAUD_OVER_CAPACITY fires on a class or concurrent classes over the venue, not on a full one."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_over_capacity as d
from tests.detectors.city import TinyCity, ts


def people(c: TinyCity, n: int, decade: int) -> list[str]:
    return [c.person(born=f"19{decade + i % 10}-0{1 + i % 9}-{10 + i % 18}") for i in range(n)]


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    # I1, venue for 20: one class of 23 enrolled, 1 withdrew -> 22 active.
    c.institution("I1", capacity=20)
    c.klass("C1", institution="I1", capacity=25)
    p1 = people(c, 23, 70)
    c.train("C1", p1)
    c.add("TraineeWithdrew", ts("2023-03-07"), {"class_id": "C1", "person_id": p1[0]})
    c.claim("CL1", [(p, "1000.00", 10) for p in p1[1:]], cid="C1", claimant="I1")
    # I2, venue for 20: two overlapping classes of 12, and a back-to-back third.
    c.institution("I2", capacity=20)
    c.klass("C2", institution="I2", start="2023-04-03")  # 04-03 .. 04-12
    c.klass("C3", institution="I2", start="2023-04-10")  # 04-10 .. 04-19: 3 days overlap
    c.klass("C4", institution="I2", start="2023-04-20")  # back-to-back with C3
    for cid, decade in (("C2", 50), ("C3", 60), ("C4", 80)):
        group = people(c, 12, decade)
        c.train(cid, group)
        c.claim(f"CL{cid}", [(p, "1000.00", 10) for p in group], cid=cid, claimant="I2",
                on="2023-05-10")
    # I3, venue for 20: two concurrent classes of 10 and 11 places, one person in both
    # (a double enrolment, not a 21st seat): full, not over.
    c.institution("I3", capacity=20)
    c.klass("C5", institution="I3", start="2023-06-05", capacity=8)
    c.klass("C6", institution="I3", start="2023-06-05")
    p5 = people(c, 10, 40)
    c.train("C5", p5)
    c.train("C6", [*people(c, 10, 30), p5[0]])
    return c, p1


def test_fires_alone_and_together_not_when_just_full(tmp_path: Path) -> None:
    c, p1 = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [(f.subject_type, f.subject_id) for f in findings] == [("class", "C1"),
                                                                  ("institution", "I2")]
    alone, together = findings
    assert alone.person_ids == tuple(sorted(p1[-2:]))  # the last two enrolled
    assert alone.amount_at_risk_fen == 200000 and alone.claim_ids == ("CL1",)
    assert "22 active trainees, 2 above the institution's venue capacity of 20" \
        in alone.explanation_en
    assert "在训学员 22 人" in alone.explanation_zh
    assert together.class_ids == ("C2", "C3") and together.institution_ids == ("I2",)
    assert together.observed["total_active"] == 24 and together.observed["days"] == 3
    assert together.observed["first_day"] == "2023-04-10"
    assert together.observed["last_day"] == "2023-04-12"
    assert "24 active trainees together, 4 above the venue capacity of 20" \
        in together.explanation_en
    assert together.amount_at_risk_fen == 2400000 * 4 // 24
    assert together.claim_ids == ("CLC2", "CLC3")


def test_class_capacity_is_opt_in(tmp_path: Path) -> None:
    c, _ = city()
    views = c.frames(tmp_path)
    found = d.detect(views, d.Params(check_class_capacity=True))
    assert ("class", "C5") in [(f.subject_type, f.subject_id) for f in found]
    c5 = next(f for f in found if f.subject_id == "C5")
    assert "2 above its capacity of 8" in c5.explanation_en
