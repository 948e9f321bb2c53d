"""FRAUD_BENFORD: invented amounts fire; rule-shaped ones stay silent however un-Benford."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from detectors import fraud_benford as d
from tests.detectors.city import TinyCity


def city() -> TinyCity:
    rng = random.Random(7)
    c = TinyCity()
    for inst in ("IB", "IP1", "IP2", "IR", "IS"):
        c.institution(inst)
    n = 0

    def claims(inst: str, classes: int, per_class: int, amount) -> None:
        nonlocal n
        for k in range(classes):
            cid = f"C{inst}{k}"
            c.klass(cid, institution=inst, start=f"2023-0{3 + k}-06")
            items = []
            for _ in range(per_class):
                n += 1
                pid = c.person(born=f"19{70 + n % 30}-0{1 + n % 9}-1{n % 10}")
                days = rng.randint(5, 10)
                items.append((pid, amount(days), days))
            c.claim(f"CL{inst}{k}", items, claimant=inst, cid=cid, on=f"2023-0{3 + k}-28")

    def rule(days: int) -> str:
        return f"{min(days * 100, 1000)}.00"

    def invented(days: int) -> str:
        fen = int(min(days * 100, 1000) * 100 * rng.uniform(0.72, 0.995))
        if fen % 100 == 0:
            fen += 7
        return f"{fen // 100}.{fen % 100:02d}"

    claims("IB", 4, 28, invented)       # 112 invented amounts: fires
    claims("IP1", 4, 30, rule)          # honest peers: 100 a day, capped at 1000
    claims("IP2", 4, 30, rule)
    claims("IR", 4, 28, lambda _d: "700.00")  # all 7-day classes: un-Benford, rule-shaped
    claims("IS", 2, 30, invented)       # invented but only 60 amounts: not tested
    return c


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory):
    return city().frames(tmp_path_factory.mktemp("benford"))


def test_fires_on_invented_amounts_only(views) -> None:
    found = d.detect(views, d.Params())
    assert [f.subject_id for f in found] == ["IB"]
    f = found[0]
    assert f.subject_type == "institution" and f.institution_ids == ("IB",)
    assert f.claim_ids == ("CLIB0", "CLIB1", "CLIB2", "CLIB3")
    assert len(f.class_ids) == 4 and len(f.person_ids) == 112
    items = views.claim_items
    ib = items[items["claim_id"].str.startswith("CLIB")]
    assert f.amount_at_risk_fen == int(ib["amount_fen"].sum())  # every amount has fen
    o = f.observed
    assert o["items"] == 112 and sum(o["digit_counts"]) == 112
    assert o["benford_band"] == "nonconformity" and o["benford_mad"] > 0.015
    assert o["peer_mad"] >= 0.015 and o["unshaped_share"] == 1.0
    # Peers: IP1 120 + IP2 120 + IR 112 + IS 60 (invented, too few to be tested itself).
    assert o["peer_unshaped_share"] == pytest.approx(60 / 412, abs=1e-4)
    assert f"MAD {o['benford_mad']:.3f}" in f.explanation_en
    assert f"MAD = {o['peer_mad']:.3f}" in f.explanation_zh
    assert "100%" in f.explanation_en and "50.00" in f.explanation_en


def test_the_benford_mad_is_nigrinis(views) -> None:
    f = d.detect(views, d.Params())[0]
    share = np.array(f.observed["digit_counts"]) / f.observed["items"]
    expected = np.abs(share - np.log10(1 + 1 / np.arange(1, 10))).mean()
    assert f.observed["benford_mad"] == pytest.approx(expected, abs=1e-5)
    assert [d.band(x, d.Params()) for x in (0.005, 0.01, 0.014, 0.02)] == [
        "close", "acceptable", "marginal", "nonconformity"]


def test_rule_shaped_amounts_are_fair_even_when_not_benford(views) -> None:
    # IR (all 700.00) breaks Benford and differs from its peers, but every amount is a
    # rule amount; only the unshaped-share condition tells it from IB.
    loose = {f.subject_id: f for f in d.detect(
        views, d.Params(min_unshaped_excess=d.Decimal("-1")))}
    assert {"IB", "IR"} <= set(loose)
    ir = loose["IR"].observed
    assert ir["benford_band"] == "nonconformity" and ir["peer_mad"] >= 0.015
    assert ir["digit_counts"][6] == 112 and ir["unshaped_share"] == 0.0
    strict = d.detect(views, d.Params(min_items=50))
    assert {f.subject_id for f in strict} == {"IB", "IS"}


def test_first_digit_of_fen_amounts() -> None:
    import pandas as pd

    got = d.first_digit(pd.Series([5, 99, 100, 72341, 100000, 99999999], dtype="Int64"))
    assert list(got) == [5, 9, 1, 7, 1, 9]


def test_nothing_below_min_items(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    pid = c.person()
    c.klass("C1")
    c.claim("CL1", [(pid, "723.41", 8)], cid="C1")
    assert d.detect(c.frames(tmp_path), d.Params()) == []
