"""FRAUD_GHOST_DECEASED fires on a trainee dead before the class, not on one who died after it."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_ghost_deceased as d
from tests.detectors.city import TinyCity, ts


def died(c: TinyCity, pid: str, on: str) -> None:
    c.add("PersonDeceased", ts(on, 12), {"person_id": pid, "date_of_death": on})


def city() -> tuple[TinyCity, str, str]:
    c = TinyCity()
    c.institution()
    ghost, late, alive = c.person(), c.person(born="1975-04-04"), c.person(born="1982-08-08")
    died(c, ghost, "2023-01-20")  # weeks before the class starts
    c.klass("C1")  # 2023-03-06 .. 2023-03-15
    c.train("C1", [ghost, late, alive])
    died(c, late, "2023-03-20")  # trained in full, died before the claim: legitimate
    c.claim("CL1", [(ghost, "1000.00", 10), (late, "1000.00", 10), (alive, "1000.00", 10)],
            cid="C1")
    return c, ghost, late


def test_fires_on_the_dead_trainee_only(tmp_path: Path) -> None:
    c, ghost, _late = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == [ghost]
    f = findings[0]
    assert f.amount_at_risk_fen == 100000
    assert f.claim_ids == ("CL1",) and f.class_ids == ("C1",) and f.institution_ids == ("I1",)
    assert "2023-01-20" in f.explanation_zh and "2023-01-20" in f.explanation_en
    assert "1 class(es) starting after the death" in f.explanation_en
    assert "attendance recorded on 10 day(s) after the death" in f.explanation_en
    assert "死亡后有 10 天考勤记录" in f.explanation_zh
    assert f.observed["attendance_days_after_death"] == 10
    assert f.observed["classes_started_after_death"] == ["C1"]


def test_check_in_after_death_in_a_class_begun_in_life(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    pid = c.person()
    c.klass("C1")
    c.train("C1", [pid])
    died(c, pid, "2023-03-12")  # the last 3 class days' check-ins are after the death
    c.claim("CL1", [(pid, "1000.00", 10)], cid="C1")
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == [pid]
    assert findings[0].observed["attendance_days_after_death"] == 3
    assert findings[0].observed["last_checkin"] == "2023-03-15"
    assert findings[0].amount_at_risk_fen == 100000


def test_certification_claim_after_death_for_a_certificate_earned_in_life(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    c.agency()
    pid, ghost = c.person(), c.person(born="1979-01-01")
    cert = c.certify(pid, on="2023-04-01")
    died(c, pid, "2023-04-20")
    died(c, ghost, "2023-02-01")
    c.claim("CLC", [(pid, "300.00", None), (ghost, "300.00", None)], kind="certification",
            on="2023-05-10", certificate={pid: cert})
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == [ghost]
    assert findings[0].amount_at_risk_fen == 30000
