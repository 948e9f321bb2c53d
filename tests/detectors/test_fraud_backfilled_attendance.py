"""FRAUD_BACKFILLED_ATTENDANCE fires on a class typed in weeks later, not on one late correction."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_backfilled_attendance as d
from tests.detectors.city import TinyCity, ts


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution()
    c.klass("C1")  # 2023-03-06 .. 2023-03-15, claimed 2023-03-25
    c.klass("C2", start="2023-04-03")
    p1 = [c.person(born=f"19{70 + i}-0{1 + i % 9}-1{i % 9}") for i in range(5)]
    p2 = [c.person(born=f"19{80 + i}-0{1 + i % 9}-2{i % 9}") for i in range(5)]
    for pid in p1:
        c.enrol("C1", pid)
    c.sessions("C1")
    for pid in p1[:3]:
        c.attend("C1", pid, recorded_late_days=20)  # typed in 20 days later, after the claim
    for pid in p1[3:]:
        c.attend("C1", pid)
    c.complete("C1")
    c.claim("CL1", [(p, "1000.00", 10) for p in p1], cid="C1")
    # C2: full attendance on the device, and one forgotten check-in entered by hand 5 days late.
    for pid in p2:
        c.enrol("C2", pid)
    c.sessions("C2")
    days = c.class_days("C2")
    c.attend("C2", p2[0], days[1:])
    c.add("AttendanceRecorded", ts(days[0], 8, 5), {
        "class_id": "C2", "person_id": p2[0], "direction": "in", "method": "manual"},
        recorded=ts("2023-04-08", 16))
    for pid in p2[1:]:
        c.attend("C2", pid)
    c.complete("C2")
    c.claim("CL2", [(p, "1000.00", 10) for p in p2], cid="C2", on="2023-04-20")
    return c, p1


def test_fires_on_the_back_filled_class_only(tmp_path: Path) -> None:
    c, p1 = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [(f.subject_type, f.subject_id) for f in findings] == [("class", "C1")]
    f = findings[0]
    assert f.person_ids == tuple(sorted(p1[:3])) and f.claim_ids == ("CL1",)
    assert f.amount_at_risk_fen == 300000
    assert f.observed["backfilled"] == 60 and f.observed["records"] == 100
    assert f.observed["after_claim"] == 60
    assert "60 of 100 attendance records (60%)" in f.explanation_en
    assert "60/100" in f.explanation_zh and "之后" in f.explanation_zh
    assert len(f.evidence_positions) == 60 + 2  # the back-filled records, claim and class


def test_few_records_after_the_claim_are_enough(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    c.klass("C1")
    people = [c.person(born=f"19{70 + i}-01-1{i}") for i in range(10)]
    c.train("C1", people)
    c.claim("CL1", [(p, "1000.00", 10) for p in people], cid="C1")
    days = c.class_days("C1")
    for pid in people[:2]:  # 4 records made up after the claim: 2 % of 204 records
        for day in days[:2]:
            c.add("AttendanceRecorded", ts(day, 8, 1), {
                "class_id": "C1", "person_id": pid, "direction": "in", "method": "manual"},
                recorded=ts("2023-03-28", 9))
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == ["C1"]
    assert findings[0].observed["after_claim"] == 4 and findings[0].observed["share"] < 0.2
    assert d.detect(c.frames(tmp_path), d.Params(min_backfilled_any=5)) == []
