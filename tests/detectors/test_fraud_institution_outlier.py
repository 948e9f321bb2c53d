"""FRAUD_INSTITUTION_OUTLIER: the isolation forest singles out the institution unlike all others."""

from __future__ import annotations

import pytest

from detectors import fraud_institution_outlier as d
from tests.detectors.city import TinyCity

ORDINARY = [f"I{k:02d}" for k in range(1, 12)]


def city() -> TinyCity:
    c = TinyCity()
    c.agency()
    c.employer()
    n = 0

    def run(inst: str, k: int, *, missed: int, passed: int, employed: int,
            method: str = "face") -> None:
        nonlocal n
        cid = f"C{inst}-{k}"
        c.klass(cid, institution=inst, days=5, capacity=6, start=f"2023-0{3 + k}-06")
        days = c.class_days(cid)
        people = []
        for _ in range(5):
            n += 1
            people.append(c.person(born=f"19{70 + n % 30}-0{1 + n % 9}-1{n % 10}"))
        for pid in people:
            c.enrol(cid, pid)
        c.sessions(cid)
        for j, pid in enumerate(people):
            c.attend(cid, pid, days[: 5 - missed] if j == 0 else days, method=method)
        c.complete(cid)
        for j, pid in enumerate(people):
            c.assess(pid, score=80 if j < passed else 40, on=f"2023-0{3 + k}-20")
            if j < employed:
                c.employ(pid, start=f"2023-0{4 + k}-15")
        c.claim(f"CL{cid}", [(pid, "500.00", 5) for pid in people], claimant=inst, cid=cid,
                on=f"2023-0{3 + k}-25")

    for i, inst in enumerate(ORDINARY):
        c.institution(inst, capacity=60)
        for k in range(3):
            # ordinary variety: now and then a trainee misses a day, passes and jobs vary a little
            run(inst, k, missed=(i + k) % 3 == 0, passed=4 - (i + k) % 2,
                employed=3 - (i * k) % 2)
    # The outlier: every trainee checked in by hand, the first attends 3 of 5 days, nobody
    # passes or finds a job - each figure possible, together unlike any peer.
    c.institution("IX", capacity=60)
    for k in range(3):
        run("IX", k, missed=2, passed=0, employed=0, method="manual")
    # The same figures with only two classes: too few to be scored.
    c.institution("IY", capacity=60)
    for k in range(2):
        run("IY", k, missed=2, passed=0, employed=0, method="manual")
    c.employ(c.person(born="1980-01-01"), start="2023-10-30")  # outcomes of June classes are due
    return c


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory):
    return city().frames(tmp_path_factory.mktemp("outlier"))


def test_flags_the_joint_outlier_and_names_its_figures(views) -> None:
    found = d.detect(views, d.Params())
    assert [f.subject_id for f in found] == ["IX"]
    f = found[0]
    assert f.subject_type == "institution" and f.institution_ids == ("IX",)
    assert f.class_ids == ("CIX-0", "CIX-1", "CIX-2") and f.amount_at_risk_fen == 0
    assert len(f.evidence_positions) == 3  # the classes
    o = f.observed
    assert o["institutions_scored"] == 12 and o["classes"] == 3  # IY has too few classes
    assert o["anomaly_score"] >= 0.55 and o["rank"] == 1
    assert o["claimed_training_fen"] == 3 * 5 * 50000
    manual = o["features"]["manual_share"]
    assert manual["value"] == 1.0 and manual["peer_median"] == 0.0 and manual["robust_z"] >= 3
    assert o["features"]["pass_excess"]["value"] < -0.5
    top = o["top_features"]
    assert len(top) == 3 and "manual_share" in top
    assert "manual check-in share 100% (peer median 0%" in f.explanation_en
    assert "手工签到占比 100%（同行中位数 0%" in f.explanation_zh
    assert f"{o['anomaly_score']:.3f}" in f.explanation_en


def test_ordinary_variety_is_not_an_outlier(views) -> None:
    s = d.institution_scores(views, d.Params())
    ordinary = s.loc[ORDINARY]
    assert (ordinary["score"] < s.at["IX", "score"]).all()
    assert (ordinary["max_abs_z"] < 3).all()


def test_thresholds_come_from_the_rules(views) -> None:
    assert d.detect(views, d.Params(min_anomaly_score=d.Decimal("0.99"))) == []
    assert d.detect(views, d.Params(min_institutions=13)) == []
    found = d.detect(views, d.Params(min_classes=2))
    assert {f.subject_id for f in found} <= {"IX", "IY"} and "IX" in {f.subject_id for f in found}


def test_seeded(views) -> None:
    a = d.institution_scores(views, d.Params(random_state=1))["score"]
    b = d.institution_scores(views, d.Params(random_state=1))["score"]
    assert a.equals(b)
