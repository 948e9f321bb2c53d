"""FRAUD_INSTITUTION_OUTLIER: an institution whose classes look too good to be true (统计异常).

Each figure of a fraud can stay inside the rules - full classes, nobody
dropping out, attendance just clearing the line, maximum claims, near-perfect
pass and job rates - while together they describe an institution no honest
peer resembles. Figures that are merely poor (half-empty classes, drop-outs,
low pass or job rates) are ineffective training, which other rules judge: here
only the suspicious side of each figure counts, so a poor institution scores 0.

Per class (``FEATURES`` gives each figure's suspicious side and family):

* attendance: ``attendance_rate`` ↑ (mean hours attended / planned of the trainees
  still enrolled), ``attendance_spread`` ↓ (their standard deviation),
  ``line_bunching`` ↑ (the share of trainees at most ``line_band`` above
  ``attendance_line``, minus the share below it: records shaped to clear the line);
* roster: ``withdrawal_share`` ↓, ``fill_ratio`` ↑ (trainees still enrolled / capacity);
* records: ``manual_share`` ↑, ``backfilled_share`` ↑ (recorded more than
  ``backfill_lag_days`` late), ``face_score`` ↓, ``face_score_spread`` ↓,
  ``checkin_time_spread`` ↓ (the standard deviation, in hours, of one day's
  arrival times, averaged over the days);
* money: ``claim_ratio`` ↑ (training subsidy per trainee over the median of the mode);
* outcomes: ``pass_excess`` ↑ (pass rate in the occupation minus the occupation's
  median class), ``employment_excess`` ↑ (job rate minus the mode's median class).

Institutions with at least ``min_classes`` classes are scored, when there are
at least ``min_institutions`` of them (and a figure when that many have it).
Each institution's mean of a figure is shrunk towards the population's by its
noise - how many classes, how many people in them, how much they agree
(``shrinkage.shrink`` with ``prior_classes`` and ``min_scale``) - and
standardised (the shrunk z); its suspicious side is max(direction · z, 0). A
family counts once: its largest one-sided z, adjusted for the family's size
(``family_z``). The score is the length of the families' vector; it ranks the
institutions (ties by id). The top ``top_k``, and at most ``top_share`` of the
scored institutions (rounded up), are flagged when ordinary institutions would
reach their score at most ``max_false_alarms`` times in the whole city
(``chi_bar_tail`` times the institutions scored) and one figure's one-sided z
reaches ``min_top_z``: a city without such an institution flags nothing. The
explanation names the ``explain_top`` figures with the largest one-sided z,
each with the institution's value, the population's and the shrunk z. A
statistical signal proves no money: the amount at risk is 0; the institution's
claimed training subsidy is in ``observed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from scipy.stats import binom, chi2, norm

from detectors.base import Finding, Frames
from detectors.common import yuan
from detectors.constraints import Number, Severity, Share, Whole
from detectors.ineff_peer_outcomes import trainee_outcomes
from detectors.shrinkage import shrink

CODE = "FRAUD_INSTITUTION_OUTLIER"
CATEGORY = "subsidy_fraud"

# name -> (zh, en, suspicious direction: +1 high, -1 low, family)
FEATURES: dict[str, tuple[str, str, int, str]] = {
    "attendance_rate": ("平均出勤率", "mean attendance rate", 1, "attendance"),
    "attendance_spread": ("出勤率离散度", "spread of attendance", -1, "attendance"),
    "line_bunching": ("刚过线占比-未达线占比", "just above the line minus below it", 1,
                      "attendance"),
    "withdrawal_share": ("退学比例", "withdrawal share", -1, "roster"),
    "fill_ratio": ("在读人数/容量", "trainees / capacity", 1, "roster"),
    "manual_share": ("手工签到占比", "manual check-in share", 1, "records"),
    "backfilled_share": ("补录签到占比", "back-filled check-in share", 1, "records"),
    "face_score": ("人脸比对均分", "mean face score", -1, "records"),
    "face_score_spread": ("人脸比对分离散度", "spread of face scores", -1, "records"),
    "checkin_time_spread": ("签到时刻离散度(小时)", "spread of arrival times (hours)", -1,
                            "records"),
    "claim_ratio": ("人均申领/同类型中位数", "claim per trainee / mode median", 1, "money"),
    "pass_excess": ("通过率-同工种中位数", "pass rate minus occupation median", 1, "outcomes"),
    "employment_excess": ("就业率-同类型中位数", "employment rate minus mode median", 1,
                          "outcomes"),
}
FAMILIES = ("attendance", "roster", "records", "money", "outcomes")
# figures that are a share of people (the column holding the plain share), and means of
# people's values (the column holding their spread): their person-level noise is known
SHARE_OF = {"withdrawal_share": "withdrawal_share", "fill_ratio": "fill_ratio",
            "manual_share": "manual_share", "backfilled_share": "backfilled_share",
            "pass_excess": "pass_rate", "employment_excess": "employment_rate"}
SPREAD_OF = {"attendance_rate": "attendance_spread", "attendance_spread": "attendance_spread",
             "face_score": "face_score_spread", "face_score_spread": "face_score_spread"}
BEIJING_S = 8 * 3600  # a training day is a day in Beijing, whatever offset a source wrote
DAY_S = 86400


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    min_classes: Whole = 3
    min_institutions: Whole = 10
    top_k: Whole = 10
    top_share: Share = Decimal("0.10")
    max_false_alarms: Share = Decimal("0.01")
    min_top_z: Number = Decimal("3.0")
    prior_classes: Number = Decimal("4")
    min_scale: Number = Decimal("0.01")
    explain_top: Whole = 3
    attendance_line: Share = Decimal("0.80")
    line_band: Share = Decimal("0.10")
    backfill_lag_days: Whole = 3
    outcome_window_days: Whole = 365
    min_days_after_end: Whole = 90


def _checkin_figures(ck: pd.DataFrame, lag_days: int) -> pd.DataFrame:
    """Per class: manual and back-filled shares, face score mean and spread, arrival spread."""
    codes, uniq = pd.factorize(ck["class_id"])
    k = len(uniq)
    n = np.bincount(codes, minlength=k).astype(float)
    manual = np.bincount(codes, weights=(ck["method"].to_numpy() == "manual"), minlength=k)
    ts = ck["occurred_ts"].to_numpy(dtype=np.int64)
    lag = ck["recorded_us"].to_numpy(dtype=float) / 1e6 - ts
    late = np.nan_to_num(lag, nan=0.0) > lag_days * DAY_S
    back = np.bincount(codes, weights=late, minlength=k)

    face = ck["face_score"].to_numpy(dtype=float)
    has = ~np.isnan(face)
    fn = np.bincount(codes[has], minlength=k).astype(float)
    fs = np.bincount(codes[has], weights=face[has], minlength=k)
    fs2 = np.bincount(codes[has], weights=face[has] ** 2, minlength=k)
    fmean = np.where(fn > 0, fs / np.maximum(fn, 1), np.nan)
    fvar = np.where(fn > 1, (fs2 - fn * fmean ** 2) / np.maximum(fn - 1, 1), np.nan)

    # arrivals: the spread of one class-day's clock times, then the mean over its days
    arr = ck["direction"].to_numpy() == "in"
    local = ts[arr] + BEIJING_S
    day_codes, _ = pd.factorize(codes[arr].astype(np.int64) * 1_000_000 + local // DAY_S)
    clock = (local % DAY_S).astype(float) / 3600
    dn = np.bincount(day_codes).astype(float)
    ds = np.bincount(day_codes, weights=clock)
    ds2 = np.bincount(day_codes, weights=clock ** 2)
    dsd = np.sqrt(np.maximum(ds2 / dn - (ds / dn) ** 2, 0.0))
    day_class = np.zeros(len(dn), dtype=np.int64)
    day_class[day_codes] = codes[arr]
    several = dn > 1
    spread_n = np.bincount(day_class[several], minlength=k).astype(float)
    spread = np.bincount(day_class[several], weights=dsd[several], minlength=k)
    return pd.DataFrame({
        "manual_share": manual / n, "backfilled_share": back / n, "face_score": fmean,
        "face_score_spread": np.sqrt(np.maximum(fvar, 0.0)),
        "checkin_time_spread": np.where(spread_n > 0, spread / np.maximum(spread_n, 1), np.nan),
    }, index=uniq)


def class_figures(frames: Frames, p: Params) -> pd.DataFrame:
    """One row per class: its institution, the people behind its figures and the figures."""
    classes = frames.classes
    c = pd.DataFrame(index=classes.index)
    c["institution_id"] = classes["institution_id"]
    c["mode"] = classes["mode"].fillna("-")
    c["occupation"] = classes["occupation"]
    c["people"] = classes["enrolled"].astype(float)
    active = classes["active"].astype(float)
    c["withdrawal_share"] = (classes["enrolled"] - classes["active"]) / \
        classes["enrolled"].where(classes["enrolled"] > 0)
    c["fill_ratio"] = active / classes["capacity"].where(classes["capacity"] > 0)

    ta = frames.trainee_attendance
    ta = ta[~ta["withdrawn"].astype(bool)]
    rate = ta["hours_rate"].clip(upper=1.5)
    line = float(p.attendance_line)
    near = rate.between(line - 1e-9, line + float(p.line_band) + 1e-9).astype(float)
    below = (rate < line - 1e-9).astype(float)
    g = rate.groupby(ta["class_id"])
    c["attendance_rate"] = g.mean()
    c["attendance_spread"] = g.std(ddof=1)  # unbiased: small classes look no more uniform
    c["near_line"] = near.where(rate.notna()).groupby(ta["class_id"]).mean()
    c["below_line"] = below.where(rate.notna()).groupby(ta["class_id"]).mean()
    c["line_bunching"] = c["near_line"] - c["below_line"]

    ck = frames.checkins
    if ck.empty:
        for name in ("manual_share", "backfilled_share", "face_score", "face_score_spread",
                     "checkin_time_spread"):
            c[name] = np.nan
    else:
        c = c.join(_checkin_figures(ck, p.backfill_lag_days))

    claims = frames.claims
    training = claims[(claims["kind"] == "training") & claims["class_id"].notna()]
    items = frames.claim_items.merge(training[["class_id"]], left_on="claim_id",
                                     right_index=True)
    c["claimed_fen"] = items.groupby("class_id")["amount_fen"].sum().astype(float)
    per_trainee = c["claimed_fen"] / active.where(active > 0)
    c["claim_ratio"] = per_trainee / per_trainee.groupby(c["mode"]).transform("median")
    c["claimed_fen"] = c["claimed_fen"].fillna(0.0)

    t = trainee_outcomes(frames, p.outcome_window_days, p.min_days_after_end)
    if not t.empty:
        o = t.groupby("class_id")[["passed", "employed"]].mean()
        c["pass_rate"] = pass_rate = o["passed"].reindex(c.index).astype(float)
        c["employment_rate"] = emp_rate = o["employed"].reindex(c.index).astype(float)
        c["pass_excess"] = pass_rate - pass_rate.groupby(c["occupation"]).transform("median")
        c["employment_excess"] = emp_rate - emp_rate.groupby(c["mode"]).transform("median")
    else:
        for name in ("pass_rate", "employment_rate", "pass_excess", "employment_excess"):
            c[name] = np.nan
    return c


def family_z(top: np.ndarray, k: int) -> np.ndarray:
    """The largest of a family's k one-sided z, as one z (Šidák): figures of one family
    describe one behaviour, so they count once, and a family of five gets no more
    chances to stand out than a family of one."""
    sf = norm.sf(top)
    p = -np.expm1(k * np.log1p(-np.minimum(sf, 1 - 1e-16)))
    with np.errstate(divide="ignore"):
        z = np.where(p > 0, norm.isf(np.maximum(p, 1e-300)), top)
    return np.maximum(z, 0.0)


def _mean(c: pd.DataFrame, col: str) -> float:
    """People-weighted mean of a class column over the classes that have it."""
    ok = c[col].notna() & (c["people"] > 0)
    return float(np.average(c.loc[ok, col], weights=c.loc[ok, "people"])) if ok.any() else 0.0


def _person_variance(name: str, c: pd.DataFrame) -> float | None:
    """The variance of one person's value behind a class figure, where the figure says it:
    p(1 − p) for a share of people, the pooled spread for a mean; None: fitted."""
    share = SHARE_OF.get(name)
    if share is not None:
        q = min(max(_mean(c, share), 0.0), 1.0)  # a class over capacity fills past 1
        return q * (1 - q)
    if name == "line_bunching":  # +1 just above the line, −1 below it, 0 elsewhere
        near, below = _mean(c, "near_line"), _mean(c, "below_line")
        return near + below - (near - below) ** 2
    spread = SPREAD_OF.get(name)
    if spread is None:
        return None
    pooled = _mean(c.assign(v=c[spread] ** 2), "v")
    # a standard deviation of m values varies about σ² / (2m) around σ
    return pooled / 2 if name == spread else pooled


def chi_bar_tail(s2: np.ndarray, k: int) -> np.ndarray:
    """P(Σ max(z_j, 0)² ≥ s2) for k independent standard normal z_j (chi-bar-squared).

    Each z_j is on the suspicious side with probability ½, so the sum is χ² with
    j degrees of freedom with binomial(k, ½) weight (χ²₀ is 0).
    """
    w = binom.pmf(np.arange(k + 1), k, 0.5)
    tail = np.where(s2 <= 0, w[0], 0.0)
    for j in range(1, k + 1):
        tail = tail + w[j] * chi2.sf(s2, j)
    return tail


def institution_scores(frames: Frames, p: Params) -> pd.DataFrame:
    """Per eligible institution: each figure's mean, population value, shrunk z, one-sided z
    (``value_*``, ``population_*``, ``z_*``, ``side_*``), the score and the rank."""
    if frames.classes.empty:
        return pd.DataFrame()
    return score_classes(class_figures(frames, p), p)


def score_classes(c: pd.DataFrame, p: Params) -> pd.DataFrame:
    """``institution_scores`` from per-class figures (``class_figures``' columns)."""
    c = c[c["institution_id"].notna()]
    counts = c.groupby("institution_id").size()
    eligible = counts.index[counts >= p.min_classes]
    if len(eligible) < max(p.min_institutions, 2):
        return pd.DataFrame()
    c = c[c["institution_id"].isin(eligible)]
    out = pd.DataFrame(index=pd.Index(sorted(eligible), name="institution_id"))
    out["classes"] = counts.reindex(out.index)
    out["claimed_fen"] = c.groupby("institution_id")["claimed_fen"].sum().reindex(out.index)
    scored: dict[str, int] = {}
    for name, (_, _, direction, family) in FEATURES.items():
        s, mu, tau = shrink(c[name], c["institution_id"], c["people"],
                             prior_units=float(p.prior_classes), min_scale=float(p.min_scale),
                             person_variance=_person_variance(name, c), side=direction)
        s = s.reindex(out.index)
        out[f"value_{name}"] = s["mean"]
        out[f"population_{name}"] = mu
        out[f"spread_{name}"] = tau
        out[f"z_{name}"] = 0.0
        if s["units"].notna().sum() >= p.min_institutions:
            scored[family] = scored.get(family, 0) + 1
            out[f"z_{name}"] = s["z"].fillna(0.0)
        out[f"side_{name}"] = (direction * out[f"z_{name}"]).clip(lower=0.0)
    sides = [f"side_{name}" for name in FEATURES]
    out["top_z"] = out[sides].max(axis=1)
    for family, k in sorted(scored.items(), key=lambda fk: FAMILIES.index(fk[0])):
        mine = [f"side_{name}" for name, f in FEATURES.items() if f[3] == family]
        out[f"family_{family}"] = family_z(out[mine].max(axis=1).to_numpy(), k)
    families = [f"family_{family}" for family in scored]
    out["score"] = np.sqrt((out[families] ** 2).sum(axis=1))
    out["false_alarms"] = len(out) * chi_bar_tail(out["score"].to_numpy() ** 2, len(scored))
    order = out.reset_index().sort_values(["score", "institution_id"],
                                          ascending=[False, True])["institution_id"]
    out["rank"] = pd.Series(np.arange(1, len(out) + 1), index=order.to_numpy())
    return out


def _fmt(name: str, value: float) -> str:
    if value != value:
        return "n/a"
    if name == "claim_ratio":
        return f"{value:.2f}"
    if name in ("face_score", "face_score_spread"):
        return f"{value:.3f}"
    if name == "checkin_time_spread":
        return f"{value:.2f}h"
    if name.endswith("_excess"):
        return f"{value * 100:+.0f}pp"
    if name == "line_bunching":
        return f"{value:+.0%}"
    return f"{value:.0%}"


def _round(value: float, digits: int) -> float | None:
    return None if value != value else round(float(value), digits)


def detect(frames: Frames, p: Params) -> list[Finding]:
    s = institution_scores(frames, p)
    if s.empty:
        return []
    n = len(s)
    cap = min(p.top_k, math.ceil(float(p.top_share) * n))
    flagged = s[(s["rank"] <= cap) & (s["false_alarms"] <= float(p.max_false_alarms))
                & (s["top_z"] >= float(p.min_top_z))].sort_values("rank")
    classes = frames.classes
    out = []
    for inst, r in flagged.iterrows():
        sides = pd.Series({name: r[f"side_{name}"] for name in FEATURES})
        top = [name for name in sides.sort_values(ascending=False, kind="stable").index
               if sides[name] > 0][: p.explain_top]
        features = {name: {"value": _round(r[f"value_{name}"], 4),
                           "population": _round(r[f"population_{name}"], 4),
                           "population_spread": _round(r[f"spread_{name}"], 4),
                           "shrunk_z": round(float(r[f"z_{name}"]), 2),
                           "suspicious": "high" if FEATURES[name][2] > 0 else "low",
                           "family": FEATURES[name][3]}
                    for name in FEATURES}
        parts_zh, parts_en = [], []
        for name in top:
            zh, en, _, _ = FEATURES[name]
            v, m, z = r[f"value_{name}"], r[f"population_{name}"], r[f"z_{name}"]
            parts_zh.append(f"{zh} {_fmt(name, v)}（全体 {_fmt(name, m)}，收缩 z = {z:+.1f}）")
            parts_en.append(f"{en} {_fmt(name, v)} (population {_fmt(name, m)}, "
                            f"shrunk z = {z:+.1f})")
        mine = classes[classes["institution_id"] == inst]
        rank, score, fa = int(r["rank"]), float(r["score"]), float(r["false_alarms"])
        limit = float(p.max_false_alarms)
        odds = f"{fa:.2g}" if fa >= 1e-6 else "< 1e-6"
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Institution's figures are too good to be true, several at once",
            zh=(f"{inst} 的 {int(r['classes'])} 个班级在 {n} 家机构中可疑度排名第 {rank}"
                f"（各指标可疑方向的收缩 z 合成分 {score:.1f}；{n} 家正常机构中预期达到此分的"
                f"家数 {odds}，不超过 {limit:g}）：{'；'.join(parts_zh)}"),
            en=(f"{inst}'s {int(r['classes'])} classes rank {rank} of {n} institutions on the "
                f"suspicious side of their figures (one-sided shrunk z combined {score:.1f}; "
                f"{n} ordinary institutions would reach it {odds} times in expectation, at "
                f"most {limit:g}): {'; '.join(parts_en)}"),
            subject_type="institution", subject_id=inst, amount_at_risk_fen=0,
            class_ids=mine.index, institution_ids=[inst],
            evidence=mine["position"],
            observed={"score": round(score, 3), "rank": rank, "institutions_scored": n,
                      "expected_false_alarms": float(f"{fa:.3g}"),
                      "flag_slots": cap, "classes": int(r["classes"]),
                      "top_features": top, "features": features,
                      "families": {f: round(float(r[f"family_{f}"]), 2) for f in FAMILIES
                                   if f"family_{f}" in r.index},
                      "claimed_training_fen": int(r["claimed_fen"]),
                      "claimed_training_yuan": yuan(int(r["claimed_fen"]))},
        ))
    return out
