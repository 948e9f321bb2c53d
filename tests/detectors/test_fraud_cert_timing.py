"""FRAUD_CERT_TIMING: certificates before the class ended or without a (passed) assessment."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_cert_timing as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution()
    c.agency()
    ids = {k: c.person(born=f"198{i}-06-0{i + 1}") for i, k in enumerate("abcdefgh")}
    c.klass("C1")  # 2023-03-06 .. 2023-03-15
    c.train("C1", [ids["a"], ids["b"], ids["f"]])
    certs = {}
    # a: certified mid-class.
    certs["a"] = c.certify(ids["a"], on="2023-03-10",
                           assessment=c.assess(ids["a"], on="2023-03-09"))
    # b: certified after the class on a passed assessment: fine.
    certs["b"] = c.certify(ids["b"], assessment=c.assess(ids["b"]))
    # c: no assessment at all.
    certs["c"] = c.certify(ids["c"])
    # d: a failed assessment.
    certs["d"] = c.certify(ids["d"], assessment=c.assess(ids["d"], score=41))
    # e: re-issued certificate without the link, on an earlier passed assessment: fine.
    c.certify(ids["e"], assessment=c.assess(ids["e"]))
    c.certify(ids["e"], on="2023-08-01")
    # f: held the certificate from an earlier training, then enrolled again: not timing.
    c.certify(ids["f"], on="2022-11-01", assessment=c.assess(ids["f"], on="2022-10-30"))
    # g: an assessment id that does not exist; h: someone else's assessment.
    certs["g"] = c.certify(ids["g"], assessment="AS-NOPE")
    certs["h"] = c.certify(ids["h"], assessment=c.assess(ids["b"], on="2023-03-26"))
    c.claim("CL1", [(ids["a"], "300.00", None)], kind="certification",
            certificate={ids["a"]: certs["a"]}, on="2023-04-10")
    return c, {**ids, **{f"cert_{k}": v for k, v in certs.items()}}


def test_fires_on_early_and_unassessed_certificates(tmp_path: Path) -> None:
    c, ids = city()
    found = d.detect(c.frames(tmp_path), d.Params())
    by = {f.person_ids[0]: f for f in found}
    assert sorted(by) == sorted(ids[k] for k in "acdgh")
    a = by[ids["a"]]
    assert a.subject_id == ids["cert_a"] and a.class_ids == ("C1",) and a.institution_ids == ("I1",)
    assert a.observed["days_early"] == 5 and a.amount_at_risk_fen == 30000
    assert "2023-03-15" in a.explanation_en and "5 day(s)" in a.explanation_en
    assert by[ids["c"]].observed["assessment_problem"] == "no_assessment"
    assert by[ids["d"]].observed["assessment_problem"] == "failed_assessment"
    assert "41" in by[ids["d"]].explanation_en
    assert by[ids["g"]].observed["assessment_problem"] == "unknown_assessment"
    assert by[ids["h"]].observed["assessment_problem"] == "other_person"
