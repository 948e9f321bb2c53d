"""FRAUD_GHOST_INVALID_ID fires on impossible ID numbers, registered or not; not on a valid x."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from detectors import fraud_ghost_invalid_id as d
from engine.identity import id_check_char, make_person_id
from tests.detectors.city import TinyCity


def _wrong_check(pid: str) -> str:
    return pid[:17] + ("1" if pid[17] != "1" else "2")


def _x_id() -> str:
    """A valid ID number whose check character is X, written in lower case."""
    for seq in range(1, 999):
        first17 = f"141102{date(1988, 7, 9):%Y%m%d}{seq:03d}"
        if id_check_char(first17) == "X":
            return first17 + "x"
    raise AssertionError("no X check character found")


def city() -> tuple[TinyCity, str, str, str]:
    c = TinyCity()
    c.institution()
    good = c.person()
    bad = c.person(person_id=_wrong_check(make_person_id("141102", date(1991, 3, 4), 17)))
    lower_x = c.person(person_id=_x_id())
    never_registered = "141102199013451234"  # month 13: no such birth date
    c.klass("C1")
    c.train("C1", [good, bad, lower_x])
    c.enrol("C1", never_registered)
    c.claim("CL1", [(good, "1000.00", 10), (bad, "1000.00", 10), (lower_x, "1000.00", 10),
                    (never_registered, "800.00", 8)], cid="C1")
    return c, bad, lower_x, never_registered


def test_fires_on_invalid_ids_and_names_the_check(tmp_path: Path) -> None:
    c, bad, _x, never = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert set(findings) == {bad, never}
    f = findings[bad]
    expected = id_check_char(bad[:17])
    assert f.amount_at_risk_fen == 100000
    assert f.claim_ids == ("CL1",) and f.class_ids == ("C1",) and f.institution_ids == ("I1",)
    assert f"check character {bad[17]}, expected {expected}" in f.explanation_en
    assert f"应为 {expected}" in f.explanation_zh and "1000.00" in f.explanation_zh
    assert f.observed["registered"] is True
    g = findings[never]
    assert g.amount_at_risk_fen == 80000
    assert "birth date 19901345 is not a date" in g.explanation_en
    assert "never registered" in g.explanation_en and "未登记" in g.explanation_zh
    assert g.observed["registered"] is False
    assert len(g.evidence_positions) >= 2  # enrolment and claim


def test_valid_ids_stay_silent(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    people = [c.person(), c.person(person_id=_x_id())]
    c.klass("C1")
    c.train("C1", people)
    c.claim("CL1", [(p, "1000.00", 10) for p in people], cid="C1")
    assert d.detect(c.frames(tmp_path), d.Params()) == []


def test_problem_wording_in_chinese() -> None:
    assert d.problem_zh("length 17, expected 18") == "号码长度 17 位（应为 18 位）"
    assert d.problem_zh("region code 991102 names no province") == "地区码 991102 不对应任何省份"
