"""INEFF_UNLICENSED_OCCUPATION judges a class by the licence in force when it started."""

from __future__ import annotations

from pathlib import Path

from detectors import ineff_unlicensed_occupation as d
from tests.detectors.city import TinyCity, ts

CARE, ELECTRICIAN, COOK = "4-10-01-05", "6-31-01-03", "4-03-02-01"


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution("I1", occupations=(CARE,), on="2023-01-02")
    # I1 gains the electrician licence on 2023-04-01.
    c.add("InstitutionUpdated", ts("2023-04-01"),
          {"institution_id": "I1", "licensed_occupations": [CARE, ELECTRICIAN]})
    c.add("InstitutionUpdated", ts("2023-04-02"), {"institution_id": "I1", "phone": "0358-1"})
    # I2 loses the cook licence on 2023-05-01 (an empty list is still a list).
    c.institution("I2", occupations=(COOK,), on="2023-01-02")
    c.add("InstitutionUpdated", ts("2023-05-01"),
          {"institution_id": "I2", "licensed_occupations": []})
    people = [c.person(born=f"198{i}-0{i + 1}-0{i + 1}") for i in range(2)]
    c.klass("EARLY", occupation=ELECTRICIAN, start="2023-03-06")  # before the licence
    c.klass("LATER", occupation=ELECTRICIAN, start="2023-05-08")  # after it: the look-alike
    c.klass("CARE", occupation=CARE, start="2023-03-06")
    c.klass("COOK1", institution="I2", occupation=COOK, start="2023-03-06")  # licensed then
    c.klass("COOK2", institution="I2", occupation=COOK, start="2023-06-05")  # revoked by then
    for cid in ("EARLY", "LATER", "CARE", "COOK1", "COOK2"):
        c.train(cid, people)
    c.claim("CL1", [(p, "1000.00", 10) for p in people], cid="EARLY")
    c.claim("CL2", [(p, "1000.00", 10) for p in people], cid="LATER", on="2023-05-25")
    return c, people


def test_fires_before_the_licence_and_after_revocation(tmp_path: Path) -> None:
    c, people = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert sorted(findings) == ["COOK2", "EARLY"]
    f = findings["EARLY"]
    assert f.subject_type == "class" and f.institution_ids == ("I1",)
    assert f.claim_ids == ("CL1",) and f.person_ids == tuple(sorted(people))
    assert f.amount_at_risk_fen == 200000
    assert f.observed["licensed_then"] == [CARE]
    assert f.observed["licensed_from"] == "2023-04-01"
    assert f"occupation {ELECTRICIAN} on 2023-03-06" in f.explanation_en
    assert "licensed for it only from 2023-04-01" in f.explanation_en
    assert "2000.00" in f.explanation_zh
    assert findings["COOK2"].observed["licensed_then"] == []
    assert findings["COOK2"].amount_at_risk_fen == 0


def test_licence_gained_before_the_class_stays_silent(tmp_path: Path) -> None:
    c, _ = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}
    assert not found & {"LATER", "CARE", "COOK1"}
