"""The EM of ``detectors.linkage`` recovers a known Fellegi–Sunter model; its counts are exact."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from detectors import dup_identity as d
from detectors import linkage

M = (np.array([0.90, 0.07, 0.03]), np.array([0.85, 0.15]), np.array([0.70, 0.20, 0.10]),
     np.array([0.95, 0.05]))
U = (np.array([0.01, 0.05, 0.94]), np.array([0.05, 0.95]), np.array([0.002, 0.02, 0.978]),
     np.array([0.50, 0.50]))
LAMBDA = 0.001
SETTINGS = linkage.Settings(max_iterations=500, tolerance=1e-7, prior_pairs=0.0,
                            m_floor=1e-6, u_floor_pairs=0.5)


def draw(pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Agreement levels of ``pairs`` random pairs drawn from the model above (and who matches);
    one pair in ten misses the last field."""
    rng = np.random.default_rng(seed)
    match = rng.random(pairs) < LAMBDA
    gamma = np.column_stack([
        np.where(match, rng.choice(len(m), pairs, p=m), rng.choice(len(u), pairs, p=u))
        for m, u in zip(M, U, strict=True)]).astype(np.int8)
    gamma[rng.random(pairs) < 0.1, 3] = -1
    return gamma, match


def comparisons(gamma: np.ndarray) -> list[linkage.Comparison]:
    """What the caller knows of all pairs: how many fall into each level (not who matches)."""
    return [linkage.Comparison(
        f"c{k}", tuple(f"l{n}" for n in range(len(M[k]))),
        np.bincount(gamma[gamma[:, k] >= 0, k], minlength=len(M[k])).astype(float),
        np.full(len(M[k]), 1 / len(M[k])))  # a start far from the truth
        for k in range(len(M))]


def blocked(gamma: np.ndarray) -> np.ndarray:
    """The candidate pairs: those agreeing (level 0 or 1) on the first field, or on another."""
    return (gamma[:, 0] <= 1) | (gamma[:, 1] == 0) | (gamma[:, 2] == 0)


@pytest.fixture(scope="module")
def drawn() -> tuple[np.ndarray, np.ndarray]:
    return draw(1_000_000, seed=11)


def test_em_over_the_blocked_pairs_recovers_the_model(drawn) -> None:
    gamma, match = drawn
    keep = blocked(gamma)
    assert (match & ~keep).sum() <= 5  # blocking loses almost no match
    fit = linkage.fit(gamma[keep], comparisons(gamma), len(gamma), 1e-5, SETTINGS)
    assert fit.converged
    assert fit.lam == pytest.approx(match.mean(), rel=0.08)
    assert fit.expected_matches == pytest.approx(match.sum(), rel=0.08)
    for k in range(len(M)):
        assert fit.m[k] == pytest.approx(M[k], abs=0.03), f"m of c{k}"
        assert fit.u[k] == pytest.approx(U[k], rel=0.05, abs=2e-4), f"u of c{k}"
    # the estimated weights flag the pairs the true ones flag
    weight = fit.prior_weight + fit.field_weights(gamma[keep]).sum(axis=1)
    true_weight = np.log2(LAMBDA / (1 - LAMBDA)) + sum(
        np.append(np.log2(M[k] / U[k]), 0.0)[gamma[keep][:, k]] for k in range(len(M)))
    assert ((weight > 0) != (true_weight > 0)).sum() <= 0.02 * (true_weight > 0).sum()


def test_the_same_pairs_give_the_same_model(drawn) -> None:
    gamma, _match = drawn
    keep = gamma[blocked(gamma)][:20_000]
    a = linkage.fit(keep, comparisons(gamma), len(gamma), 1e-5, SETTINGS)
    b = linkage.fit(keep.copy(), comparisons(gamma), len(gamma), 1e-5, SETTINGS)
    assert a.as_dict() == b.as_dict()
    assert all(np.array_equal(x, y) for x, y in zip(a.m + a.u, b.m + b.u, strict=True))


def test_guards_without_matches_and_for_unseen_levels() -> None:
    """No duplicate in the data: m stays at its start (the prior), λ near zero; a level no
    pair reaches weighs nothing; m never drops below its floor."""
    rng = np.random.default_rng(2)
    gamma = rng.choice(2, size=(500, 2), p=[0.1, 0.9]).astype(np.int8)
    gamma[:, 1] = np.where(gamma[:, 1] == 0, 2, 1)  # level 0 of the second: never
    counts = [np.bincount(gamma[:, 0], minlength=2) * 100.0,
              np.bincount(gamma[:, 1], minlength=3) * 100.0]
    start = [np.array([0.9, 0.1]), np.array([0.6, 0.3, 0.1])]
    comps = [linkage.Comparison(f"c{k}", tuple(f"l{n}" for n in range(len(s))), c, s)
             for k, (c, s) in enumerate(zip(counts, start, strict=True))]
    guarded = linkage.Settings(max_iterations=50, tolerance=1e-6, prior_pairs=2.0,
                               m_floor=0.2, u_floor_pairs=0.5)
    fit = linkage.fit(gamma, comps, 50_000.0, 1e-3, guarded)
    assert fit.expected_matches < 0.5
    assert fit.m[0] == pytest.approx([0.8, 0.2], abs=0.02)  # 0.9/0.1, the floor lifting 0.1
    assert fit.level_weights(1)[0] == 0.0 and fit.level_weights(1)[1] != 0.0
    assert min(x.min() for x in fit.m) >= 0.2 - 1e-9


def test_exact_pair_counts_match_comparing_every_pair() -> None:
    rng = random.Random(4)
    words = ["王伟", "王玮", "伟王", "王伟伟", "王", "李伟", "张三丰", "张丰三", "aab", "ab", "abb",
             "ba", None]
    values = pd.Series([rng.choice(words) for _ in range(400)], dtype=object)
    present = [v for v in values if v is not None]
    ch, ln = d._chars(np.array(present, dtype=object))
    i, j = (np.array(x) for x in zip(*combinations(range(len(present)), 2), strict=True))
    kind = d.edit_kind(ch[i], ln[i], ch[j], ln[j])
    same = np.array(present, dtype=object)[i] == np.array(present, dtype=object)[j]
    assert linkage.one_edit_pairs(values) == ((kind > 0) & ~same).sum()
    assert linkage.agreeing_pairs(values) == same.sum()
    other = pd.Series([rng.choice("xy") for _ in range(400)], dtype=object)
    both = (same & (other[[k for k, v in enumerate(values) if v is not None]]
                    .to_numpy()[i] == other[[k for k, v in enumerate(values) if v is not None]]
                    .to_numpy()[j]))
    assert linkage.agreeing_pairs(values, other) == both.sum()
