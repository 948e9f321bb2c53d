"""FRAUD_CERT_BURST: a mass of certificates right after filing; an agency filed long ago is fine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from detectors import fraud_cert_burst as d
from tests.detectors.city import TinyCity


def city(n: int = 120, later: int = 0) -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.agency("A1", on="2022-01-10")  # filed long before its certificates
    c.agency("A2", on="2023-03-01")
    c.agency("A3", filed=False, on="2023-03-01")  # never filed: another rule's business
    c.agency("A4", filed=False, on="2021-01-01")  # registered long ago, filed only now
    c.agency("A4", on="2023-02-20")
    people = [f"P{i:04d}" for i in range(n)]
    first = date(2023, 3, 3)
    certs = []
    for i, p in enumerate(people):
        day = (first + timedelta(days=i % 25)).isoformat()  # 25 batches
        certs.append(c.certify(p, agency="A2", on=day))
        c.certify(p, agency="A1", on=day)
        c.certify(p, agency="A3", on=day)
        if i < 60:
            c.certify(p, agency="A4", on=day)
    for i in range(later):  # steady work long after the filing
        c.certify(f"Q{i:04d}", agency="A2", on=(date(2023, 8, 1) + timedelta(days=i % 90))
                  .isoformat())
    c.claim("CL1", [(people[0], "300.00", None)], kind="certification",
            claimant_type="person", claimant=people[0], certificate={people[0]: certs[0]},
            on="2023-04-10")
    return c, people


def test_fires_on_a_burst_after_filing(tmp_path: Path) -> None:
    c, _people = city()
    found = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in found] == ["A2"]
    later = d.detect(c.frames(tmp_path), d.Params(min_certificates=50))
    assert [(f.subject_id, f.observed["filed_at"][:10]) for f in later] == [
        ("A2", "2023-03-01"), ("A4", "2023-02-20")]
    f = found[0]
    assert f.observed["certificates_in_window"] == 120 and f.observed["batches"] == 25
    assert f.observed["share"] == 1.0 and f.amount_at_risk_fen == 30000
    assert "120 certificates" in f.explanation_en and "25 batches" in f.explanation_en
    assert "2023-03-01" in f.explanation_zh and len(f.person_ids) == 120
    assert len(f.evidence_positions) == 1 + 120 + 1


def test_small_or_diluted_bursts_stay_silent(tmp_path: Path) -> None:
    c, _ = city(n=40)
    frames = c.frames(tmp_path)
    assert d.detect(frames, d.Params()) == []  # 40 < 100
    assert [f.subject_id for f in d.detect(frames, d.Params(min_certificates=30))] == [
        "A2", "A4"]
    assert d.detect(frames, d.Params(min_certificates=30, min_share=Decimal("1"))) != []
    # The same 40 as a small share (40 of 140) of a busy agency's output: silent.
    busy = city(n=40, later=100)[0].frames(tmp_path)
    assert [f.subject_id for f in d.detect(busy, d.Params(min_certificates=30))] == ["A4"]
