"""INEFF_LOW_ATTENDANCE: subsidy claimed for a trainee who attended too little (无效培训).

A training claim item for a trainee whose attended hours are below
``min_attended_ratio`` of the class's planned hours: the subsidy should not
have been claimed ("出勤不足不予补贴"). The whole item is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from detectors._subsidies import ids_by
from detectors.base import Examined, Finding, Frames
from detectors.common import pct, yuan
from detectors.constraints import Severity, Share

CODE = "INEFF_LOW_ATTENDANCE"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_attended_ratio: Share = Decimal("0.80")


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every trainee named in a training claim for a class."""
    claims = frames.claims
    training = claims.index[(claims["kind"] == "training") & claims["class_id"].notna()]
    items = frames.claim_items
    return [Examined.of("person", items.loc[items["claim_id"].isin(training), "person_id"],
                        "trainees claimed for", "被申领培训补贴的学员",
                        ("min_attended_ratio",))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    claims = frames.claims
    training = claims[(claims["kind"] == "training") & claims["class_id"].notna()]
    items = frames.claim_items.merge(
        training[["class_id", "claimant_id"]], left_on="claim_id", right_index=True)
    att = frames.trainee_attendance[["class_id", "person_id", "attended_hours",
                                     "planned_hours", "attended_days", "planned_days"]]
    m = items.merge(att, on=["class_id", "person_id"], how="left")
    m["attended_hours"] = m["attended_hours"].fillna(0.0)
    planned = m["planned_hours"]
    m["ratio"] = m["attended_hours"] / planned.where(planned > 0)
    low = m[m["ratio"].notna() & (m["ratio"] < float(p.min_attended_ratio))]
    if low.empty:
        return []
    checkins = frames.checkins
    checkins = checkins[checkins["class_id"].isin(low["class_id"].unique())]
    evidence = ids_by(checkins, ["class_id", "person_id"], "position")
    classes = frames.classes
    out = []
    for r in low.itertuples():
        institution = classes.at[r.class_id, "institution_id"] if r.class_id in classes.index \
            else r.claimant_id
        class_pos = classes.at[r.class_id, "position"] if r.class_id in classes.index else None
        days = int(r.attended_days) if r.attended_days == r.attended_days else 0
        planned_days = int(r.planned_days) if r.planned_days == r.planned_days else 0
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidy claimed for a trainee below the attendance threshold",
            zh=(f"学员出勤 {r.attended_hours:g}/{r.planned_hours:g} 学时 ({pct(r.ratio)}，"
                f"{days}/{planned_days} 天) 低于 {pct(p.min_attended_ratio)}，"
                f"仍申领补贴 {yuan(r.amount_fen)} 元（申请 {r.claim_id}）"),
            en=(f"attended {r.attended_hours:g} of {r.planned_hours:g} planned hours "
                f"({pct(r.ratio)}, {days} of {planned_days} days), below "
                f"{pct(p.min_attended_ratio)}, yet {yuan(r.amount_fen)} yuan was "
                f"claimed (claim {r.claim_id})"),
            subject_type="person", subject_id=r.person_id,
            amount_at_risk_fen=int(r.amount_fen),
            person_ids=[r.person_id], class_ids=[r.class_id], institution_ids=[institution],
            claim_ids=[r.claim_id],
            evidence=[r.position, class_pos, *evidence.get((r.class_id, r.person_id), [])],
            observed={"attended_hours": r.attended_hours, "planned_hours": r.planned_hours,
                      "ratio": round(float(r.ratio), 4), "attended_days": days,
                      "planned_days": planned_days},
        ))
    return out
