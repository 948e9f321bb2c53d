"""FRAUD_PROXY_CHECKIN: one device checking many trainees in within seconds, day after day (代签到).

A *burst* is a run of check-ins ("in" records) on one device in which at
least ``burst_min_persons`` distinct trainees of one class are checked in
within ``burst_window_seconds`` of each other. Real trainees trickle in over
20-40 minutes; one phone held up to a stack of ID photos produces a burst.
Counting per class keeps a busy shared gate (several classes trickling in
through one terminal) from adding up to a false burst. A class
is flagged when its trainees appear in bursts on at least ``min_burst_days``
days, or on any day when the median face score of its burst check-ins is
below ``low_face_score`` (photos of photos match badly). One morning queue
with good face scores is the legitimate look-alike.

Vectorised: check-ins are sorted by (device, class, time) as one int64 key; for each
row ``searchsorted`` finds the end of its window, so the count of check-ins in
every window is one subtraction. Only rows inside a dense window are looked at
again, with repeat check-ins of one person removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import class_claims, class_positions, yuan
from detectors.constraints import Severity, Share, Whole

CODE = "FRAUD_PROXY_CHECKIN"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    burst_min_persons: Whole = 8
    burst_window_seconds: Whole = 60
    min_burst_days: Whole = 3
    low_face_score: Share = Decimal("0.60")


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """Dense int codes of (device, class) for each row."""
    dev, _ = pd.factorize(frame["device_id"].to_numpy(dtype=object))
    cls, cls_uniques = pd.factorize(frame["class_id"].to_numpy(dtype=object),
                                    use_na_sentinel=False)
    codes, _ = pd.factorize(dev.astype(np.int64) * (len(cls_uniques) + 1) + cls)
    return codes


def _dense(device_codes: np.ndarray, ts: np.ndarray, window: int,
           min_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, member, count): the sort order by group and time; which sorted rows lie in
    a window of ``window`` seconds holding at least ``min_rows`` rows of the same group;
    and how many rows the window starting at each sorted row holds."""
    key = (device_codes.astype(np.int64) << 32) | (ts.astype(np.int64) & 0xFFFFFFFF)
    order = np.argsort(key, kind="stable")
    k = key[order]
    n = len(k)
    end = np.searchsorted(k, k + window, side="right")
    count = end - np.arange(n)
    starts = np.flatnonzero(count >= min_rows)
    if starts.size == 0:
        return order, np.zeros(n, dtype=bool), count
    diff = (np.bincount(starts, minlength=n + 1)
            - np.bincount(end[starts], minlength=n + 1))
    return order, np.cumsum(diff)[:n] > 0, count



