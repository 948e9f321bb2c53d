"""FRAUD_ENTERPRISE_NON_EMPLOYEE fires on trainees who never worked there, not on staff."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_enterprise_non_employee as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, str, str, str, str]:
    c = TinyCity()
    c.institution()
    c.employer("E1")
    c.employer("E2")
    staff, stranger, elsewhere, hired_later = (c.person(born=f"19{80 + i}-03-0{1 + i}")
                                               for i in range(4))
    c.employ(staff, "E1", start="2022-06-01")
    c.employ(elsewhere, "E2", start="2022-06-01")
    c.employ(hired_later, "E1", start="2023-06-01")
    c.klass("C1", mode="enterprise", employer="E1")  # ends 2023-03-15
    people = [staff, stranger, elsewhere, hired_later]
    c.train("C1", people)
    c.claim("CL1", [(p, "300.00", None) for p in people], cid="C1")
    # C2: an enterprise class of real employees only.
    c.klass("C2", mode="enterprise", employer="E2", start="2023-04-03")
    c.train("C2", [elsewhere])
    c.claim("CL2", [(elsewhere, "300.00", None)], cid="C2", on="2023-04-20")
    return c, staff, stranger, elsewhere, hired_later


def test_fires_on_non_employees_only(tmp_path: Path) -> None:
    c, _staff, stranger, elsewhere, hired_later = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [(f.subject_type, f.subject_id) for f in findings] == [("class", "C1")]
    f = findings[0]
    assert f.person_ids == tuple(sorted([stranger, elsewhere, hired_later]))
    assert f.amount_at_risk_fen == 90000 and f.claim_ids == ("CL1",)
    assert f.institution_ids == ("I1",)
    assert "3 of 4 claimed trainees have no employment at employer E1 starting by 2023-03-15" \
        in f.explanation_en
    assert "1 of them hired only after" in f.explanation_en
    assert "4 名学员中有 3 人" in f.explanation_zh
    assert f.observed["hired_later"] == 1


def test_an_employer_claim_without_a_class(tmp_path: Path) -> None:
    c = TinyCity()
    c.employer("E1")
    staff, stranger = c.person(), c.person(born="1977-07-07")
    c.employ(staff, "E1", start="2022-01-10")
    c.claim("CLE", [(staff, "300.00", None), (stranger, "300.00", None)], claimant="E1",
            claimant_type="employer")
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [(f.subject_type, f.subject_id, f.person_ids) for f in findings] == \
        [("claim", "CLE", (stranger,))]
    assert findings[0].amount_at_risk_fen == 30000


def test_other_modes_are_not_enterprise_training(tmp_path: Path) -> None:
    c, *_ = city()
    assert d.detect(c.frames(tmp_path), d.Params(modes=("apprentice",))) == []
