"""FRAUD_PAY_OVER_APPROVED: a claim paid more than its approved amount (超额支付).

The payments of an approved (or partly approved) claim, net of recoveries, add
up to more than the approved amount of its last review. Instalments that add up
exactly to the approved amount are the look-alike. A claim paid twice (a
repeated amount or a reused payment id, see FRAUD_PAY_DUPLICATE) is reported
there and not here; a rejected or unreviewed claim is FRAUD_PAY_WITHOUT_APPROVAL's.
The excess over the approved amount is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from detectors.base import Examined, Finding, Frames
from detectors.common import fen, yuan
from detectors.constraints import Severity, Yuan
from detectors.fraud_pay_duplicate import duplicate_claims, payment_rows

CODE = "FRAUD_PAY_OVER_APPROVED"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_excess: Yuan = Decimal("0.01")  # yuan


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every approved (or partly approved) claim with a payment."""
    claims = frames.claims
    approved = claims.index[claims["decision"].isin(["approved", "partial"])]
    paid = frames.payments["claim_id"]
    return [Examined.of("claim", paid[paid.isin(approved)], "approved and paid claims",
                        "已核准并付款的申请")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    if frames.payments.empty:
        return []
    c = duplicate_claims(frames)
    over = c[(c["reference_is"] == "approved") & ~c["duplicate"]
             & (c["net"] - c["reference"] >= fen(p.min_excess))]
    if over.empty:
        return []
    pays = payment_rows(frames)
    pays = pays[pays["claim_id"].isin(over.index)]
    by_claim = {k: g for k, g in pays.groupby("claim_id", sort=False)}
    claims = frames.claims
    classes = frames.classes
    out = []
    for cid, r in over.iterrows():
        g = by_claim[cid]
        class_id = claims.at[cid, "class_id"]
        class_id = class_id if isinstance(class_id, str) else None
        kind, claimant = claims.at[cid, "claimant_type"], claims.at[cid, "claimant_id"]
        institutions = [claimant] if kind == "institution" else []
        if class_id and class_id in classes.index:
            institutions.append(classes.at[class_id, "institution_id"])
        approved, net = int(r["reference"]), int(r["net"])
        excess = net - approved
        amounts = "+".join(yuan(a) for a in g["amount"])
        recovered = int(r["paid"]) - net
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Claim paid more than approved",
            zh=(f"申请 {cid} 核准 {yuan(approved)} 元，实付 {int(r['n_payments'])} 笔共 "
                f"{yuan(net)} 元（{amounts}，已追回 {yuan(recovered)}），超出 {yuan(excess)} 元"),
            en=(f"claim {cid} was approved for {yuan(approved)} yuan but paid {yuan(net)} "
                f"yuan in {int(r['n_payments'])} payment(s) ({amounts}, {yuan(recovered)} "
                f"recovered), {yuan(excess)} yuan over"),
            subject_type="claim", subject_id=cid, amount_at_risk_fen=excess,
            person_ids=[claimant] if kind == "person" else [],
            class_ids=[class_id] if class_id else [], institution_ids=institutions,
            claim_ids=[cid], payment_ids=g["payment_id"],
            evidence=[*g["position"], claims.at[cid, "position"]],
            observed={"approved_fen": approved, "paid_fen": int(r["paid"]),
                      "net_paid_fen": net, "payments": int(r["n_payments"]),
                      "excess_fen": excess, "decision": claims.at[cid, "decision"]},
        ))
    return out
