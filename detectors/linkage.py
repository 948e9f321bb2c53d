"""Fellegi–Sunter record linkage whose m and u are estimated from the data (EM), as Splink does.

Not a detector (no ``CODE``): the estimation that ``dup_identity`` runs over its
candidate pairs, kept apart so it can be tested against a known model.

The model. Each compared pair falls into one level per comparison (``-1`` when a
value is missing: no evidence). For a true match the level of comparison *c* is
drawn with probabilities ``m_c``, for a non-match with ``u_c``, independently
across comparisons; a random pair of records is a match with probability λ. A
pair's match weight is ``log2(λ/(1-λ)) + Σ log2(m/u)`` and its match probability
``2^w / (1 + 2^w)``.

The estimate is expectation-maximisation over *every* pair of records, done
without enumerating them:

* the blocked candidate pairs are compared one by one (a comparison may weigh its
  first level by each pair's own term frequency, as Splink's ``tf_`` columns);
* every other pair is taken to be a non-match (posterior 0): it agrees on no
  blocking rule, so its weight would be far below any threshold;
* the caller counts, for each level, how many of *all* pairs fall into it
  (``Comparison.counts``: exactly, from value frequencies).

The M-step is then exact for that population: ``m`` from the blocked pairs'
posteriors, ``u`` from the all-pair counts less the expected matches in each level,
λ from the expected number of matches over all pairs. Because λ and u refer to
all pairs and the E-step uses every comparison, agreeing on a blocking field is
weighed as the evidence it is, without Splink's one EM training per blocking rule
(there λ and the blocked fields' levels are meaningful only inside one rule's
block).

Guards: the starting ``m`` doubles as a Dirichlet prior worth ``prior_pairs``
matched pairs (a city with few duplicates keeps sensible m; a big one overrides
it), no ``m`` falls below ``m_floor`` (a variation never seen still costs a bounded
number of bits), a level no non-match reaches counts ``u_floor_pairs`` pairs, and
the iteration stops at ``tolerance`` or ``max_iterations``. The arithmetic is
deterministic: the same pairs and counts give the same parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Comparison:
    """One comparison's levels, its all-pair level counts and its starting m."""

    name: str
    levels: tuple[str, ...]
    counts: np.ndarray  # pairs at each level among all pairs (within ``given``, if set)
    start_m: np.ndarray
    # u counted only among pairs at this (comparison index, level index): a field that
    # embeds another (an ID number holds the birth date) is compared given that one agrees
    given: tuple[int, int] | None = None
    # each candidate pair's u at the first level given the value it agrees on (its term
    # frequency, Splink's term_frequency_adjustments): a common name is weaker evidence
    exact_u: np.ndarray | None = None


@dataclass(frozen=True)
class Settings:
    max_iterations: int
    tolerance: float
    prior_pairs: float
    m_floor: float
    u_floor_pairs: float


@dataclass(frozen=True)
class Fit:
    """The estimated model: λ, and m and u per comparison level."""

    comparisons: tuple[Comparison, ...]
    lam: float
    m: tuple[np.ndarray, ...]
    u: tuple[np.ndarray, ...]
    iterations: int
    converged: bool
    expected_matches: float
    total_pairs: float
    candidate_pairs: int

    def level_weights(self, k: int) -> np.ndarray:
        """log2(m/u) of comparison ``k``'s levels (0 for a level no pair reaches)."""
        seen = self.comparisons[k].counts > 0
        return np.where(seen, np.log2(self.m[k] / self.u[k]), 0.0)

    @property
    def prior_weight(self) -> float:
        return float(np.log2(self.lam / (1.0 - self.lam)))

    def field_weights(self, gamma: np.ndarray) -> np.ndarray:
        """Each fitted pair's weight in bits per comparison (pairs × comparisons)."""
        return _log_ratios(gamma, self.comparisons, self.m, self.u, np.log2)

    def as_dict(self, digits: int = 3) -> dict[str, Any]:
        """The model as plain values (Splink's ``save_model_to_json``), rounded for reading."""
        def sig(x: float) -> float:
            return float(f"{x:.{digits}g}")

        return {
            "probability_two_random_records_match": sig(self.lam),
            "prior_weight": round(self.prior_weight, 2),
            "expected_matches": round(self.expected_matches, 2),
            "total_pairs": int(self.total_pairs), "candidate_pairs": self.candidate_pairs,
            "iterations": self.iterations, "converged": self.converged,
            "comparisons": {
                c.name: {level: {"m": sig(self.m[k][n]), "u": sig(self.u[k][n]),
                                 "weight": round(float(self.level_weights(k)[n]), 2),
                                 "pairs": round(float(c.counts[n]), 1)}
                         for n, level in enumerate(c.levels)}
                for k, c in enumerate(self.comparisons)},
        }


