"""FRAUD_INSTITUTION_OUTLIER: an institution unlike its peers in many figures at once (统计异常).

Each figure of a fraud can stay inside the rules - attendance just above the
threshold, full classes, maximum claims, low but possible pass rates - while
together they describe an institution no honest peer resembles. The detector
computes per-class figures, averages them per institution, standardises them
robustly and scores the institutions with an isolation forest.

Per class (then the mean over the institution's classes):

* ``attendance_rate``: mean hours attended / planned of the trainees still enrolled;
* ``attendance_spread``: the standard deviation of that rate across them;
* ``withdrawal_share``: trainees who withdrew / enrolled;
* ``fill_ratio``: trainees still enrolled / the class's capacity;
* ``manual_share``: check-ins typed in by hand (method ``manual``);
* ``face_score``: mean face-match score of the check-ins that have one;
* ``backfilled_share``: check-ins recorded more than ``backfill_lag_days`` after they happened;
* ``claim_ratio``: training subsidy claimed per trainee still enrolled, over the
  median of classes of the same mode (modes pay different rates);
* ``pass_excess``: the share of trainees who passed an assessment in the
  occupation after the class started, minus the median of classes of the same
  occupation (occupations differ in difficulty);
* ``employment_excess``: the share employed after the class, minus the median
  of classes of the same mode (enterprise trainees already have jobs).

Only institutions with at least ``min_classes`` classes take part, and only
when there are at least ``min_institutions`` of them. Each figure becomes a
robust z-score: (value − median) / (1.4826 · MAD) across those institutions,
the scale floored at ``min_scale`` (every figure is a share, a ratio near 1
or a score in 0..1, so a difference under one point distinguishes nothing -
without the floor a 1 % manual share among peers at 0 % would score z = 9); a
figure the institution lacks scores 0. Ordinary variation is then ignored:
the forest sees each z shrunk towards 0 by ``ignore_within_z`` (|z| ≤ 2 → 0,
z = −5 → −3), so it cannot isolate an institution by noise inside the bulk
(a feature where nearly every peer scores exactly 0, such as the manual
share, would otherwise isolate anyone at 0.5 %). An ``IsolationForest`` with
``n_estimators`` trees of ``max_samples`` institutions each (small subsamples
keep a group of similar outliers from masking one another, as Liu et al.
recommend) and ``random_state`` from the rules scores them (anomaly score in
(0, 1), about 0.5 for ordinary points). An institution is flagged when its
score is at least ``min_anomaly_score`` and at least one of its figures has a
robust |z| of ``min_top_z`` or more (an outlier must be explainable), at most
``max_share`` of the scored institutions, the most anomalous first. The
explanation names the ``explain_top`` figures with the largest |z|, each with
the institution's value and the peer median. A statistical signal proves no
money: the amount at risk is 0; the institution's claimed training subsidy is
in ``observed``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from detectors.base import Finding, Frames
from detectors.common import yuan
from detectors.ineff_peer_outcomes import trainee_outcomes

CODE = "FRAUD_INSTITUTION_OUTLIER"
CATEGORY = "subsidy_fraud"

FEATURES: dict[str, tuple[str, str]] = {
    "attendance_rate": ("平均出勤率", "mean attendance rate"),
    "attendance_spread": ("出勤率离散度", "spread of attendance"),
    "withdrawal_share": ("退学比例", "withdrawal share"),
    "fill_ratio": ("在读人数/容量", "trainees / capacity"),
    "manual_share": ("手工签到占比", "manual check-in share"),
    "face_score": ("人脸比对均分", "mean face score"),
    "backfilled_share": ("补录签到占比", "back-filled check-in share"),
    "claim_ratio": ("人均申领/同类型中位数", "claim per trainee / mode median"),
    "pass_excess": ("通过率-同工种中位数", "pass rate minus occupation median"),
    "employment_excess": ("就业率-同类型中位数", "employment rate minus mode median"),
}


@dataclass(frozen=True)
class Params:
    severity: str = "medium"
    min_classes: int = 3
    min_institutions: int = 10
    n_estimators: int = 500
    max_samples: int = 16
    random_state: int = 20260101
    min_anomaly_score: Decimal = Decimal("0.55")
    max_share: Decimal = Decimal("0.10")
    min_top_z: Decimal = Decimal("3.0")
    min_scale: Decimal = Decimal("0.01")
    ignore_within_z: Decimal = Decimal("2.0")
    explain_top: int = 3
    backfill_lag_days: int = 3
    outcome_window_days: int = 365
    min_days_after_end: int = 90


def class_figures(frames: Frames, p: Params) -> pd.DataFrame:
    """One row per class with its institution and the per-class figures."""
    classes = frames.classes
    c = pd.DataFrame(index=classes.index)
    c["institution_id"] = classes["institution_id"]
    c["mode"] = classes["mode"].fillna("-")
    c["occupation"] = classes["occupation"]
    active = classes["active"].astype(float)
    c["withdrawal_share"] = (classes["enrolled"] - classes["active"]) / \
        classes["enrolled"].where(classes["enrolled"] > 0)
    c["fill_ratio"] = active / classes["capacity"].where(classes["capacity"] > 0)

    ta = frames.trainee_attendance
    ta = ta[~ta["withdrawn"].astype(bool)]
    rate = ta["hours_rate"].clip(upper=1.5)
    g = rate.groupby(ta["class_id"])
    c["attendance_rate"] = g.mean()
    c["attendance_spread"] = g.std(ddof=0)

    ck = frames.checkins
    if not ck.empty:
        codes, uniq = pd.factorize(ck["class_id"])
        n = np.bincount(codes, minlength=len(uniq)).astype(float)
        manual = np.bincount(codes, weights=(ck["method"].to_numpy() == "manual"),
                             minlength=len(uniq))
        face = ck["face_score"].to_numpy(dtype=float)
        has = ~np.isnan(face)
        face_n = np.bincount(codes[has], minlength=len(uniq)).astype(float)
        face_sum = np.bincount(codes[has], weights=face[has], minlength=len(uniq))
        lag = ck["recorded_us"].to_numpy(dtype=float) / 1e6 - ck["occurred_ts"].to_numpy(float)
        late = np.nan_to_num(lag, nan=0.0) > p.backfill_lag_days * 86400
        back = np.bincount(codes, weights=late, minlength=len(uniq))
        per = pd.DataFrame({"manual_share": manual / n, "backfilled_share": back / n,
                            "face_score": np.where(face_n > 0, face_sum / np.maximum(face_n, 1),
                                                   np.nan)}, index=uniq)
        c = c.join(per)
    else:
        c[["manual_share", "backfilled_share", "face_score"]] = np.nan

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
        pass_rate = o["passed"].reindex(c.index)
        emp_rate = o["employed"].reindex(c.index)
        c["pass_excess"] = pass_rate - pass_rate.groupby(c["occupation"]).transform("median")
        c["employment_excess"] = emp_rate - emp_rate.groupby(c["mode"]).transform("median")
    else:
        c["pass_excess"] = np.nan
        c["employment_excess"] = np.nan
    return c


def robust_z(values: pd.DataFrame, min_scale: float) -> tuple[pd.DataFrame, pd.Series]:
    """(value − median) / max(1.4826·MAD, min_scale) per column; a missing value scores 0."""
    med = values.median()
    scale = (1.4826 * (values - med).abs().median()).fillna(0.0).clip(lower=min_scale)
    return ((values - med) / scale).fillna(0.0), med


def institution_scores(frames: Frames, p: Params) -> pd.DataFrame:
    """Per eligible institution: its figures, their robust z (``z_*``), score and rank."""
    if frames.classes.empty:
        return pd.DataFrame()
    c = class_figures(frames, p)
    c = c[c["institution_id"].notna()]
    agg = c.groupby("institution_id")[list(FEATURES)].mean()
    agg["classes"] = c.groupby("institution_id").size()
    agg["claimed_fen"] = c.groupby("institution_id")["claimed_fen"].sum()
    agg = agg[agg["classes"] >= p.min_classes].sort_index()
    if len(agg) < max(p.min_institutions, 2):
        return pd.DataFrame()
    z, med = robust_z(agg[list(FEATURES)], float(p.min_scale))
    forest = IsolationForest(n_estimators=p.n_estimators, random_state=p.random_state,
                             max_samples=min(p.max_samples, len(agg)), contamination="auto")
    k = float(p.ignore_within_z)
    x = np.sign(z.to_numpy()) * np.maximum(z.abs().to_numpy() - k, 0.0)
    forest.fit(x)
    agg["score"] = -forest.score_samples(x)
    for name in FEATURES:
        agg[f"z_{name}"] = z[name]
        agg[f"median_{name}"] = med[name]
    agg["max_abs_z"] = z.abs().max(axis=1)
    agg["rank"] = agg["score"].rank(ascending=False, method="first").astype(int)
    return agg


def _fmt(name: str, value: float) -> str:
    if value != value:
        return "n/a"
    if name == "claim_ratio":
        return f"{value:.2f}"
    if name == "face_score":
        return f"{value:.3f}"
    if name.endswith("_excess"):
        return f"{value * 100:+.0f}pp"
    return f"{value:.0%}"


def detect(frames: Frames, p: Params) -> list[Finding]:
    s = institution_scores(frames, p)
    if s.empty:
        return []
    cap = math.ceil(float(p.max_share) * len(s))
    standing_out = s[(s["score"] >= float(p.min_anomaly_score))
                     & (s["max_abs_z"] >= float(p.min_top_z))]
    flagged = standing_out.sort_values(["score", "rank"], ascending=[False, True]).head(cap)
    if flagged.empty:
        return []
    classes = frames.classes
    out = []
    for inst, r in flagged.sort_values("rank").iterrows():
        zs = pd.Series({name: r[f"z_{name}"] for name in FEATURES})
        top = zs.abs().sort_values(ascending=False, kind="stable").index[: p.explain_top]
        parts_zh, parts_en, features = [], [], {}
        for name in FEATURES:
            features[name] = {"value": None if r[name] != r[name] else round(float(r[name]), 4),
                              "peer_median": round(float(r[f"median_{name}"]), 4)
                              if r[f"median_{name}"] == r[f"median_{name}"] else None,
                              "robust_z": round(float(r[f"z_{name}"]), 2)}
        for name in top:
            zh, en = FEATURES[name]
            v, m, z = r[name], r[f"median_{name}"], r[f"z_{name}"]
            parts_zh.append(f"{zh} {_fmt(name, v)}（同行中位数 {_fmt(name, m)}，z = {z:+.1f}）")
            parts_en.append(f"{en} {_fmt(name, v)} (peer median {_fmt(name, m)}, z = {z:+.1f})")
        mine = classes[classes["institution_id"] == inst]
        n = len(s)
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Institution stands out from its peers in several figures at once",
            zh=(f"{inst} 的 {int(r['classes'])} 个班级综合指标在 {n} 家机构中异常（孤立森林异常分 "
                f"{r['score']:.3f} ≥ {float(p.min_anomaly_score):g}，排名第 {int(r['rank'])}）："
                f"{'；'.join(parts_zh)}"),
            en=(f"{inst}'s {int(r['classes'])} classes stand out among {n} institutions "
                f"(isolation-forest anomaly score {r['score']:.3f}, at least "
                f"{float(p.min_anomaly_score):g}, rank {int(r['rank'])}): "
                f"{'; '.join(parts_en)}"),
            subject_type="institution", subject_id=inst, amount_at_risk_fen=0,
            class_ids=mine.index, institution_ids=[inst],
            evidence=mine["position"],
            observed={"anomaly_score": round(float(r["score"]), 4), "rank": int(r["rank"]),
                      "institutions_scored": n, "classes": int(r["classes"]),
                      "top_features": list(top), "features": features,
                      "claimed_training_fen": int(r["claimed_fen"]),
                      "claimed_training_yuan": yuan(int(r["claimed_fen"]))},
        ))
    return out
