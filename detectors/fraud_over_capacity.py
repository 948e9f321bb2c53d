"""FRAUD_OVER_CAPACITY: more trainees than the venue holds (场地容量与班级规模不符).

Two cases. *Alone*: a class whose active trainees (enrolled, not withdrawn)
exceed the institution's ``venue_capacity`` by at least ``min_excess`` (and,
when ``check_class_capacity`` is on, the class's own ``capacity``: off by
default, since a class's planned size is often exceeded by a late admission
without any venue being overfilled); the trainees enrolled after the seats
ran out are named and their claim items are at risk. *Together*: on some day,
the institution's classes running at the same venue (their start-end dates
overlap) have more active trainees between them than ``venue_capacity``
(distinct people: one person in two of the classes takes one seat); one
finding per set of concurrent classes, with its days, and as money at risk
the excess share of what was claimed for those classes (an estimate).
Back-to-back classes at one venue do not overlap and stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity, Whole

CODE = "FRAUD_OVER_CAPACITY"
CATEGORY = "subsidy_fraud"

_MAX_CLASS_DAYS = 400  # a class longer than this is a data error, not a venue booking


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    min_excess: Whole = 1
    check_class_capacity: bool = False


def _shown(value: int | None, missing: str) -> str:
    return missing if value is None else str(value)


def _alone(frames: Frames, p: Params, cl: pd.DataFrame,
           claimed: pd.DataFrame) -> list[Finding]:
    over = cl[(cl["active"] - cl["limit"]) >= p.min_excess]
    if over.empty:
        return []
    roster = frames.roster
    roster = roster[roster["class_id"].isin(over.index) & ~roster["withdrawn"]]
    claimed = claimed[claimed["class_id"].isin(over.index)]
    roster = roster.sort_values(["class_id", "enrolled_ts", "enrol_position"])
    roster = roster.assign(seat=roster.groupby("class_id").cumcount() + 1)
    out = []
    for cid, r in over.sort_index().iterrows():
        limit = int(r["limit"])  # finite: active - limit >= min_excess
        active = int(r["active"])
        members = roster[roster["class_id"] == cid]
        extra = members[members["seat"] > limit]
        ci = claimed[(claimed["class_id"] == cid) & claimed["person_id"].isin(extra["person_id"])]
        at_risk = int(ci["amount_fen"].fillna(0).sum())
        venue_cap = r["venue_capacity"]
        venue_cap = int(venue_cap) if venue_cap == venue_cap else None
        capacity = int(r["capacity"]) if r["capacity"] == r["capacity"] else None
        by_class = p.check_class_capacity and capacity is not None and limit == capacity
        which_zh = "班级核定人数" if by_class else "机构场地容量"
        which_en = "its capacity" if by_class else "the institution's venue capacity"
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Class larger than its capacity or the venue",
            zh=(f"班级 {cid} 在训学员 {active} 人，超过{which_zh} {limit} 人（班级核定 "
                f"{_shown(capacity, '未知')} 人，场地 {_shown(venue_cap, '未知')} 人）"
                f"{active - limit} 人；超员后报名的 {len(extra)} 人申领补贴 {yuan(at_risk)} 元"),
            en=(f"class {cid} has {active} active trainees, {active - limit} above {which_en} "
                f"of {limit} (class capacity {_shown(capacity, 'unknown')}, venue "
                f"{_shown(venue_cap, 'unknown')}); {yuan(at_risk)} "
                f"yuan claimed for the {len(extra)} enrolled after the seats ran out"),
            subject_type="class", subject_id=cid, amount_at_risk_fen=at_risk,
            person_ids=extra["person_id"], class_ids=[cid],
            institution_ids=[r["institution_id"]] if isinstance(r["institution_id"], str)
            else [],
            claim_ids=set(ci["claim_id"]),
            evidence=[r["position"], *extra["enrol_position"], *ci["position"]],
            observed={"active": active, "capacity": capacity,
                      "venue_capacity": venue_cap, "excess": active - limit,
                      "enrolled_after_full": len(extra)},
        ))
    return out


def _together(p: Params, cl: pd.DataFrame, claimed: pd.DataFrame,
              roster: pd.DataFrame) -> list[Finding]:
    cl = cl[cl["venue_capacity"].notna() & (cl["active"] > 0)]
    multi = cl.groupby(["institution_id", "venue"])["active"].transform("size") >= 2
    cl = cl[multi]
    if cl.empty:
        return []
    start = pd.to_datetime(cl["start_date"], errors="coerce")
    end = pd.to_datetime(cl["end_date"], errors="coerce")
    ok = start.notna() & end.notna() & (end >= start)
    cl, start, end = cl[ok], start[ok], end[ok]
    if cl.empty:
        return []
    n = ((end - start).dt.days + 1).clip(upper=_MAX_CLASS_DAYS).to_numpy()
    rep = np.repeat(np.arange(len(cl)), n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    days = pd.DataFrame({
        "class_id": cl.index.to_numpy()[rep],
        "institution_id": cl["institution_id"].to_numpy()[rep],
        "venue": cl["venue"].to_numpy()[rep],
        "active": cl["active"].to_numpy()[rep],
        "venue_capacity": cl["venue_capacity"].to_numpy()[rep],
        "date": (start.to_numpy()[rep] + offset.astype("timedelta64[D]")),
    })
    keys = ["institution_id", "venue", "date"]
    per_day = days.groupby(keys).agg(total=("active", "sum"), classes=("class_id", "size"),
                                     venue_capacity=("venue_capacity", "first"))
    per_day = per_day[(per_day["classes"] >= 2)
                      & (per_day["total"] - per_day["venue_capacity"] >= p.min_excess)]
    if per_day.empty:
        return []
    hit = days.merge(per_day.reset_index()[keys], on=keys)
    sets = hit.sort_values("class_id").groupby(keys)["class_id"].agg(tuple).rename("set")
    per_day = per_day.join(sets).reset_index()
    # One person enrolled in two of the classes occupies one seat: count people, not places.
    roster = roster[roster["class_id"].isin(hit["class_id"].unique()) & ~roster["withdrawn"]]
    claimed = claimed[claimed["class_id"].isin(hit["class_id"].unique())]
    out = []
    for (iid, venue, members), g in per_day.groupby(["institution_id", "venue", "set"],
                                                     sort=True):
        places, cap = int(g["total"].max()), int(g["venue_capacity"].iloc[0])
        total = int(roster.loc[roster["class_id"].isin(members), "person_id"].nunique())
        excess = total - cap
        if excess < p.min_excess:
            continue
        first_day = pd.Timestamp(g["date"].min()).date().isoformat()
        last_day = pd.Timestamp(g["date"].max()).date().isoformat()
        ci = claimed[claimed["class_id"].isin(members)]
        claimed_fen = int(ci["amount_fen"].fillna(0).sum())
        at_risk = claimed_fen * excess // total if total else 0
        sizes = {c: int(cl.at[c, "active"]) for c in members}
        listing = "、".join(f"{c}({sizes[c]})" for c in members)
        listing_en = ", ".join(f"{c} ({sizes[c]})" for c in members)
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Concurrent classes exceed the venue's capacity",
            zh=(f"机构 {iid} 在场地 {venue} 同时开办 {len(members)} 个班 {listing}，"
                f"{first_day} 至 {last_day} 共 {len(g)} 天重叠，在训学员合计 {total} 人，"
                f"超过场地容量 {cap} 人 {excess} 人；按超员比例估算风险金额 {yuan(at_risk)} 元"),
            en=(f"institution {iid} ran {len(members)} classes at once at venue {venue} "
                f"({listing_en}) on {len(g)} day(s) from {first_day} to {last_day}: "
                f"{total} active trainees together, {excess} above the venue capacity of "
                f"{cap}; {yuan(at_risk)} yuan at risk, estimated as the excess share of "
                f"{yuan(claimed_fen)} yuan claimed"),
            subject_type="institution", subject_id=iid, amount_at_risk_fen=at_risk,
            class_ids=members, institution_ids=[iid], claim_ids=set(ci["claim_id"]),
            evidence=[*(cl.at[c, "position"] for c in members), *ci["position"]],
            observed={"venue": venue, "classes": sizes, "total_active": total,
                      "enrolments": places,
                      "venue_capacity": cap, "excess": excess, "days": len(g),
                      "first_day": first_day, "last_day": last_day,
                      "claimed_fen": claimed_fen},
        ))
    return out


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Classes with trainees and a known limit; institutions with a venue capacity and classes."""
    classes = frames.classes
    if classes.empty or "active" not in classes.columns:
        return []
    sized = frames.institutions["venue_capacity"].dropna().index
    limited = classes["institution_id"].isin(sized)
    if p.check_class_capacity:
        limited |= classes["capacity"].notna()
    busy = classes[limited & (classes["active"] > 0)]
    return [Examined.of("class", busy.index, "classes with trainees and a capacity",
                        "有学员且有容量的班级", ("min_excess", "check_class_capacity")),
            Examined.of("institution", busy.loc[busy["institution_id"].isin(sized),
                                                "institution_id"],
                        "institutions with a venue capacity", "有场地容量的培训机构")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    classes = frames.classes
    if classes.empty or "position" not in classes.columns:  # no class was ever opened
        return []
    cl = classes[["institution_id", "venue", "capacity", "active", "start_date", "end_date",
                  "position"]].copy()
    cl["venue"] = cl["venue"].fillna("")
    cl["venue_capacity"] = cl["institution_id"].map(
        frames.institutions["venue_capacity"]).astype("float64")
    venue = cl["venue_capacity"].fillna(np.inf)
    if p.check_class_capacity:
        cl["limit"] = np.fmin(cl["capacity"].astype("float64").fillna(np.inf), venue)
    else:
        cl["limit"] = venue
    claims = frames.claims
    claimed = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    claimed = claimed.join(claims["class_id"], on="claim_id")
    claimed = claimed[claimed["class_id"].notna()]
    return _alone(frames, p, cl, claimed) + _together(p, cl, claimed, frames.roster)
