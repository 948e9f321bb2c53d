"""Empirical-Bayes shrinkage of per-institution means: weights from the data, noise by size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detectors.shrinkage import shrink


def frame(groups: dict[str, list[float]], people: dict[str, int] | None = None
          ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per-unit values, groups and people from {group: [values]} (and {group: people})."""
    rows = [(g, v, (people or {}).get(g, 20)) for g, vs in groups.items() for v in vs]
    df = pd.DataFrame(rows, columns=["g", "y", "m"])
    return df["y"], df["g"], df["m"]


def test_weights_follow_the_normal_normal_model() -> None:
    """Simulated θ_i ~ N(0.5, 0.05²), y_ij ~ N(θ_i, 0.1²): τ and the weights τ²/(τ²+σ²/n)."""
    rng = np.random.default_rng(7)
    groups: dict[str, list[float]] = {}
    sizes = {}
    for i in range(600):
        n = (2, 5, 20)[i % 3]
        theta = rng.normal(0.5, 0.05)
        groups[f"g{i:03d}"] = list(rng.normal(theta, 0.1, n))
        sizes[f"g{i:03d}"] = n
    s, mu, tau = shrink(*frame(groups), prior_units=4, min_scale=0.001)
    assert mu == pytest.approx(0.5, abs=0.01) and tau == pytest.approx(0.05, rel=0.2)
    for n in (2, 5, 20):
        w = s.loc[[g for g, k in sizes.items() if k == n], "weight"].mean()
        assert w == pytest.approx(0.05 ** 2 / (0.05 ** 2 + 0.1 ** 2 / n), abs=0.08)
    # shrinkage keeps a group between the population and its own mean
    assert ((s["shrunk"] - mu) * (s["mean"] - mu) >= 0).all()
    assert ((s["shrunk"] - mu).abs() <= (s["mean"] - mu).abs() + 1e-12).all()


def ordinary(k: int = 12) -> dict[str, list[float]]:
    rng = np.random.default_rng(3)
    return {f"o{i:02d}": list(np.clip(rng.normal(0.6, 0.08, 6), 0, 1)) for i in range(k)}


def test_fewer_classes_weigh_less() -> None:
    groups = ordinary()
    groups["few"] = [0.9, 0.9]
    groups["many"] = [0.9] * 8
    s, _, _ = shrink(*frame(groups), prior_units=4, min_scale=0.01)
    assert s.at["few", "mean"] == pytest.approx(s.at["many", "mean"])
    assert s.at["few", "weight"] < s.at["many", "weight"]
    assert 0 < s.at["few", "z"] < s.at["many", "z"]


def test_scattered_classes_weigh_less_than_consistent_ones() -> None:
    groups = ordinary()
    groups["steady"] = [0.85] * 4
    groups["erratic"] = [1.0, 0.7, 1.0, 0.7]
    s, _, _ = shrink(*frame(groups), prior_units=4, min_scale=0.01)
    assert s.at["steady", "mean"] == pytest.approx(s.at["erratic", "mean"])
    assert s.at["erratic", "z"] < s.at["steady", "z"]


def test_small_classes_are_noisier_when_the_person_noise_is_known() -> None:
    groups = ordinary()
    groups["tiny"] = [1.0, 1.0, 1.0]
    groups["large"] = [1.0, 1.0, 1.0]
    y, g, m = frame(groups, {"tiny": 2, "large": 40})
    s, _, _ = shrink(y, g, m, prior_units=4, min_scale=0.01, person_variance=0.6 * 0.4)
    assert s.at["tiny", "z"] < s.at["large", "z"] / 2


def test_identical_groups_sit_on_the_floor() -> None:
    s, mu, tau = shrink(*frame({f"g{i}": [0.5, 0.5, 0.5] for i in range(10)}),
                        prior_units=4, min_scale=0.01)
    assert mu == 0.5 and tau == 0.01 and (s["z"] == 0).all()
    # a group far off those is far out, not divided by a zero spread
    s, _, tau = shrink(*frame({**{f"g{i}": [0.5] * 3 for i in range(10)}, "x": [0.9] * 3}),
                       prior_units=4, min_scale=0.01)
    assert tau == 0.01 and s.at["x", "z"] == pytest.approx(40.0)


def test_missing_values_and_groups_are_left_out() -> None:
    y = pd.Series([0.5, np.nan, 0.7, 0.6])
    g = pd.Series(["a", "a", None, "b"])
    s, _, _ = shrink(y, g, pd.Series([10, 10, 10, 10]), prior_units=4, min_scale=0.01)
    assert s.index.tolist() == ["a", "b"] and s["units"].tolist() == [1, 1]
    empty, mu, _ = shrink(pd.Series([np.nan]), pd.Series(["a"]), pd.Series([1]),
                          prior_units=4, min_scale=0.01)
    assert empty.empty and mu != mu
