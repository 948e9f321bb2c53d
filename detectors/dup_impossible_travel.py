"""DUP_IMPOSSIBLE_TRAVEL: one person checked in at two places too far apart for the time.

Every attendance record of a person is compared with their previous one (sorted by
time): when the great-circle distance exceeds ``min_distance_km`` (GPS noise is ignored
below it) and distance / elapsed time exceeds ``max_speed_kmh``, at least one of the two
check-ins was not made by that person there. A record without coordinates (or with
0,0 or out-of-range ones) takes its class's venue coordinates when known. One finding
per person and pair of classes, with every impossible hop as evidence; the later
class's training subsidy for the person is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors._subsidies import distinct_of_checkins, haversine_km, ids_by, training_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Number, Severity

CODE = "DUP_IMPOSSIBLE_TRAVEL"
CATEGORY = "duplicate_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    max_speed_kmh: Number = Decimal("120")
    min_distance_km: Number = Decimal("20")


def _coordinates(frames: Frames, checkins: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Check-in coordinates, falling back to the class venue where missing or unusable."""
    lat = checkins["lat"].to_numpy(dtype="float64", na_value=np.nan)
    lon = checkins["lon"].to_numpy(dtype="float64", na_value=np.nan)
    bad = (np.isnan(lat) | np.isnan(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
           | ((lat == 0) & (lon == 0)))
    if bad.any():
        lat, lon = lat.copy(), lon.copy()
        venues = frames.classes[["lat", "lon"]]
        cls = checkins["class_id"].to_numpy(object)[bad]
        lat[bad] = pd.Series(cls).map(venues["lat"]).to_numpy(dtype="float64", na_value=np.nan)
        lon[bad] = pd.Series(cls).map(venues["lon"]).to_numpy(dtype="float64", na_value=np.nan)
    return lat, lon


def _hops(frames: Frames, p: Params) -> pd.DataFrame:
    """Consecutive check-in pairs of one person that break the speed limit."""
    ci = frames.checkins
    if len(ci) < 2:
        return pd.DataFrame()
    lat, lon = _coordinates(frames, ci)
    codes = pd.factorize(ci["person_id"])[0].astype("int64")
    t = ci["occurred_ts"].to_numpy(dtype="int64")
    t0 = int(t.min())
    key = (codes << 34) + (t - t0)  # person, then time (34 bits of seconds: 500+ years)
    order = np.argsort(key, kind="stable")
    c, ts, la, lo = codes[order], t[order], lat[order], lon[order]
    same = c[1:] == c[:-1]
    # Pairs within min_distance_km / sqrt(2) in both latitude and longitude degrees (a
    # degree is at most 111.2 km) are certainly closer than min_distance_km: skip them.
    near_deg = float(p.min_distance_km) / 111.2 / np.sqrt(2)
    with np.errstate(invalid="ignore"):
        far = same & ~((np.abs(la[1:] - la[:-1]) < near_deg)
                       & (np.abs(lo[1:] - lo[:-1]) < near_deg))
    cand = np.flatnonzero(far)
    dist = np.zeros(len(same))
    dist[cand] = haversine_km(la[cand], lo[cand], la[cand + 1], lo[cand + 1])
    dt_h = np.maximum(ts[1:] - ts[:-1], 1) / 3600.0
    speed = dist / dt_h
    with np.errstate(invalid="ignore"):
        hit = far & (dist > float(p.min_distance_km)) & (speed > float(p.max_speed_kmh))
    k = np.flatnonzero(hit)
    if k.size == 0:
        return pd.DataFrame()
    prev, nxt = order[k], order[k + 1]
    cols = ["person_id", "class_id", "occurred_at", "position"]
    a = ci[cols].iloc[prev].reset_index(drop=True)
    b = ci[cols[1:]].iloc[nxt].reset_index(drop=True)
    hops = pd.concat([a.rename(columns={c: f"{c}_from" for c in cols[1:]}),
                      b.rename(columns={c: f"{c}_to" for c in cols[1:]})], axis=1)
    hops["km"] = dist[k]
    hops["minutes"] = (ts[k + 1] - ts[k]) / 60.0
    hops["kmh"] = speed[k]
    lo_cls = np.where(hops["class_id_from"] <= hops["class_id_to"], hops["class_id_from"],
                      hops["class_id_to"])
    hi_cls = np.where(hops["class_id_from"] <= hops["class_id_to"], hops["class_id_to"],
                      hops["class_id_from"])
    return hops.assign(class_lo=lo_cls, class_hi=hi_cls)


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person with a check-in."""
    return [Examined.of("person", distinct_of_checkins(frames, "person_id"),
                        "persons who checked in",
                        "有签到记录的人员", ("max_speed_kmh", "min_distance_km"))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    hops = _hops(frames, p)
    if hops.empty:
        return []
    classes = frames.classes
    items = training_items(frames)
    items = items[items["person_id"].isin(hops["person_id"].unique())]
    amount = items.groupby(["person_id", "class_id"])["amount_fen"].sum()
    claim_ids = ids_by(items, ["person_id", "class_id"], "claim_id")
    claim_pos = ids_by(items, ["person_id", "class_id"], "position")
    out = []
    for (person, c_lo, c_hi), g in hops.groupby(["person_id", "class_lo", "class_hi"],
                                                 sort=True):
        known = [c for c in (c_lo, c_hi) if c in classes.index]
        later = max((c_lo, c_hi), key=lambda c: (str(classes.at[c, "start_date"])
                                                  if c in classes.index else "", c))
        at_risk = int(amount.get((person, later), 0))
        worst = g.loc[g["kmh"].idxmax()]
        keys = [(person, c) for c in dict.fromkeys((c_lo, c_hi))]
        when = worst["occurred_at_from"][:16].replace("T", " ")
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Check-ins too far apart for the time between them",
            zh=(f"同一人员 {len(g)} 次签到地点不可能到达：最甚一次 {when} 在 "
                f"{worst['class_id_from']} 签到后 {worst['minutes']:.0f} 分钟于相距 "
                f"{worst['km']:.0f} 公里的 {worst['class_id_to']} 签到"
                f"（{worst['kmh']:.0f} 公里/小时，"
                f"上限 {p.max_speed_kmh}）；{later} 补贴 {yuan(at_risk)} 元"),
            en=(f"{len(g)} impossible hop(s) between check-ins; worst: {when} at "
                f"{worst['class_id_from']}, then {worst['minutes']:.0f} minutes later "
                f"{worst['km']:.0f} km away at {worst['class_id_to']} ({worst['kmh']:.0f} km/h, "
                f"limit {p.max_speed_kmh}); {later}'s subsidy is {yuan(at_risk)} yuan"),
            subject_type="person", subject_id=person, amount_at_risk_fen=at_risk,
            person_ids=[person], class_ids=[c_lo, c_hi],
            institution_ids=[classes.at[c, "institution_id"] for c in known],
            claim_ids=[c for k in keys for c in claim_ids.get(k, [])],
            evidence=[*g["position_from"], *g["position_to"],
                      *(classes.at[c, "position"] for c in known),
                      *(x for k in keys for x in claim_pos.get(k, []))],
            observed={"hops": len(g), "max_km": round(float(worst["km"]), 1),
                      "minutes": round(float(worst["minutes"]), 1),
                      "max_kmh": round(float(min(worst["kmh"], 1e6)), 1),
                      "first_hop_at": g["occurred_at_from"].min()},
        ))
    return out
