"""FRAUD_STAFF_AS_TRAINEE fires on the legal representative or the school's contacts as trainees."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_staff_as_trainee as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, str, str, str]:
    c = TinyCity()
    boss = c.person(born="1970-01-01")
    clerk = c.person(born="1995-05-05", phone="0358-8881234")  # the school's phone
    outsider_rep = c.person(born="1968-06-06")  # runs another school, trains here
    normal = c.person(born="1990-09-09")
    c.institution("I1", legal_rep=boss, phone="0358-888-1234")
    c.institution("I2", legal_rep=outsider_rep)
    c.klass("C1")
    c.train("C1", [boss, clerk, outsider_rep, normal])
    c.claim("CL1", [(p, "1000.00", 10) for p in (boss, clerk, outsider_rep, normal)], cid="C1")
    return c, boss, clerk, outsider_rep


def test_fires_on_the_schools_own_people(tmp_path: Path) -> None:
    c, boss, clerk, _outsider = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert set(findings) == {boss, clerk}
    f = findings[boss]
    assert f.amount_at_risk_fen == 100000 and f.institution_ids == ("I1",)
    assert f.class_ids == ("C1",) and f.claim_ids == ("CL1",)
    assert "is its legal representative" in f.explanation_en and "法定代表人" in f.explanation_zh
    assert "1000.00" in f.explanation_en and f.observed["legal_rep"] is True
    g = findings[clerk]
    assert g.observed["same_phone"] is True and g.observed["legal_rep"] is False
    assert "has the institution's phone (035******1234)" in g.explanation_en  # masked


def test_enterprise_centre_training_its_own_boss_is_not_flagged(tmp_path: Path) -> None:
    c = TinyCity()
    boss = c.person()
    c.add("InstitutionRegistered", "2023-01-02T09:00:00+08:00", {
        "institution_id": "IE", "name": "企业培训中心", "credit_code": "CCIE",
        "kind": "enterprise", "county": "离石区", "licensed_occupations": ["4-10-01-05"],
        "venue_capacity": 60, "legal_rep_id": boss})
    c.employer("E1", legal_rep=boss)
    c.klass("C1", institution="IE", mode="enterprise", employer="E1")
    c.train("C1", [boss])
    c.claim("CL1", [(boss, "300.00", None)], claimant="IE", cid="C1")
    assert d.detect(c.frames(tmp_path), d.Params()) == []
