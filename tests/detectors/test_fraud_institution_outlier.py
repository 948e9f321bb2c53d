"""FRAUD_INSTITUTION_OUTLIER: the too-perfect institution ranks first; small, poor or ordinary
institutions are not flagged."""

from __future__ import annotations

import random
import types
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from scipy.stats import norm

from detectors import fraud_institution_outlier as d
from tests.detectors.city import TinyCity, ts

ORDINARY = [f"I{k:02d}" for k in range(1, 12)]


def city(*, perfect: bool) -> TinyCity:
    """Eleven ordinary institutions of four classes, a small one and a poor one; and, when
    ``perfect``, one whose every trainee stays, attends every day, passes and finds a job."""
    rng = random.Random(25)
    c = TinyCity()
    c.agency()
    c.employer()

    def run(inst: str, k: int, *, size: int, capacity: int, withdraw: int, miss: float,
            pass_p: float, job_p: float) -> None:
        cid = f"C{inst}-{k}"
        first = date(2023, 3, 6) + timedelta(days=14 * k)
        end = first + timedelta(days=4)
        c.klass(cid, institution=inst, days=5, capacity=capacity, start=first.isoformat())
        days = c.class_days(cid)
        people = [c.person(born=f"{1975 + rng.randrange(25)}-0{1 + rng.randrange(9)}-"
                                f"1{rng.randrange(10)}") for _ in range(size)]
        for pid in people:
            c.enrol(cid, pid)
        for pid in people[:withdraw]:
            c.add("TraineeWithdrew", ts(days[1], 12), {"class_id": cid, "person_id": pid})
        c.sessions(cid)
        stay = people[withdraw:]
        for pid in stay:
            attended = [day for day in days if rng.random() >= miss] or days[:1]
            c.attend(cid, pid, attended, face=round(rng.uniform(0.85, 0.97), 2))
        c.complete(cid)
        for pid in stay:
            c.assess(pid, score=80 if rng.random() < pass_p else 40,
                     on=(end + timedelta(days=5)).isoformat())
            if rng.random() < job_p:
                c.employ(pid, start=(end + timedelta(days=20)).isoformat())
        c.claim(f"CL{cid}", [(pid, "500.00", 5) for pid in stay], claimant=inst, cid=cid,
                on=(end + timedelta(days=3)).isoformat())

    for inst in ORDINARY:
        c.institution(inst, capacity=60)
        for k in range(4):
            run(inst, k, size=rng.randint(7, 10), capacity=10, withdraw=rng.choice((0, 0, 1)),
                miss=0.05, pass_p=0.65, job_p=0.5)
    if perfect:
        c.institution("IP", capacity=60)
        for k in range(4):
            run("IP", k, size=10, capacity=10, withdraw=0, miss=0.0, pass_p=1.0, job_p=1.0)
    # Three classes of two: everyone passed and found a job, as in IP, but six people
    # prove little.
    c.institution("IS", capacity=60)
    for k in range(3):
        run("IS", k, size=2, capacity=3, withdraw=0, miss=0.05, pass_p=1.0, job_p=1.0)
    # Merely poor: half-empty classes, drop-outs, absences, hardly anyone passes or works.
    c.institution("IQ", capacity=60)
    for k in range(4):
        run("IQ", k, size=5, capacity=10, withdraw=1, miss=0.3, pass_p=0.1, job_p=0.0)
    c.employ(c.person(born="1980-01-01"), start="2023-10-30")  # outcomes of the classes are due
    return c


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory):
    return city(perfect=True).frames(tmp_path_factory.mktemp("outlier"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory):
    return city(perfect=False).frames(tmp_path_factory.mktemp("plain"))


def test_the_too_perfect_institution_ranks_first_and_is_flagged(views) -> None:
    s = d.institution_scores(views, d.Params())
    assert len(s) == 14 and s["rank"].idxmin() == "IP"
    found = d.detect(views, d.Params())
    assert [f.subject_id for f in found] == ["IP"]
    f = found[0]
    assert f.subject_type == "institution" and f.institution_ids == ("IP",)
    assert f.class_ids == tuple(f"CIP-{k}" for k in range(4)) and f.amount_at_risk_fen == 0
    assert len(f.evidence_positions) == 4  # the classes
    o = f.observed
    assert o["rank"] == 1 and o["institutions_scored"] == 14 and o["flag_slots"] == 2
    assert o["expected_false_alarms"] <= 0.01 and o["claimed_training_fen"] == 40 * 50000
    assert o["features"]["pass_excess"]["value"] > 0.2
    assert o["features"]["employment_excess"]["shrunk_z"] >= 3


def test_the_explanation_names_the_figures(views) -> None:
    f = d.detect(views, d.Params())[0]
    top = f.observed["top_features"]
    assert len(top) == 3 and {"pass_excess", "employment_excess"} & set(top)
    for name in top:
        zh, en, _, _ = d.FEATURES[name]
        feat = f.observed["features"][name]
        assert feat["shrunk_z"] > 0 if feat["suspicious"] == "high" else feat["shrunk_z"] < 0
        value, population = (d._fmt(name, feat[k]) for k in ("value", "population"))
        assert f"{en} {value} (population {population}, shrunk z = " in f.explanation_en
        assert f"{zh} {value}（全体 {population}，收缩 z = " in f.explanation_zh
    assert "rank 1 of 14" in f.explanation_en and "排名第 1" in f.explanation_zh


def test_a_city_without_such_an_institution_flags_nothing(plain) -> None:
    s = d.institution_scores(plain, d.Params())
    assert len(s) == 13  # the small and the poor institution are scored, and ranked
    assert d.detect(plain, d.Params()) == []
    assert (s["false_alarms"] > 0.01).all()


def test_three_small_classes_do_not_rank_first(views) -> None:
    s = d.institution_scores(views, d.Params())
    # On paper IS's outcomes are as perfect as IP's: everyone passed and found a job ...
    for name in ("pass_excess", "employment_excess"):
        assert s.at["IS", f"value_{name}"] >= s.at["IP", f"value_{name}"] - 1e-9
    # ... but six people in three classes are little evidence: shrunk further, ranked lower.
    for name in ("pass_excess", "employment_excess"):
        assert 0 < s.at["IS", f"z_{name}"] < s.at["IP", f"z_{name}"]
    assert s.at["IS", "rank"] > s.at["IP", "rank"]
    assert "IS" not in {f.subject_id for f in d.detect(views, d.Params())}


def test_a_merely_poor_institution_is_not_flagged(views) -> None:
    s = d.institution_scores(views, d.Params())
    # IQ is the most extreme institution on fill, pass and employment - on the poor side ...
    for name in ("fill_ratio", "pass_excess", "employment_excess"):
        assert s[f"z_{name}"].idxmin() == "IQ" and s.at["IQ", f"z_{name}"] < -2
        assert s.at["IQ", f"side_{name}"] == 0
    # ... which scores nothing here: low figures are ineffective training, not fraud.
    assert s.at["IQ", "rank"] > 2 and s.at["IQ", "false_alarms"] > 1
    assert "IQ" not in {f.subject_id for f in d.detect(views, d.Params())}


def test_thresholds_come_from_the_rules(views) -> None:
    assert d.detect(views, d.Params(top_k=0)) == []
    assert d.detect(views, d.Params(max_false_alarms=Decimal("1e-30"))) == []
    assert d.detect(views, d.Params(min_top_z=Decimal("50"))) == []
    assert d.detect(views, d.Params(min_institutions=15)) == []
    assert d.institution_scores(views, d.Params(min_classes=4)).index.tolist() == \
        sorted([*ORDINARY, "IP", "IQ"])
    # one slot whatever the share (rounded up), the best ranked
    assert [f.subject_id for f in d.detect(views, d.Params(top_share=Decimal("0.01")))] == ["IP"]


def test_order_of_the_rows_does_not_matter(views) -> None:
    names = ("classes", "trainee_attendance", "checkins", "claims", "claim_items", "roster",
             "assessments", "employment")
    shuffled = types.SimpleNamespace(**{
        n: getattr(views, n).sample(frac=1.0, random_state=3) for n in names})
    a = d.institution_scores(views, d.Params())
    b = d.institution_scores(shuffled, d.Params())
    cols = ["score", "rank", "false_alarms", *(f"z_{n}" for n in d.FEATURES)]
    assert np.allclose(a[cols].to_numpy(float), b.loc[a.index, cols].to_numpy(float))
    assert d.detect(views, d.Params()) == d.detect(views, d.Params())


def test_chi_bar_tail() -> None:
    s2 = np.array([0.5, 4.0, 9.0])
    assert np.allclose(d.chi_bar_tail(s2, 1), norm.sf(np.sqrt(s2)))
    z = np.random.default_rng(1).standard_normal((200_000, 5))
    sums = (np.maximum(z, 0) ** 2).sum(axis=1)
    for t in (2.0, 6.0, 12.0):
        assert abs((sums >= t).mean() - d.chi_bar_tail(np.array([t]), 5)[0]) < 0.005


def test_family_z() -> None:
    top = np.array([0.0, 2.0, 3.0, 6.0])
    assert np.allclose(d.family_z(top[1:], 1), top[1:])
    five = d.family_z(top, 5)
    assert five[0] == 0 and np.all(np.diff(five) > 0) and np.all(five[1:] < top[1:])
    assert np.isclose(five[2], norm.isf(1 - norm.cdf(3.0) ** 5))
