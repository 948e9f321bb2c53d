"""DUP_OVERLAPPING_CLASSES fires on attending two classes on the same days, not on look-alikes."""

from __future__ import annotations

from pathlib import Path

from detectors import dup_overlapping_classes as d
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution("I1")
    c.institution("I2")
    who = {k: c.person(born=f"198{i}-0{i + 1}-0{i + 1}")
           for i, k in enumerate(("both", "one", "next"))}
    c.klass("C1", institution="I1", start="2023-03-06", days=10)  # 03-06 .. 03-15
    c.klass("C2", institution="I2", start="2023-03-13", days=10,  # 03-13 .. 03-22
            occupation="4-03-02-01")
    c.klass("C3", institution="I2", start="2023-03-16", days=5)  # right after C1
    for cid in ("C1", "C2", "C3"):
        c.sessions(cid)
    for pid in who.values():
        c.enrol("C1", pid)
        c.attend("C1", pid)
    c.enrol("C2", who["both"])
    c.attend("C2", who["both"])  # 03-13, 03-14, 03-15 in both classes
    c.enrol("C2", who["one"])
    c.attend("C2", who["one"], c.class_days("C2")[3:])  # only after C1 ended
    c.enrol("C3", who["next"])
    c.attend("C3", who["next"])  # back-to-back
    c.claim("CL1", [(p, "1000.00", 10) for p in who.values()], cid="C1")
    c.claim("CL2", [(who["both"], "700.00", 7), (who["one"], "700.00", 7)], cid="C2",
            claimant="I2", on="2023-03-25")
    c.claim("CL3", [(who["next"], "500.00", 5)], cid="C3", claimant="I2", on="2023-03-25")
    return c, who


def test_fires_on_shared_days(tmp_path: Path) -> None:
    c, who = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in findings] == [who["both"]]
    f = findings[0]
    assert f.class_ids == ("C1", "C2") and f.institution_ids == ("I1", "I2")
    assert f.claim_ids == ("CL1", "CL2")
    assert f.amount_at_risk_fen == 70000  # the later class's subsidy
    assert f.observed["shared_days"] == 3 and f.observed["first_shared_day"] == "2023-03-13"
    assert "3 of the same days" in f.explanation_en and "700.00" in f.explanation_zh
    assert len(f.evidence_positions) >= 2 + 12  # classes + 3 days x in/out x 2 classes


def test_back_to_back_and_one_sided_overlap_stay_silent(tmp_path: Path) -> None:
    c, who = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}
    assert who["one"] not in found and who["next"] not in found


def test_threshold_comes_from_the_rules(tmp_path: Path) -> None:
    c, _ = city()
    assert d.detect(c.frames(tmp_path), d.Params(min_shared_days=4)) == []
