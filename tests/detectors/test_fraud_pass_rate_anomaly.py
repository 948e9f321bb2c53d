"""FRAUD_PASS_RATE_ANOMALY: near-100% pass rates against the peers, scores bunched at the mark."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from detectors import fraud_pass_rate_anomaly as d
from tests.detectors.city import TinyCity

X, Y, Z = "4-10-01-05", "4-10-01-06", "4-10-01-07"


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    for a in ("A1", "A2", "A3", "A4"):
        c.agency(a, occupations=(X, Y, Z))
    people = [c.person(born=f"19{70 + i % 30}-05-{1 + i % 28:02d}") for i in range(40)]
    for i, p in enumerate(people):
        c.assess(p, agency="A1", occupation=X, score=50 + i % 40)  # 30 of 40 pass (75%)
        c.assess(p, agency="A2", occupation=X, score=70 + i % 25)  # 40 of 40 pass
        # Occupation Y: everyone passes nearly everywhere (an easy exam): no gap, no finding.
        c.assess(p, agency="A1", occupation=Y, score=59 if i == 0 else 75 + i % 20)
        c.assess(p, agency="A3", occupation=Y, score=80 + i % 15)
        # Occupation Z: A4's passes sit just above 60.
        c.assess(p, agency="A4", occupation=Z, score=55 if i < 3 else 60 + i % 3)
    return c, people


MARKED = d.Params(pass_mark=Decimal("60"))  # the occupation standards' mark, set by a user


def test_fires_on_outliers_not_on_an_easy_exam(tmp_path: Path) -> None:
    c, people = city()
    found = d.detect(c.frames(tmp_path), MARKED)
    by = {f.subject_id: f for f in found}
    assert sorted(by) == ["A2", "A4"]
    f = by["A2"]
    assert f.observed["pass_rate"] == 1.0 and f.observed["peer_pass_rate"] == 0.75
    assert f.observed["flagged_occupations"] == [X] and f.observed["p_value"] < 1e-4
    assert "40 of 40" in f.explanation_en and "75%" in f.explanation_en
    assert "100%" in f.explanation_zh and "75%" in f.explanation_zh
    assert f.person_ids == tuple(sorted(people)) and len(f.evidence_positions) == 41
    g = by["A4"]
    assert g.observed["bunched"] and g.observed["bunched_passes"] == 37
    assert "37 of 37" in g.explanation_en


def test_without_a_pass_mark_bunching_is_not_looked_for(tmp_path: Path) -> None:
    """The pass mark is in neither the spec nor a seed: unset, A4's bunched scores are not
    judged (its rate is no outlier), and the rule says which key would judge them."""
    c, _ = city()
    frames = c.frames(tmp_path)
    assert [f.subject_id for f in d.detect(frames, d.Params())] == ["A2"]
    [note] = d.unchecked(frames, d.Params())
    assert note.key == "pass_mark" and note.count > 0
    assert d.unchecked(frames, MARKED) == []


def test_pooled_over_occupations(tmp_path: Path) -> None:
    """20 assessments in each of two occupations: too few alone, enough together."""
    c = TinyCity()
    c.agency("A1", occupations=(X, Y))
    c.agency("A2", occupations=(X, Y))
    people = [c.person(born=f"19{70 + i % 30}-05-{1 + i % 28:02d}") for i in range(20)]
    for i, p in enumerate(people):
        for occ in (X, Y):
            c.assess(p, agency="A1", occupation=occ, score=45 + i * 2)  # 12 of 20 pass
            c.assess(p, agency="A2", occupation=occ, score=70 + i)
    found = d.detect(c.frames(tmp_path), d.Params())
    assert [f.subject_id for f in found] == ["A2"]
    assert found[0].observed["assessments"] == 40 and found[0].observed["flagged_occupations"] == []
    assert found[0].observed["peer_pass_rate"] == 0.6


def test_minimum_sample_from_the_rules(tmp_path: Path) -> None:
    c, _ = city()
    assert d.detect(c.frames(tmp_path), d.Params(min_assessments=50)) == []