def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every class with a check-in from a device."""
    c = frames.checkins
    c = c[(c["direction"] == "in") & c["device_id"].notna()]
    return [Examined.of("class", c["class_id"], "classes with device check-ins",
                        "有设备签到的班级", ("burst_min_persons", "burst_window_seconds",
                                         "min_burst_days", "low_face_score"))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    c = frames.checkins
    if c.empty:
        return []
    window, need = int(p.burst_window_seconds), int(p.burst_min_persons)
    direction = c["direction"].to_numpy(dtype=object)
    device = c["device_id"]
    mask = (direction == "in") & device.notna().to_numpy()
    if not mask.any():
        return []
    idx = np.flatnonzero(mask)
    codes = _groups(c.iloc[idx])
    ts = c["occurred_ts"].to_numpy()[idx]
    order, member, _count = _dense(codes, ts, window, need)
    if not member.any():
        return []

    # Second pass on the dense rows only: one check-in per person, device, class and day.
    cand = c.iloc[idx[order[member]]][["position", "occurred_ts", "date", "class_id",
                                       "person_id", "device_id", "face_score"]]
    cand = cand.sort_values(["device_id", "occurred_ts", "position"], kind="stable")
    cand = cand.drop_duplicates(["device_id", "class_id", "person_id", "date"])
    if cand.empty:
        return []
    codes2 = _groups(cand)
    order2, member2, count2 = _dense(codes2, cand["occurred_ts"].to_numpy(), window, need)
    b = cand.iloc[order2[member2]].copy()
    b["in_window"] = count2[member2]  # check-ins in the window starting at this one
    if b.empty:
        return []
    # Label bursts: consecutive members of one group no more than a window apart.
    b_dev = codes2[order2[member2]]
    b_ts = b["occurred_ts"].to_numpy()
    new = np.ones(len(b), dtype=bool)
    new[1:] = (b_dev[1:] != b_dev[:-1]) | (b_ts[1:] - b_ts[:-1] > window)
    b["burst"] = np.cumsum(new)
    per_burst = b.groupby("burst").agg(first=("occurred_ts", "min"),
                                       last=("occurred_ts", "max"),
                                       size=("person_id", "nunique"))
    b["burst_size"] = b["burst"].map(per_burst["size"])
    b["burst_span"] = b["burst"].map(per_burst["last"] - per_burst["first"])

    claims = frames.claims
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items.join(claims["class_id"], on="claim_id")
    items = items[items["class_id"].isin(b["class_id"].unique())]
    items_by_class = dict(tuple(items.groupby("class_id")))
    classes = frames.classes
    low = float(p.low_face_score)
    out = []
    for cid, g in b.groupby("class_id", sort=True):
        days = sorted(set(g["date"]))
        face = g["face_score"].dropna()
        median_face = float(face.median()) if len(face) else None
        low_face = median_face is not None and median_face < low
        if len(days) < p.min_burst_days and not low_face:
            continue
        people = sorted(set(g["person_id"]))
        biggest = g.loc[g["burst_size"].idxmax()]
        peak = int(g["in_window"].max())
        devices = sorted(set(g["device_id"]))
        ci, claimed, institutions = class_claims(items_by_class.get(cid, items.iloc[:0]),
                                                 classes, cid, people)
        reasons_zh = [f"{len(days)} 天出现（阈值 {p.min_burst_days} 天）"]
        reasons_en = [f"on {len(days)} day(s) (threshold {p.min_burst_days})"]
        if median_face is not None:
            reasons_zh.append(f"人脸比对分中位数 {median_face:.2f}"
                              + (f" < {low:.2f}" if low_face else ""))
            reasons_en.append(f"median face score {median_face:.2f}"
                              + (f", below {low:.2f}" if low_face else ""))
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Proxy check-in: bursts of trainees checked in on one device",
            zh=(f"班级 {cid} 在设备 {'、'.join(devices)} 上集中签到：{window} 秒内最多 "
                f"{peak} 人（阈值 {need} 人），最长一串 {int(biggest['burst_size'])} 人用时 "
                f"{int(biggest['burst_span'])} 秒，{'，'.join(reasons_zh)}；涉及 {len(people)} "
                f"名学员，申领补贴 {yuan(claimed)} 元"),
            en=(f"class {cid}: bursts of check-ins on device {', '.join(devices)}, up to "
                f"{peak} trainees within {window} seconds (threshold {need}), the largest "
                f"run {int(biggest['burst_size'])} trainees in {int(biggest['burst_span'])} "
                f"seconds, {'; '.join(reasons_en)}; {len(people)} trainees, "
                f"{yuan(claimed)} yuan claimed for them"),
            subject_type="class", subject_id=cid, amount_at_risk_fen=claimed,
            person_ids=people, class_ids=[cid],
            institution_ids=institutions,
            claim_ids=set(ci["claim_id"]),
            evidence=[*g["position"], *ci["position"],
                      *class_positions(classes, [cid])],
            observed={"burst_days": len(days), "days": days,
                      "bursts": int(g["burst"].nunique()),
                      "max_persons_in_window": peak,
                      "max_persons_in_burst": int(biggest["burst_size"]),
                      "max_burst_seconds": int(biggest["burst_span"]),
                      "median_face_score": None if median_face is None
                      else round(median_face, 4),
                      "persons": len(people), "devices": devices},
        ))
    return out
