"""INEFF_SHORT_DELIVERY: a class that delivered fewer hours or days than planned (无效培训).

For every class that completed or was claimed for: the hours delivered (the lower of
``ClassCompleted.delivered_hours`` and the sum of the session hours, whichever are
known) below ``min_delivered_ratio`` of the planned hours, or the days with a session
below ``min_delivered_ratio`` of the planned days (checked only when sessions were
recorded), or the hours delivered below the level's minimum (policy
``level_min_hours``). The class's claimed training subsidy is at risk.

No seed report publishes minimum hours per level, so ``level_min_hours`` is empty by
default: only the plan is checked, and ``unchecked`` counts the classes whose level
minimum was not, until a user's rules file sets the local minima.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors._subsidies import claimed_by_class, ids_by, training_items
from detectors.base import Examined, Finding, Frames, Unchecked
from detectors.common import pct, yuan
from detectors.constraints import Level, Number, Severity, Share

CODE = "INEFF_SHORT_DELIVERY"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    min_delivered_ratio: Share = Decimal("0.95")
    # hours per level 5..1; no seed gives them: empty
    level_min_hours: dict[Level, Number] = field(default_factory=dict)


def _judged(frames: Frames) -> pd.DataFrame:
    """The classes that completed or were claimed for: the ones whose delivery counts."""
    c = frames.classes
    claimed = claimed_by_class(training_items(frames))
    return c[c["delivered_hours"].notna() | c.index.isin(claimed.index)]


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every class that completed or was claimed for."""
    return [Examined.of("class", _judged(frames).index, "completed or claimed classes",
                        "已结业或已申领补贴的班级", ("min_delivered_ratio", "level_min_hours"))]


def unchecked(frames: Frames, p: Params) -> list[Unchecked]:
    """Classes whose level has no minimum hours in ``level_min_hours``."""
    c = _judged(frames)
    levels = c["level"].dropna().astype("int64").astype(str)
    missing = levels[~levels.isin([str(k) for k in p.level_min_hours])]
    if missing.empty:
        return []
    shown = sorted(set(missing), reverse=True)
    return [Unchecked("level_min_hours", len(missing),
                      f"classes (level {', '.join(shown)}) not compared with a minimum of "
                      "hours for their level",
                      f"班级（{'、'.join(shown)} 级）未与该等级最低学时比对")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    c = frames.classes
    if c.empty:
        return []
    items = training_items(frames)
    claimed = claimed_by_class(items)
    c = _judged(frames)
    sessions = c["session_hours"].where(c["session_days"] > 0)
    delivered = pd.Series(np.fmin(c["delivered_hours"].to_numpy(dtype="float64", na_value=np.nan),
                                  sessions.to_numpy(dtype="float64", na_value=np.nan)),
                          index=c.index)
    ratio = float(p.min_delivered_ratio)
    need = pd.to_numeric(c["level"].astype("Int64").astype(str).map(
        {str(k): float(v) for k, v in p.level_min_hours.items()}), errors="coerce")
    hours_short = delivered < c["planned_hours"] * ratio
    days_short = (c["session_days"] > 0) & (c["session_days"] < c["planned_days"] * ratio)
    level_short = delivered < need
    bad = (hours_short | days_short | level_short).fillna(False).astype(bool)
    if not bad.any():
        return []
    flagged = c[bad]
    sub = items[items["class_id"].isin(flagged.index)]
    claim_ids = ids_by(sub, ["class_id"], "claim_id")
    claim_pos = ids_by(sub, ["class_id"], "position")
    persons = ids_by(sub, ["class_id"], "person_id")
    out = []
    for cid, r in flagged.sort_index().iterrows():
        hours = delivered[cid]
        planned_h, planned_d = float(r["planned_hours"]), int(r["planned_days"])
        days = int(r["session_days"])
        lvl = int(r["level"]) if r["level"] == r["level"] else None
        minimum = need[cid]
        at_risk = int(claimed["claimed_fen"].get(cid, 0))
        reasons_zh, reasons_en, reasons = [], [], []
        if bool(hours_short[cid]):
            share = hours / planned_h if planned_h else 0.0
            reasons.append("hours")
            reasons_zh.append(f"实授 {hours:g}/{planned_h:g} 学时 ({pct(share)})，"
                              f"低于 {pct(ratio)}")
            reasons_en.append(f"delivered {hours:g} of {planned_h:g} planned hours "
                              f"({pct(share)}), below {pct(ratio)}")
        if bool(days_short[cid]):
            reasons.append("days")
            reasons_zh.append(f"开课 {days}/{planned_d} 天，低于 {pct(ratio)}")
            reasons_en.append(f"held sessions on {days} of {planned_d} planned days, "
                              f"below {pct(ratio)}")
        if bool(level_short.fillna(False)[cid]):
            reasons.append("level_minimum")
            reasons_zh.append(f"实授 {hours:g} 学时低于 {lvl} 级最低 {minimum:g} 学时")
            reasons_en.append(f"delivered {hours:g} hours, below the {minimum:g} hours "
                              f"level {lvl} requires")
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Class delivered fewer hours or days than required",
            zh=f"班级{'；'.join(reasons_zh)}；申领培训补贴 {yuan(at_risk)} 元",
            en=f"the class {'; '.join(reasons_en)}; {yuan(at_risk)} yuan training subsidy "
               f"claimed",
            subject_type="class", subject_id=cid, amount_at_risk_fen=at_risk,
            person_ids=persons.get((cid,), []), class_ids=[cid],
            institution_ids=[r["institution_id"]], claim_ids=claim_ids.get((cid,), []),
            evidence=[r["position"], *claim_pos.get((cid,), [])],
            observed={"reasons": reasons,
                      "delivered_hours": None if hours != hours else float(hours),
                      "completion_hours": None if r["delivered_hours"] != r["delivered_hours"]
                      else float(r["delivered_hours"]),
                      "session_hours": float(r["session_hours"]), "session_days": days,
                      "planned_hours": planned_h, "planned_days": planned_d, "level": lvl,
                      "level_min_hours": None if minimum != minimum else float(minimum)},
        ))
    return out
