"""COMP_LATE_PAYMENT: a subsidy paid after the deadline (逾期支付).

Subsidies for year Y (the year of the claim) are paid by the policy's
``payment_deadline`` (month-day, 03-31) of Y+1. A payment dated at least
``min_days_late`` days after that fires; the payment, net of recoveries, is the
money concerned.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import MonthDay, Severity, Whole

CODE = "COMP_LATE_PAYMENT"
CATEGORY = "compliance"


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    min_days_late: Whole = 1
    payment_deadline: MonthDay = "03-31"


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every payment (each is judged against its claim year's deadline)."""
    return [Examined.of("payment", frames.payments["payment_id"], "payments", "付款",
                        ("payment_deadline",))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    pay = frames.payments
    if pay.empty:
        return []
    year = pay["year"].astype("int64")
    deadline = (year + 1).astype(str) + "-" + p.payment_deadline
    late_days = (pd.to_datetime(pay["paid_on"], errors="coerce")
                 - pd.to_datetime(deadline, errors="coerce")).dt.days
    late = pay.assign(deadline_=deadline, late_days=late_days)
    late = late[late["late_days"] >= p.min_days_late].sort_values("position")
    if late.empty:
        return []
    claims = frames.claims
    classes = frames.classes
    out = []
    for r in late.itertuples(index=False):
        net = max(int(r.amount_fen or 0) - int(r.recovered_fen or 0), 0)
        known = r.claim_id in claims.index
        class_id = claims.at[r.claim_id, "class_id"] if known else None
        class_id = class_id if isinstance(class_id, str) else None
        ctype = claims.at[r.claim_id, "claimant_type"] if known else None
        claimant = claims.at[r.claim_id, "claimant_id"] if known else None
        institutions = [claimant] if ctype == "institution" else []
        if class_id and class_id in classes.index:
            institutions.append(classes.at[class_id, "institution_id"])
        days = int(r.late_days)
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidy paid after the deadline",
            zh=(f"付款 {r.payment_id}（{yuan(net)} 元）用于 {r.year} 年度申请 {r.claim_id}，"
                f"于 {r.paid_on} 支付，晚于截止日 {r.deadline_} {days} 天"),
            en=(f"payment {r.payment_id} of {yuan(net)} yuan for claim {r.claim_id} of "
                f"{r.year} was made on {r.paid_on}, {days} day(s) after the deadline "
                f"{r.deadline_}"),
            subject_type="payment", subject_id=r.payment_id, amount_at_risk_fen=net,
            person_ids=[claimant] if ctype == "person" else [],
            class_ids=[class_id] if class_id else [], institution_ids=institutions,
            claim_ids=[r.claim_id], payment_ids=[r.payment_id],
            evidence=[r.position, claims.at[r.claim_id, "position"] if known else None],
            observed={"paid_on": r.paid_on, "claim_year": int(r.year),
                      "deadline": r.deadline_, "days_late": days, "net_paid_fen": net},
        ))
    return out
