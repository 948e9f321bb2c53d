"""Empirical-Bayes shrinkage of per-group means of per-unit figures (normal-normal model).

A group's mean over a few units is mostly noise: three small classes with a
perfect pass rate say little about the institution that ran them. Comparing
raw means ranks exactly those groups first. ``shrink`` pulls each group's mean
towards the population by as much as its own noise warrants, so a group
stands out only when its figures are both far from the others and
consistently so.

The model, for one figure ``y`` of unit ``j`` (a class) in group ``i`` (an
institution), with ``m_ij`` people behind it:

* ``y_ij = θ_i + ε_ij``, ``Var ε_ij = a + b / m_ij``: class-to-class variation
  ``a`` plus person-level noise ``b`` that falls with the class's size. ``b``
  is given when known (p(1 − p) for a share of people, the pooled variance of
  people's values for their mean); otherwise ``a`` and ``b`` are fitted by
  least squares on the squared deviations of units from their group's mean
  (method of moments), both at least 0.
* The noise of group ``i``'s mean, ``v_i``, blends that model,
  ``Σ_j Var ε_ij / n_i²``, weighted as ``prior_units`` units, with the group's
  own spread ``s_i² / n_i`` weighted by its ``n_i − 1`` degrees of freedom
  (a moderated variance, Smyth 2004): a group whose units agree is known more
  precisely than one whose units scatter, and a group of one or two units
  leans on the population's model.
* ``θ_i ~ N(μ, τ²)``. ``μ`` is the median of the group means, and ``τ²`` the
  robust spread of the means, (1.4826·MAD)², less the median noise ``v_i``
  (method of moments; a few outlying groups do not widen it), at least
  ``min_scale²``: a difference between groups smaller than ``min_scale`` is
  not told apart, however precise. The MAD can be taken on one side of the
  median (the "double MAD" for skewed figures).
* The shrunk mean is ``μ + w_i (x̄_i − μ)`` with weight ``w_i = τ² / (τ² + v_i)``,
  and the shrunk z is ``(shrunk − μ) / τ``: how many population spreads the
  group's likely true level sits from the population's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its standard deviation


def _noise_model(dev2: np.ndarray, inv_m: np.ndarray) -> tuple[float, float]:
    """Least-squares ``a + b / m`` through the squared deviations, with a, b ≥ 0."""
    if dev2.size == 0:
        return 0.0, 0.0
    design = np.column_stack([np.ones_like(inv_m), inv_m])
    (a, b), *_ = np.linalg.lstsq(design, dev2, rcond=None)
    if b < 0:
        return float(dev2.mean()), 0.0
    if a < 0:
        return 0.0, float(np.dot(inv_m, dev2) / max(np.dot(inv_m, inv_m), 1e-12))
    return float(a), float(b)


def shrink(values: pd.Series, groups: pd.Series, people: pd.Series, *,
           prior_units: float, min_scale: float, person_variance: float | None = None,
           side: int = 0) -> tuple[pd.DataFrame, float, float]:
    """Per group: ``units``, ``mean``, ``shrunk``, ``weight``, ``z``; and the population's μ, τ.

    ``values``, ``groups`` and ``people`` are aligned per unit; units without a
    value or a group are left out, ``people`` is floored at 1. When the variance
    of one person's value is known (p(1 − p) for a share), it is ``b`` and only
    ``a`` is fitted: a narrow range of unit sizes then still says how noisy a
    small unit is. With ``side`` +1 (−1) the population's spread is measured on
    the groups at or above (below) the median only, the side a caller scores:
    a long tail on the other side does not narrow it. Groups come back sorted;
    none when no unit has a value.
    """
    ok = values.notna().to_numpy() & groups.notna().to_numpy()
    y = values.to_numpy(dtype=float)[ok]
    m = np.maximum(people.to_numpy(dtype=float)[ok], 1.0)
    codes, names = pd.factorize(groups.to_numpy()[ok], sort=True)
    cols = ["units", "mean", "shrunk", "weight", "z"]
    if y.size == 0:
        return pd.DataFrame(columns=cols, dtype=float), float("nan"), float("nan")
    k = len(names)
    n = np.bincount(codes, minlength=k).astype(float)
    mean = np.bincount(codes, weights=y, minlength=k) / n
    dev2 = (y - mean[codes]) ** 2
    ss = np.bincount(codes, weights=dev2, minlength=k)
    df = n - 1
    several = df[codes] > 0
    unbiased = dev2[several] * (n / np.maximum(df, 1))[codes][several]
    if person_variance is None:
        a, b = _noise_model(unbiased, 1.0 / m[several])
    else:
        b = max(person_variance, 0.0)
        a = max(float(np.mean(unbiased - b / m[several])), 0.0) if unbiased.size else 0.0
    model = np.bincount(codes, weights=a + b / m, minlength=k) / n ** 2
    own = ss / np.maximum(df, 1) / n
    prior = max(prior_units, 1e-6)
    v = (prior * model + df * own) / (prior + df)
    mu = float(np.median(mean))
    mad = float(np.median(np.abs(mean - mu)))
    if side:
        mad = max(mad, float(np.median((side * (mean - mu))[side * (mean - mu) >= 0])))
    spread2 = (MAD_TO_SD * mad) ** 2
    tau = float(np.sqrt(max(spread2 - float(np.median(v)), min_scale ** 2, 1e-18)))
    weight = tau ** 2 / (tau ** 2 + v)
    shrunk = mu + weight * (mean - mu)
    z = (shrunk - mu) / (tau * np.sqrt(weight))
    out = pd.DataFrame({"units": n.astype(int), "mean": mean, "shrunk": shrunk,
                        "weight": weight, "z": z}, index=pd.Index(names))
    return out, mu, tau
