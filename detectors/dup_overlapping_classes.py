"""DUP_OVERLAPPING_CLASSES: one person attending two classes on the same days (重复培训).

A person enrolled in two classes whose date ranges overlap, with check-ins in *both*
classes on at least ``min_shared_days`` of the same days inside the overlap, is being
counted twice. Back-to-back classes (no common day) and overlapping enrolments where
the person only attends one class on any day stay silent. The later class's training
subsidy for that person is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors._subsidies import ids_by, training_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity, Whole

CODE = "DUP_OVERLAPPING_CLASSES"
CATEGORY = "duplicate_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_shared_days: Whole = 1


def _pairs(frames: Frames) -> pd.DataFrame:
    """Person × two classes (a < b) whose date ranges overlap, with the overlap window."""
    if frames.roster.empty or frames.classes.empty:
        return pd.DataFrame()
    roster = frames.roster[["class_id", "person_id"]].drop_duplicates()
    classes = frames.classes[["start_date", "end_date", "institution_id", "position"]]
    r = roster.join(classes, on="class_id", how="inner").dropna(
        subset=["start_date", "end_date"])
    r = r[r.duplicated("person_id", keep=False)]
    if r.empty:
        return pd.DataFrame()
    pairs = r.merge(r, on="person_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["class_id_a"] < pairs["class_id_b"]]
    sa, sb = pairs["start_date_a"].to_numpy(object), pairs["start_date_b"].to_numpy(object)
    ea, eb = pairs["end_date_a"].to_numpy(object), pairs["end_date_b"].to_numpy(object)
    start, end = np.where(sa >= sb, sa, sb), np.where(ea <= eb, ea, eb)  # ISO dates as text
    pairs = pairs.assign(ovl_start=start, ovl_end=end)
    pairs = pairs[pairs["ovl_start"] <= pairs["ovl_end"]].reset_index(drop=True)
    return pairs.assign(pair=np.arange(len(pairs)))


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every enrolled person."""
    return [Examined.of("person", frames.roster["person_id"], "enrolled trainees",
                        "报名学员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    pairs = _pairs(frames)
    if pairs.empty:
        return []
    checkins = frames.checkins
    checkins = checkins[checkins["person_id"].isin(pairs["person_id"].unique())]
    days = checkins[["person_id", "class_id", "date"]].drop_duplicates()
    sides = []
    for side in ("a", "b"):
        s = pairs[["pair", "person_id", f"class_id_{side}", "ovl_start", "ovl_end"]].merge(
            days, left_on=["person_id", f"class_id_{side}"], right_on=["person_id", "class_id"])
        s = s[(s["date"] >= s["ovl_start"]) & (s["date"] <= s["ovl_end"])]
        sides.append(s[["pair", "date"]])
    shared = sides[0].merge(sides[1], on=["pair", "date"])
    counts = shared.groupby("pair").size()
    hit = counts[counts >= max(p.min_shared_days, 1)]
    if hit.empty:
        return []
    found = pairs.set_index("pair").loc[hit.index]
    shared = shared[shared["pair"].isin(hit.index)]
    shared_days = shared.groupby("pair")["date"].agg(lambda s: sorted(s.unique()))
    # Evidence: both classes' check-ins on the shared days.
    ev = shared.merge(found[["person_id", "class_id_a", "class_id_b"]], left_on="pair",
                      right_index=True)
    ev = ev.melt(id_vars=["pair", "person_id", "date"], value_vars=["class_id_a", "class_id_b"],
                 value_name="class_id")[["pair", "person_id", "class_id", "date"]]
    ev = ev.merge(checkins[["person_id", "class_id", "date", "position"]],
                  on=["person_id", "class_id", "date"])
    ev_pos = ids_by(ev, ["pair"], "position")
    items = training_items(frames)
    items = items[items["person_id"].isin(found["person_id"].unique())]
    amount = items.groupby(["person_id", "class_id"])["amount_fen"].sum()
    claim_ids = ids_by(items, ["person_id", "class_id"], "claim_id")
    claim_pos = ids_by(items, ["person_id", "class_id"], "position")
    out = []
    for pair, r in found.sort_index().iterrows():
        person = r["person_id"]
        a_first = (r["start_date_a"], r["class_id_a"]) <= (r["start_date_b"], r["class_id_b"])
        earlier, later = ("a", "b") if a_first else ("b", "a")
        c_early, c_late = r[f"class_id_{earlier}"], r[f"class_id_{later}"]
        at_risk = int(amount.get((person, c_late), 0))
        dates = shared_days[pair]
        n = len(dates)
        keys = [(person, c_early), (person, c_late)]
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Attended two overlapping classes on the same days",
            zh=(f"同一人员在时间重叠的两个班级 {c_early}（{r[f'start_date_{earlier}']}至"
                f"{r[f'end_date_{earlier}']}）与 {c_late}（{r[f'start_date_{later}']}至"
                f"{r[f'end_date_{later}']}）同日均有签到 {n} 天（{dates[0]}起），"
                f"后一班补贴 {yuan(at_risk)} 元"),
            en=(f"checked in to both {c_early} ({r[f'start_date_{earlier}']} to "
                f"{r[f'end_date_{earlier}']}) and {c_late} ({r[f'start_date_{later}']} "
                f"to {r[f'end_date_{later}']}) on {n} of the same days (from {dates[0]}); "
                f"the later class's subsidy is {yuan(at_risk)} yuan"),
            subject_type="person", subject_id=person, amount_at_risk_fen=at_risk,
            person_ids=[person], class_ids=[c_early, c_late],
            institution_ids=[r["institution_id_a"], r["institution_id_b"]],
            claim_ids=[c for k in keys for c in claim_ids.get(k, [])],
            evidence=[r["position_a"], r["position_b"], *ev_pos.get((pair,), []),
                      *(x for k in keys for x in claim_pos.get(k, []))],
            observed={"shared_days": n, "first_shared_day": dates[0],
                      "last_shared_day": dates[-1], "overlap_start": r["ovl_start"],
                      "overlap_end": r["ovl_end"], "later_class": c_late,
                      "later_class_fen": at_risk},
        ))
    return out

