"""FRAUD_BACKFILLED_ATTENDANCE: a class's attendance typed in long after the fact (补录考勤).

An attendance record is *back-filled* when the source recorded it more than
``max_lag_days`` days after the check time it claims (``recorded_at`` minus
``occurred_at``). A class is flagged when at least ``min_backfilled`` of its
records are back-filled, or at least ``min_backfilled_any`` are and they make
up ``min_backfilled_share`` of the class's records or were recorded after the
class's first claim was filed (attendance made up to support the claim). A
single late correction is the look-alike. The claimed amount for the trainees
with back-filled records is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors._subsidies import distinct_of_checkins
from detectors.base import Examined, Finding, Frames
from detectors.common import class_claims, class_positions, pct, yuan
from detectors.constraints import Severity, Share, Whole

CODE = "FRAUD_BACKFILLED_ATTENDANCE"
CATEGORY = "subsidy_fraud"

_DAY = 86_400


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    max_lag_days: Whole = 3
    min_backfilled: Whole = 10
    min_backfilled_share: Share = Decimal("0.20")
    min_backfilled_any: Whole = 3


def _epoch(iso: pd.Series) -> pd.Series:
    """UTC epoch seconds of ISO timestamps with offsets (missing stays missing)."""
    t = pd.to_datetime(iso, utc=True, format="ISO8601", errors="coerce")
    return (t - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(seconds=1)



def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every class with an attendance record."""
    return [Examined.of("class", distinct_of_checkins(frames, "class_id"),
                        "classes with attendance records",
                        "有考勤记录的班级", ("max_lag_days",))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    c = frames.checkins
    if c.empty:
        return []
    lag = c["recorded_us"].to_numpy() // 1_000_000 - c["occurred_ts"].to_numpy()
    late = np.flatnonzero(lag > int(p.max_lag_days) * _DAY)
    if late.size == 0:
        return []
    back = c.iloc[late][["position", "recorded_us", "occurred_ts", "date", "class_id",
                         "person_id", "method"]].copy()
    back["lag_days"] = lag[late] / _DAY
    back = back[back["class_id"].notna()]
    per_class = back.groupby("class_id").size()
    candidates = per_class[per_class >= min(p.min_backfilled, p.min_backfilled_any)].index
    if candidates.empty:
        return []
    back = back[back["class_id"].isin(candidates)]
    total = c.loc[c["class_id"].isin(candidates), "class_id"].value_counts()

    claims = frames.claims
    with_class = claims[claims["class_id"].isin(candidates)]
    claimed_at = with_class.get("registered_at", with_class["occurred_at"])
    first_claim = _epoch(claimed_at).groupby(with_class["class_id"]).min()
    back["recorded_s"] = back["recorded_us"] // 1_000_000
    back["claim_ts"] = back["class_id"].map(first_claim)
    back["after_claim"] = back["claim_ts"].notna() & (back["recorded_s"] > back["claim_ts"])

    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items.join(claims["class_id"], on="claim_id")
    items = items[items["class_id"].isin(candidates)]
    classes = frames.classes
    share_min = float(p.min_backfilled_share)
    out = []
    for cid, g in back.groupby("class_id", sort=True):
        n = len(g)
        n_total = int(total.get(cid, n))
        share = n / n_total if n_total else 1.0
        after = int(g["after_claim"].sum())
        fires = n >= p.min_backfilled or (
            n >= p.min_backfilled_any and (share >= share_min or after >= p.min_backfilled_any))
        if not fires:
            continue
        people = sorted(set(g["person_id"].dropna()))
        ci, claimed, institutions = class_claims(items, classes, cid, people)
        max_lag = float(g["lag_days"].max())
        median_lag = float(g["lag_days"].median())
        methods = {str(k): int(v) for k, v in g["method"].value_counts().items()}
        after_zh = f"，其中 {after} 条录入于该班补贴申请之后" if after else ""
        after_en = f", {after} of them recorded after the class's claim was filed" if after \
            else ""
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Attendance back-filled long after the fact",
            zh=(f"班级 {cid} 有 {n}/{n_total} 条考勤记录 ({pct(share)}) 在发生 "
                f"{p.max_lag_days} 天以后才录入（最长 {max_lag:.0f} 天，中位 {median_lag:.0f} 天）"
                f"{after_zh}；阈值 {p.min_backfilled} 条或 {pct(share_min)}；涉及 "
                f"{len(people)} 名学员，申领补贴 {yuan(claimed)} 元"),
            en=(f"class {cid}: {n} of {n_total} attendance records ({pct(share)}) were "
                f"recorded more than {p.max_lag_days} days after they happened (up to "
                f"{max_lag:.0f}, median {median_lag:.0f} days){after_en}; thresholds "
                f"{p.min_backfilled} records or {pct(share_min)}; {len(people)} trainees, "
                f"{yuan(claimed)} yuan claimed for them"),
            subject_type="class", subject_id=cid, amount_at_risk_fen=claimed,
            person_ids=people, class_ids=[cid],
            institution_ids=institutions,
            claim_ids=set(ci["claim_id"]),
            evidence=[*g["position"], *ci["position"],
                      *class_positions(classes, [cid])],
            observed={"backfilled": n, "records": n_total, "share": round(share, 4),
                      "after_claim": after, "max_lag_days": round(max_lag, 2),
                      "median_lag_days": round(median_lag, 2), "methods": methods,
                      "persons": len(people)},
        ))
    return out
