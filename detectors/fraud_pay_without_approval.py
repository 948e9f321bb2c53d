"""FRAUD_PAY_WITHOUT_APPROVAL: a payment with no approving review before it (未审先付).

A payment fires when its claim does not exist, was never reviewed, was
rejected (its last review), or was reviewed only once, with an approving
decision (approved or partial) recorded *after* the payment. The payment's
amount, net of recoveries, is at risk.

The frames hold only each claim's *last* review (``claims.decision``,
``reviewed_at``, ``reviews``): when a claim was reviewed several times and the
last review came after the payment, an earlier approving review may or may not
have preceded it, so that case is left silent (a per-review frame would settle it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity

CODE = "FRAUD_PAY_WITHOUT_APPROVAL"
CATEGORY = "subsidy_fraud"

REASONS = {
    "no_claim": ("付款对应的申请 {claim} 不存在", "claim {claim} does not exist"),
    "not_reviewed": ("申请 {claim} 从未审核", "claim {claim} was never reviewed"),
    "rejected": ("申请 {claim} 审核结论为驳回（{reviewed}）",
                 "claim {claim} was rejected ({reviewed})"),
    "not_approved": ("申请 {claim} 审核结论为 {decision}", "claim {claim} was reviewed as "
                     "{decision}"),
    "paid_before_review": ("审核通过时间 {reviewed} 晚于付款",
                           "claim {claim} was approved only at {reviewed}, after the payment"),
}


@dataclass(frozen=True)
class Params:
    severity: Severity = "critical"


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every payment."""
    return [Examined.of("payment", frames.payments["payment_id"], "payments", "付款")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    pay = frames.payments
    if pay.empty:
        return []
    claims = frames.claims.reindex(columns=["decision", "reviewed_at", "reviews", "position",
                                            "class_id", "claimant_type", "claimant_id",
                                            "approved_fen"])
    m = pay[["payment_id", "claim_id", "amount_fen", "recovered_fen", "position",
             "occurred_ts", "occurred_at"]].join(
        claims.rename(columns={"position": "claim_position"}), on="claim_id")
    known = m["claim_id"].isin(claims.index)
    reviews = m["reviews"].fillna(0)
    decision = m["decision"].astype(object)
    reviewed_ts = (pd.to_datetime(m["reviewed_at"], utc=True, format="ISO8601",
                                  errors="coerce") - pd.Timestamp(0, tz="UTC")
                   ) // pd.Timedelta(seconds=1)
    approving = decision.isin(["approved", "partial"])
    after = approving & (reviews == 1) & (reviewed_ts > m["occurred_ts"])
    m["reason"] = np.select(
        [~known, reviews == 0, decision == "rejected", ~approving, after],
        ["no_claim", "not_reviewed", "rejected", "not_approved", "paid_before_review"],
        default="")
    bad = m[m["reason"] != ""].sort_values("position")
    if bad.empty:
        return []
    classes = frames.classes
    out = []
    for r in bad.itertuples(index=False):
        net = max(int(r.amount_fen or 0) - int(r.recovered_fen or 0), 0)
        class_id = r.class_id if isinstance(r.class_id, str) else None
        institutions = [r.claimant_id] if r.claimant_type == "institution" else []
        if class_id and class_id in classes.index:
            institutions.append(classes.at[class_id, "institution_id"])
        reviewed = r.reviewed_at if isinstance(r.reviewed_at, str) else ""
        decision_txt = r.decision if isinstance(r.decision, str) else ""
        zh, en = REASONS[r.reason]
        fill = {"claim": r.claim_id, "reviewed": reviewed, "decision": decision_txt}
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Payment without an approved claim",
            zh=(f"付款 {r.payment_id}（{r.occurred_at[:10]}，{yuan(net)} 元）无审核通过记录："
                + zh.format(**fill)),
            en=(f"payment {r.payment_id} of {yuan(net)} yuan on {r.occurred_at[:10]} had no "
                f"approving review before it: " + en.format(**fill)),
            subject_type="payment", subject_id=r.payment_id, amount_at_risk_fen=net,
            person_ids=[r.claimant_id] if r.claimant_type == "person" else [],
            class_ids=[class_id] if class_id else [], institution_ids=institutions,
            claim_ids=[r.claim_id], payment_ids=[r.payment_id],
            evidence=[r.position, r.claim_position],
            observed={"reason": r.reason, "paid_at": r.occurred_at,
                      "reviewed_at": reviewed or None, "decision": decision_txt or None,
                      "reviews": int(r.reviews) if r.reviews == r.reviews else 0,
                      "net_paid_fen": net},
        ))
    return out
