"""FRAUD_GHOST_NO_CHECKIN fires on a claimed trainee with zero check-ins, not on low attendance."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_ghost_no_checkin as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, str, str, str]:
    c = TinyCity()
    c.institution()
    ghost, low, ok = c.person(), c.person(born="1984-06-06"), c.person(born="1986-09-09")
    stranger = c.person(born="1992-02-02")  # claimed, never enrolled, never seen
    c.klass("C1")
    for pid in (ghost, low, ok):
        c.enrol("C1", pid)
    c.sessions("C1")
    days = c.class_days("C1")
    c.attend("C1", low, days[:2])  # came twice: low attendance, not a ghost
    c.attend("C1", ok)
    c.complete("C1")
    c.claim("CL1", [(ghost, "1000.00", 10), (low, "1000.00", 10), (ok, "1000.00", 10),
                    (stranger, "900.00", 9)], cid="C1")
    return c, ghost, low, stranger


def test_fires_on_zero_check_ins_only(tmp_path: Path) -> None:
    c, ghost, _low, stranger = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert set(findings) == {ghost, stranger}
    f = findings[ghost]
    assert f.amount_at_risk_fen == 100000
    assert f.claim_ids == ("CL1",) and f.class_ids == ("C1",) and f.institution_ids == ("I1",)
    assert "0/10" in f.explanation_zh and "0 of 10 days" in f.explanation_en
    assert "1000.00" in f.explanation_en and "10 day(s)" in f.explanation_en
    assert f.observed["on_roster"] is True
    g = findings[stranger]
    assert g.amount_at_risk_fen == 90000
    assert "not on the class roster" in g.explanation_en and g.observed["on_roster"] is False


def test_a_claim_for_someone_checked_in_only_off_roster_is_silent(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    walk_in = c.person()
    c.klass("C1")
    c.sessions("C1")
    c.attend("C1", walk_in, c.class_days("C1")[:1])  # one check-in, never enrolled
    c.claim("CL1", [(walk_in, "100.00", 1)], cid="C1")
    assert d.detect(c.frames(tmp_path), d.Params()) == []
