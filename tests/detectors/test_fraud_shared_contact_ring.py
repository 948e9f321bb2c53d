"""FRAUD_SHARED_CONTACT_RING fires on three subsidised trainees sharing a phone, not namesakes."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_shared_contact_ring as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution()
    ring = [c.person(born=f"19{70 + i}-02-0{1 + i}", phone="13812345678") for i in range(3)]
    namesakes = [c.person(born="1990-05-01", name="王伟"),
                 c.person(born="1990-05-01", name="王伟", region="141121")]
    couple = [c.person(born="1980-03-03", bank="6222111122223333"),
              c.person(born="1981-04-04", gender="F", bank="6222111122223333")]
    unsubsidised = [c.person(born=f"19{60 + i}-07-07", phone="13699998888") for i in range(3)]
    c.klass("C1")
    people = ring + namesakes + couple
    c.train("C1", people + unsubsidised)
    c.claim("CL1", [(p, "1000.00", 10) for p in people], cid="C1")
    return c, ring


def test_fires_on_the_ring_only(tmp_path: Path) -> None:
    c, ring = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert len(findings) == 1
    f = findings[0]
    assert f.subject_type == "person" and f.subject_id == min(ring)
    assert f.person_ids == tuple(sorted(ring))
    assert f.amount_at_risk_fen == 300000
    assert f.class_ids == ("C1",) and f.claim_ids == ("CL1",) and f.institution_ids == ("I1",)
    assert "3 subsidised trainees share one phone number 138****5678" in f.explanation_en
    assert "3 名受补贴学员共用同一手机号" in f.explanation_zh and "1000" not in f.observed
    assert "12345678" not in f.explanation_en and "12345678" not in f.explanation_zh
    assert f.observed["persons"] == 3 and f.observed["kind"] == "phone"
    assert len(f.evidence_positions) >= 4  # three registrations and the claim


def test_money_paid_to_one_account_for_three_claimants(tmp_path: Path) -> None:
    c = TinyCity()
    people = [c.person(born=f"19{70 + i}-02-0{1 + i}") for i in range(3)]
    for i, pid in enumerate(people):
        c.claim(f"CL{i}", [(pid, "500.00", None)], claimant=pid, claimant_type="person",
                kind="living")
        c.review(f"CL{i}", "500.00")
        c.pay(f"PAY{i}", f"CL{i}", "500.00", account="6217000011112222")
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert len(findings) == 1
    f = findings[0]
    assert f.person_ids == tuple(sorted(people)) and f.observed["kind"] == "bank_account"
    assert f.payment_ids == ("PAY0", "PAY1", "PAY2") and f.amount_at_risk_fen == 150000
    assert d.detect(c.frames(tmp_path), d.Params(min_persons=4)) == []