def _pairs_within(codes: np.ndarray) -> float:
    """Unordered pairs of rows sharing a code (codes ≥ 0; -1 = missing, never shared)."""
    sizes = np.bincount(codes[codes >= 0]).astype(np.float64)
    return float((sizes * (sizes - 1) / 2).sum())


def agreeing_pairs(*keys: np.ndarray | pd.Series) -> float:
    """Unordered pairs of rows equal on every key (rows with a missing key never agree).

    A key of integers is taken as codes already, -1 for missing.
    """
    combined: np.ndarray | None = None
    for key in keys:
        values = np.asarray(key)
        codes = values.astype(np.int64) if values.dtype.kind in "iu" else pd.factorize(
            values.astype(object), use_na_sentinel=True)[0]
        if combined is None:
            combined = codes.astype(np.int64)
        else:
            joint = np.where((combined < 0) | (codes < 0), -1,
                             combined * (int(codes.max(initial=0)) + 1) + codes)
            combined = pd.factorize(joint)[0].astype(np.int64)
            combined[joint < 0] = -1
    return 0.0 if combined is None else _pairs_within(combined)


def one_edit_pairs(values: pd.Series) -> float:
    """Unordered pairs of rows whose (distinct) strings are one edit apart.

    One edit: one character substituted, two adjacent different characters swapped,
    or one inserted or dropped; counted over the distinct values with their
    frequencies (deletion neighbourhoods), so no pair of rows is enumerated.
    """
    freq = values.dropna().astype(str).value_counts()
    if len(freq) < 2:
        return 0.0
    text = pd.Series(freq.index, dtype="string")
    n = freq.to_numpy(dtype=np.float64)
    length = text.str.len().to_numpy()
    known = pd.Index(text)
    total = 0.0
    dropped = []  # (string, the string with one character dropped)
    for k in range(int(length.max())):
        at = np.flatnonzero(length > k)
        t = text.iloc[at]
        rest = (t.str.slice(0, k) + t.str.slice(k + 1)).to_numpy()
        # substitutions at position k: the same length and the same rest
        g = pd.DataFrame({"len": length[at], "rest": rest, "n": n[at], "sq": n[at] ** 2})
        sums = g.groupby(["len", "rest"], sort=False)[["n", "sq"]].sum()
        total += float(((sums["n"] ** 2 - sums["sq"]) / 2).sum())
        dropped.append(pd.DataFrame({"s": at, "t": known.get_indexer(rest)}))
        # swaps of positions k and k+1 (each pair is met from both of its strings)
        two = at[length[at] > k + 1]
        t = text.iloc[two]
        a, b = t.str.slice(k, k + 1), t.str.slice(k + 1, k + 2)
        differ = (a != b).to_numpy(dtype=bool)
        swapped = (t.str.slice(0, k) + b + a + t.str.slice(k + 2)).to_numpy()[differ]
        other = known.get_indexer(swapped)
        total += float((n[two[differ]] * np.where(other >= 0, n[other], 0.0)).sum()) / 2
    pairs = pd.concat(dropped).drop_duplicates()  # "aab" drops to "ab" twice: one pair
    pairs = pairs[pairs["t"] >= 0]
    total += float((n[pairs["s"].to_numpy()] * n[pairs["t"].to_numpy()]).sum())
    return total


def _normalised(x: np.ndarray) -> np.ndarray:
    return x / x.sum()


