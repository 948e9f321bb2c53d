"""FRAUD_AGENCY_LINKED: an agency assessing the trainees of its own linked institution."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_agency_linked as d
from tests.detectors.city import TinyCity

OCC2 = "4-10-01-06"


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution(occupations=("4-10-01-05", OCC2))
    c.institution("I2")
    c.agency("A1")
    c.agency("A2", occupations=("4-10-01-05", OCC2), linked="I1")
    people = [c.person(born=f"198{i}-04-0{i + 1}") for i in range(6)]
    c.klass("C1")
    c.train("C1", people[:3])
    c.klass("C2", institution="I2", start="2023-05-08")
    c.train("C2", [people[3], people[5]])
    c.klass("C3", start="2023-09-04")  # people[5] trains at I1 only after the assessment
    c.train("C3", people[5:6])
    certs = {}
    for p in people[:2]:  # I1's trainees, assessed by the linked agency
        certs[p] = c.certify(p, agency="A2", assessment=c.assess(p, agency="A2"))
    c.assess(people[2], agency="A1")  # an independent agency: fine
    c.assess(people[3], agency="A2", on="2023-06-01")  # another institution's trainee: fine
    c.assess(people[4], agency="A2", occupation=OCC2)  # never trained at I1
    c.assess(people[5], agency="A2", on="2023-06-01")  # for I2's class, before joining I1
    c.claim("CL1", [(p, "300.00", None) for p in people[:2]], kind="certification",
            claimant_type="institution", certificate=certs, on="2023-04-10")
    return c, people


def test_fires_on_the_linked_institution_trainees_only(tmp_path: Path) -> None:
    c, people = city()
    found = d.detect(c.frames(tmp_path), d.Params())
    assert [(f.subject_id, f.institution_ids) for f in found] == [("A2", ("I1",))]
    f = found[0]
    assert f.person_ids == tuple(sorted(people[:2])) and f.class_ids == ("C1",)
    assert f.amount_at_risk_fen == 60000 and f.claim_ids == ("CL1",)
    assert f.observed["assessments"] == 2 and f.observed["certificates"] == 2
    assert "2 of its trainees 2 times" in f.explanation_en and "600.00" in f.explanation_zh
