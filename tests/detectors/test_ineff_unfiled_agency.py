"""INEFF_UNFILED_AGENCY fires on agencies not filed (for the occupation), not on filed ones."""

from __future__ import annotations

from pathlib import Path

from detectors import ineff_unfiled_agency as d
from tests.detectors.city import TinyCity

CARE, ELECTRICIAN = "4-10-01-05", "6-31-01-03"


def city() -> tuple[TinyCity, list[str], dict[str, str]]:
    c = TinyCity()
    c.institution()
    c.agency("A1", occupations=(CARE,), filed=True, on="2019-03-01")  # filed long ago
    c.agency("A2", occupations=(CARE,), filed=False)
    people = [c.person(born=f"198{i}-0{i + 1}-0{i + 1}") for i in range(4)]
    certs = {}
    for k, (pid, agency, occ) in enumerate(((people[0], "A1", CARE),
                                            (people[1], "A2", CARE),
                                            (people[2], "A1", ELECTRICIAN),
                                            (people[3], "A3", CARE))):
        a = c.assess(pid, agency=agency, occupation=occ, aid=f"AS{k}")
        certs[pid] = c.certify(pid, agency=agency, occupation=occ, assessment=a, cert=f"CE{k}")
    c.claim("CC1", [(p, "300.00", None) for p in people], kind="certification",
            certificate=certs, on="2023-04-10")
    return c, people, certs


def test_fires_per_agency_with_the_reason(tmp_path: Path) -> None:
    c, people, _ = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert sorted(findings) == ["A1", "A2", "A3"]
    f = findings["A2"]
    assert f.subject_type == "agency" and f.person_ids == (people[1],)
    assert f.claim_ids == ("CC1",) and f.institution_ids == ("I1",)
    assert f.amount_at_risk_fen == 30000
    assert f.observed["reason"] == "unfiled" and f.observed["certificate_ids"] == ["CE1"]
    assert "is not filed" in f.explanation_en and "assessed 1 and certified 1" in f.explanation_en
    assert "未备案" in f.explanation_zh and "300.00" in f.explanation_zh
    assert len(f.evidence_positions) == 4  # registration, assessment, certificate, claim
    wrong = findings["A1"]
    assert wrong.observed["reason"] == "occupation" and wrong.person_ids == (people[2],)
    assert wrong.observed["occupations"] == [ELECTRICIAN]
    assert findings["A3"].observed["reason"] == "unregistered"


def test_filed_agency_in_its_occupation_stays_silent(tmp_path: Path) -> None:
    c, people, _ = city()
    concerned = {p for f in d.detect(c.frames(tmp_path), d.Params()) for p in f.person_ids}
    assert people[0] not in concerned