def _floored(p: np.ndarray, floor: float) -> np.ndarray:
    """``p`` (summing to 1) with no entry below ``floor``, the others scaled down to make room."""
    low = p < floor
    while True:
        out = np.where(low, floor, p * (1.0 - floor * low.sum()) / p[~low].sum())
        if not (out < floor - 1e-15).any() or low.all():
            return out
        low |= out < floor


def _log_ratios(gamma: np.ndarray, comparisons: tuple[Comparison, ...] | list[Comparison],
                m: tuple[np.ndarray, ...] | list[np.ndarray],
                u: tuple[np.ndarray, ...] | list[np.ndarray], log: Any = np.log) -> np.ndarray:
    """Each pair's log(m/u) per comparison (pairs × comparisons); a missing value gives 0.

    A comparison with ``exact_u`` uses that pair's own u at its first level (the
    term frequency of the agreed value) instead of the level's.
    """
    out = np.empty(gamma.shape, dtype=np.float64)
    for k, c in enumerate(comparisons):
        col = gamma[:, k]
        seen = c.counts > 0  # a level no pair reaches has no evidence either way
        level = np.append(np.where(seen, log(m[k] / u[k]), 0.0), 0.0)
        w = level[col]
        if c.exact_u is not None:
            at = col == 0
            w[at] = log(m[k][0] / c.exact_u[at])
        out[:, k] = w
    return out


def fit(gamma: np.ndarray, comparisons: list[Comparison], total_pairs: float,
        start_lam: float, settings: Settings) -> Fit:
    """Estimate λ, m and u by EM over the candidate pairs ``gamma`` (pairs × comparisons).

    ``total_pairs`` is the number of all pairs of records; ``start_lam`` the starting λ.
    """
    s = settings

    def floored_m(mass: np.ndarray, start: np.ndarray) -> np.ndarray:
        m = _normalised(mass + s.prior_pairs * start) if mass.sum() + s.prior_pairs > 0 \
            else start
        return _floored(m, s.m_floor)

    def u_from(counts: np.ndarray, matched: np.ndarray) -> np.ndarray:
        return _normalised(np.maximum(counts - matched, s.u_floor_pairs))

    scopes = []
    for k, c in enumerate(comparisons):
        scope = gamma[:, k] >= 0
        if c.given is not None:
            scope &= gamma[:, c.given[0]] == c.given[1]
        scopes.append(scope)
    m = [floored_m(np.zeros(len(c.levels)), _normalised(c.start_m)) for c in comparisons]
    u = [u_from(c.counts, np.zeros(len(c.levels))) for c in comparisons]
    lam = min(max(start_lam, 1.0 / max(total_pairs, 2.0)), 0.5)
    iterations, converged, expected = 0, False, 0.0
    while iterations < s.max_iterations:
        iterations += 1
        # E-step: each pair's posterior probability of a match
        logit = np.log(lam / (1.0 - lam)) + _log_ratios(gamma, comparisons, m, u).sum(axis=1)
        post = 1.0 / (1.0 + np.exp(-np.clip(logit, -700.0, 700.0)))
        # M-step
        expected = float(post.sum())
        new_lam = min(max(expected / total_pairs, 1e-300), 0.5)
        new_m, new_u = [], []
        for k, c in enumerate(comparisons):
            col = gamma[:, k]
            present = col >= 0
            in_m = np.bincount(col[present], weights=post[present], minlength=len(c.levels))
            new_m.append(floored_m(in_m, _normalised(c.start_m)))
            scope = scopes[k]
            in_u = np.bincount(col[scope], weights=post[scope], minlength=len(c.levels))
            new_u.append(u_from(c.counts, in_u))
        change = max(max(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True)),
                     max(float(np.abs(a - b).max()) for a, b in zip(new_u, u, strict=True)),
                     abs(new_lam - lam) / lam)
        m, u, lam = new_m, new_u, new_lam
        if change < s.tolerance:
            converged = True
            break
    return Fit(tuple(comparisons), lam, tuple(m), tuple(u), iterations, converged, expected,
               float(total_pairs), len(gamma))
