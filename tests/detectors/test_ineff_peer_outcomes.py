"""INEFF_PEER_OUTCOMES: both rates far below peers fires; one low rate or a small class does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors import ineff_peer_outcomes as d
from tests.detectors.city import TinyCity

# institution: (trainees, passed, employed)
PLAN = {"I1": (25, 5, 0),     # both far below: fires
        "I2": (25, 20, 15), "I3": (25, 20, 15),
        "I4": (25, 20, 3),    # jobs low, passes normal: silent
        "I5": (12, 2, 0)}     # both low but too few trainees: silent


def city() -> TinyCity:
    c = TinyCity()
    c.agency()
    for n, (inst, (size, passed, employed)) in enumerate(PLAN.items()):
        c.institution(inst)
        people = [c.person(born=f"19{70 + k % 25}-0{1 + k % 9}-1{n}") for k in range(size)]
        cid = f"C{inst}"
        c.klass(cid, institution=inst, days=5, start="2023-03-06")
        c.train(cid, people)
        for k, pid in enumerate(people):
            c.assess(pid, score=80 if k < passed else 40, on="2023-03-20")
        for pid in people[:employed]:
            c.employ(pid, start="2023-06-20")
        if inst == "I1":
            # Jobs that began before the class ended are not outcomes of the training.
            for pid in people[-5:]:
                c.employ(pid, start="2023-03-08")
        c.claim(f"CL{inst}", [(pid, "500.00", 5) for pid in people], claimant=inst, cid=cid,
                on="2023-03-25")
    return c


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory):
    return city().frames(tmp_path_factory.mktemp("peer_outcomes"))


def test_fires_on_both_rates_far_below_peers(views) -> None:
    found = d.detect(views, d.Params())
    assert [f.subject_id for f in found] == ["I1"]
    f = found[0]
    assert f.subject_type == "institution" and f.institution_ids == ("I1",)
    assert f.class_ids == ("CI1",) and f.claim_ids == ("CLI1",) and len(f.person_ids) == 25
    assert f.amount_at_risk_fen == 25 * 50000
    o = f.observed
    assert (o["trainees"], o["passed"], o["employed"]) == (25, 5, 0)
    # Peers: I2..I5 pooled, 87 trainees, 62 passed, 33 employed.
    assert (o["peer_trainees"], o["peer_passed"], o["peer_employed"]) == (87, 62, 33)
    assert o["peer_pass_rate"] == pytest.approx(62 / 87, abs=1e-4)
    assert o["peer_employment_rate"] == pytest.approx(33 / 87, abs=1e-4)
    assert o["z_pass"] <= -3 and o["z_employment"] <= -3
    assert "20%" in f.explanation_en and "71%" in f.explanation_en
    assert "0%" in f.explanation_en and "38%" in f.explanation_en
    assert "5/25" in f.explanation_zh and "0/25" in f.explanation_zh
    assert "12500.00" in f.explanation_en


def test_outcomes_not_yet_due_are_not_counted(views) -> None:
    # The last outcome is on 2023-06-20; classes ending 2023-03-10 are 102 days before it.
    assert d.detect(views, d.Params(min_days_after_end=120)) == []


def test_gap_and_size_come_from_the_rules(views) -> None:
    assert d.detect(views, d.Params(min_gap=d.Decimal("0.45"))) == []
    small = d.detect(views, d.Params(min_trainees=10, min_z=d.Decimal("1.5")))
    assert {f.subject_id for f in small} == {"I1", "I5"}


def test_employment_is_compared_within_the_same_mode(tmp_path: Path) -> None:
    """Enterprise trainees already have jobs: their 0 % is compared with enterprise peers only."""
    c = TinyCity()
    c.agency()
    c.employer()
    plan = {"I1": ("enterprise", 5), "I2": ("enterprise", 16), "I3": ("enterprise", 16),
            "I4": ("inclusive", 16), "I5": ("inclusive", 16)}
    for n, (inst, (mode, passed)) in enumerate(plan.items()):
        c.institution(inst)
        people = [c.person(born=f"19{70 + k % 25}-0{1 + k % 9}-1{n}") for k in range(20)]
        cid = f"C{inst}"
        c.klass(cid, institution=inst, days=5, mode=mode,
                employer="E1" if mode == "enterprise" else None)
        c.train(cid, people)
        for k, pid in enumerate(people):
            c.assess(pid, score=80 if k < passed else 40, on="2023-03-20")
            if mode == "inclusive":
                c.employ(pid, start="2023-06-20")
    views = c.frames(tmp_path)
    assert d.detect(views, d.Params()) == []  # pass rate low, jobs as usual for its mode
    # Pooled across modes (what the standardisation avoids) it would have looked ineffective.
    t = d.trainee_outcomes(views, 365, 90)
    i1 = t[t["institution_id"] == "I1"]
    rest = t[t["institution_id"] != "I1"]
    assert rest["employed"].mean() - i1["employed"].mean() >= 0.30
    assert rest["passed"].mean() - i1["passed"].mean() >= 0.30
