"""COMP_OVER_BUDGET: subsidies paid beyond a county's programme budget (超预算).

Per county × programme × year (the year of the claim a payment pays), the
payments net of recoveries are added up in the order they were made and
compared with the budget allocated (the sum of ``BudgetAllocated`` for that
county, programme and year). When the total exceeds it, the payments that took
the running total past the budget are named and the excess is at risk. A
county × programme × year with no allocation at all is skipped unless
``missing_budget_is_zero`` (a city that sends no budgets would otherwise be
all over budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from detectors.base import Examined, Finding, Frames
from detectors.common import fen, pct, yuan
from detectors.constraints import Severity, Yuan

CODE = "COMP_OVER_BUDGET"
CATEGORY = "compliance"

KEY = ["county", "program", "year"]


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_excess: Yuan = Decimal("0.01")  # yuan
    missing_budget_is_zero: bool = False


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every county that paid a programme's subsidy (a finding is one county's)."""
    pay = frames.payments
    return [Examined.of("county", pay.loc[pay["program"].notna(), "county"],
                        "counties with payments", "有付款的县区")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    pay = frames.payments
    if pay.empty:
        return []
    pay = pay[pay["county"].notna() & pay["program"].notna()]
    pay = pay.sort_values(["occurred_ts", "position"], kind="stable")
    amount = pay["amount_fen"].fillna(0).astype("int64")
    recovered = pay["recovered_fen"].fillna(0).astype("int64").where(
        ~pay["payment_id"].duplicated(), 0)  # a recovery counts once per payment id
    pay = pay.assign(net=(amount - recovered).clip(lower=0), year=pay["year"].astype("int64"))
    pay = pay.assign(cum=pay.groupby(KEY)["net"].cumsum())
    b = frames.budgets
    if b.empty:
        budget = None
    else:
        b = b.assign(year=b["year"].astype("int64"),
                     amount=b["amount_fen"].fillna(0).astype("int64"))
        budget = b.groupby(KEY).agg(budget=("amount", "sum"), positions=("position", list))
    tot = pay.groupby(KEY).agg(paid=("net", "sum"), n=("net", "size"))
    if budget is not None:
        tot = tot.join(budget, how="left")
    else:
        tot["budget"], tot["positions"] = np.nan, None
    if not p.missing_budget_is_zero:
        tot = tot[tot["budget"].notna()]
    tot["budget"] = tot["budget"].fillna(0).astype("int64")
    tot["excess"] = tot["paid"] - tot["budget"]
    hits = tot[tot["excess"] >= fen(p.min_excess)]
    if hits.empty:
        return []
    pay = pay.join(hits[["budget"]], on=KEY, how="inner")
    beyond = pay[pay["cum"] > pay["budget"]]
    by = {k: g for k, g in beyond.groupby(KEY, sort=False)}
    claims = frames.claims
    out = []
    for key, r in hits.iterrows():
        county, program, year = key
        g = by[key]
        budget_fen, paid, excess = int(r["budget"]), int(r["paid"]), int(r["excess"])
        positions = r["positions"] if isinstance(r["positions"], list) else []
        claim_ids = sorted(set(g["claim_id"].dropna()))
        known = [c for c in claim_ids if c in claims.index]
        cls = claims.loc[known, "class_id"].dropna() if known else []
        inst = claims.loc[known]
        inst = inst.loc[inst["claimant_type"] == "institution", "claimant_id"] if known else []
        rate = pct(paid / budget_fen) if budget_fen else "∞"
        first = g.iloc[0]
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidies paid beyond the budget",
            zh=(f"{county} {program} {year} 年度预算 {yuan(budget_fen)} 元，实际支付（扣除追回）"
                f"{yuan(paid)} 元（{rate}），超预算 {yuan(excess)} 元；自 {first['paid_on']} "
                f"付款 {first['payment_id']} 起 {len(g)} 笔超出"),
            en=(f"{county} {program} {year}: budget {yuan(budget_fen)} yuan, paid "
                f"{yuan(paid)} yuan net of recoveries ({rate}), {yuan(excess)} yuan over "
                f"budget; {len(g)} payment(s) from {first['payment_id']} on "
                f"{first['paid_on']} went past it"),
            subject_type="county", subject_id=county, amount_at_risk_fen=excess,
            class_ids=cls, institution_ids=inst, claim_ids=claim_ids,
            payment_ids=g["payment_id"], evidence=[*positions, *g["position"]],
            observed={"county": county, "program": program, "year": int(year),
                      "budget_fen": budget_fen, "paid_fen": paid, "excess_fen": excess,
                      "payments": int(r["n"]), "payments_beyond": len(g)},
        ))
    return out
