"""FRAUD_DOUBLE_DIPPING: certification subsidy for a certificate with the skill-upgrade subsidy."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_double_dipping as d
from tests.detectors.city import TinyCity, ts


def upgrade(c: TinyCity, pid: str, cert: str, on: str, amount: str = "1000.00") -> None:
    c.add("SkillUpgradeSubsidyPaid", ts(on), {"person_id": pid, "certificate_id": cert,
                                              "amount": amount})


def city() -> tuple[TinyCity, list[str], list[str]]:
    c = TinyCity()
    c.agency()
    people = [c.person(born=f"198{i}-01-01") for i in range(3)]
    certs = [c.certify(p, assessment=c.assess(p)) for p in people]
    upgrade(c, people[0], certs[0], "2023-04-05")  # skill-upgrade first, then the claim
    c.claim("CL1", [(people[0], "300.00", None), (people[2], "300.00", None)],
            kind="certification", claimant_type="person", claimant=people[0],
            certificate={people[0]: certs[0], people[2]: certs[2]}, on="2023-04-10")
    c.claim("CL2", [(people[1], "300.00", None)], kind="certification",
            claimant_type="person", claimant=people[1], certificate={people[1]: certs[1]},
            on="2023-04-10")
    upgrade(c, people[1], certs[1], "2023-05-05", "800.00")  # claim first, then the upgrade
    upgrade(c, people[2], "CERT-OTHER", "2023-05-05")  # another certificate: fine
    return c, people, certs


def test_fires_in_either_order_and_only_for_that_certificate(tmp_path: Path) -> None:
    c, people, certs = city()
    found = d.detect(c.frames(tmp_path), d.Params())
    by = {f.subject_id: f for f in found}
    assert sorted(by) == sorted(people[:2])
    f = by[people[0]]
    assert f.amount_at_risk_fen == 30000 and f.claim_ids == ("CL1",)
    assert certs[0] in f.explanation_en and "1000.00" in f.explanation_en
    assert "300.00" in f.explanation_zh and "before" in f.explanation_en
    g = by[people[1]]
    assert "after" in g.explanation_en and g.observed["skill_upgrade_fen"] == 80000
    assert len(g.evidence_positions) == 3  # claim item (= claim), upgrade, certificate
