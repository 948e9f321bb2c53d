"""FRAUD_PAY_DUPLICATE: the same claim paid twice (重复支付).

A claim is paid twice when (a) it has two or more payments, one of them repeats
the amount of an earlier payment of the same claim, and together they exceed
the reference amount (the approved amount when the claim was approved or partly
approved, else the claimed amount); or (b) one ``payment_id`` was recorded by
two payment events. Instalments that add up to no more than the approved amount
are the look-alike and stay silent, equal or not.

Split with FRAUD_PAY_OVER_APPROVED: a claim found here is *not* reported there
too (``duplicate_claims`` below is the one place that decides), so a double
payment is one finding, and a plain overpayment without a repeat is the other
rule's. Money is net of recoveries (a recovery is counted once per
``payment_id``); the amount over the reference is at risk (for a reused id alone,
the repeated records' net amounts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import per_frames, yuan
from detectors.constraints import Severity

CODE = "FRAUD_PAY_DUPLICATE"
CATEGORY = "subsidy_fraud"

APPROVING = ("approved", "partial")


@dataclass(frozen=True)
class Params:
    severity: Severity = "critical"


@per_frames("payments")
def payment_rows(frames: Frames) -> pd.DataFrame:
    """Payments in paid order, net of recoveries (once per payment_id), repeats marked;
    kept per frames, as both payment rules start from it."""
    p = frames.payments[["payment_id", "claim_id", "amount_fen", "recovered_fen", "position",
                         "occurred_ts", "occurred_at", "bank_account"]]
    p = p.sort_values(["occurred_ts", "position"], kind="stable")
    amount = p["amount_fen"].fillna(0).astype("int64")
    first_of_id = ~p["payment_id"].duplicated()
    recovered = p["recovered_fen"].fillna(0).astype("int64").where(first_of_id, 0)
    return p.assign(amount=amount, net=(amount - recovered).clip(lower=0),
                    id_reused=p["payment_id"].duplicated(keep=False),
                    id_repeat=~first_of_id,
                    amount_repeat=p.duplicated(["claim_id", "amount_fen"]))


@per_frames("payments", "claims")
def duplicate_claims(frames: Frames) -> pd.DataFrame:
    """Per paid claim: totals, reference amount, and whether it was paid twice."""
    p = payment_rows(frames)
    g = p.groupby("claim_id", sort=True)
    c = g.agg(n_payments=("amount", "size"), paid=("amount", "sum"), net=("net", "sum"),
              has_repeat=("amount_repeat", "any"), id_reused=("id_reused", "any"))
    rep = p.loc[p["id_repeat"]].groupby("claim_id")["net"].sum()
    c["reused_net"] = rep.reindex(c.index).fillna(0).astype("int64")
    claims = frames.claims
    c = c.join(claims[["decision", "approved_fen", "amount_fen"]], how="left")
    approving = c["decision"].isin(APPROVING) & c["approved_fen"].notna()
    ref = pd.to_numeric(c["approved_fen"].where(approving, c["amount_fen"]), errors="coerce")
    c["reference"] = ref
    c["reference_is"] = np.where(approving, "approved", "claimed")
    exceeds = ref.notna() & (c["net"] > ref)
    c["exceeds"] = exceeds
    c["duplicate"] = ((c["n_payments"] >= 2) & c["has_repeat"] & exceeds) | c["id_reused"]
    over = (c["net"] - ref).where(exceeds, 0).fillna(0)
    c["excess"] = np.maximum(over, np.where(exceeds, 0, c["reused_net"])).astype("int64")
    return c


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every claim with a payment."""
    return [Examined.of("claim", frames.payments["claim_id"], "paid claims", "已付款的申请")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    if frames.payments.empty:
        return []
    c = duplicate_claims(frames)
    dup = c[c["duplicate"]]
    if dup.empty:
        return []
    pays = payment_rows(frames)
    pays = pays[pays["claim_id"].isin(dup.index)]
    by_claim = {k: g for k, g in pays.groupby("claim_id", sort=False)}
    claims = frames.claims
    classes = frames.classes
    out = []
    for cid, r in dup.iterrows():
        g = by_claim[cid]
        known = cid in claims.index
        class_id = claims.at[cid, "class_id"] if known else None
        class_id = class_id if isinstance(class_id, str) else None
        institutions = []
        if known and claims.at[cid, "claimant_type"] == "institution":
            institutions.append(claims.at[cid, "claimant_id"])
        if class_id and class_id in classes.index:
            institutions.append(classes.at[class_id, "institution_id"])
        persons = []
        if known and claims.at[cid, "claimant_type"] == "person":
            persons.append(claims.at[cid, "claimant_id"])
        amounts = "+".join(yuan(a) for a in g["amount"])
        repeated = sorted({yuan(a) for a in g.loc[g["amount_repeat"], "amount"]})
        reused = sorted(set(g.loc[g["id_reused"], "payment_id"]))
        ref = r["reference"]
        ref_txt = yuan(int(ref)) if ref == ref else "?"
        ref_zh = "核准" if r["reference_is"] == "approved" else "申请"
        why_zh = (f"付款编号 {'、'.join(reused)} 重复使用" if reused
                  else f"金额 {'、'.join(repeated)} 元重复支付")
        why_en = (f"payment id {', '.join(reused)} used twice" if reused
                  else f"{', '.join(repeated)} yuan paid again")
        excess = int(r["excess"])
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Claim paid twice",
            zh=(f"申请 {cid} 支付 {int(r['n_payments'])} 笔（{amounts} 元，扣除追回后 "
                f"{yuan(int(r['net']))} 元），{why_zh}，{ref_zh}金额 {ref_txt} 元，"
                f"多付 {yuan(excess)} 元"),
            en=(f"claim {cid} was paid {int(r['n_payments'])} times ({amounts} yuan, "
                f"{yuan(int(r['net']))} net of recoveries): {why_en}; the "
                f"{r['reference_is']} amount is {ref_txt} yuan, {yuan(excess)} yuan too much"),
            subject_type="claim", subject_id=cid, amount_at_risk_fen=excess,
            person_ids=persons, class_ids=[class_id] if class_id else [],
            institution_ids=institutions, claim_ids=[cid], payment_ids=g["payment_id"],
            evidence=[*g["position"], claims.at[cid, "position"] if known else None],
            observed={"payments": int(r["n_payments"]), "paid_fen": int(r["paid"]),
                      "net_paid_fen": int(r["net"]),
                      "reference_fen": int(ref) if ref == ref else None,
                      "reference_is": r["reference_is"], "repeated_amounts": repeated,
                      "reused_payment_ids": reused, "excess_fen": excess},
        ))
    return out
