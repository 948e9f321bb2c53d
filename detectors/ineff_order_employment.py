"""INEFF_ORDER_EMPLOYMENT: 订单式/项目制 class paid although employment after it is too low.

Order (订单式) and project (项目制) training is subsidised only when employment after
training reaches ``order_min_employment`` (policy, 80%). For each such class with money
paid on its training claims: of the trainees who did not withdraw, those employed are
the ones with an ``EmploymentVerified`` whose start date is on or after the class end and
at most ``employment_window_days`` after it. A rate below the threshold fires (exactly
the threshold does not); the net amount paid for the class is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from detectors._subsidies import ids_by
from detectors.base import Examined, Finding, Frames
from detectors.common import pct, yuan
from detectors.constraints import Severity, Share, Whole

CODE = "INEFF_ORDER_EMPLOYMENT"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    order_min_employment: Share = Decimal("0.80")
    employment_window_days: Whole = 180
    modes: tuple[str, ...] = ("order", "project")


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every order or project class with money paid on its training claims."""
    classes, claims = frames.classes, frames.claims
    wanted = classes.index[classes["mode"].isin(list(p.modes))]
    paid = claims[(claims["kind"] == "training") & claims["class_id"].isin(wanted)
                  & (claims["paid_fen"] > 0)]
    return [Examined.of("class", paid["class_id"], "paid order and project classes",
                        "已付款的订单式、项目制班级",
                        ("order_min_employment", "employment_window_days"))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    classes = frames.classes
    claims = frames.claims
    if classes.empty or claims.empty:
        return []
    wanted = classes[classes["mode"].isin(list(p.modes)) & classes["end_date"].notna()]
    paid = claims[(claims["kind"] == "training") & claims["class_id"].isin(wanted.index)
                  & (claims["paid_fen"] > 0)]
    if paid.empty:
        return []
    money = paid.groupby("class_id").agg(paid_fen=("paid_fen", "sum"),
                                         recovered_fen=("recovered_fen", "sum"))
    wanted = wanted.loc[money.index]
    roster = frames.roster
    active = roster[roster["class_id"].isin(wanted.index) & ~roster["withdrawn"].astype(bool)]
    active = active[["class_id", "person_id"]].drop_duplicates()
    trainees = active.groupby("class_id").size()
    end = pd.to_datetime(wanted["end_date"], errors="coerce")
    until = (end + pd.Timedelta(days=p.employment_window_days)).dt.strftime("%Y-%m-%d")
    emp = frames.employment
    emp = emp[emp["person_id"].isin(active["person_id"].unique())]
    m = active.merge(emp[["person_id", "start_date", "position"]], on="person_id")
    m = m.assign(end_date=m["class_id"].map(wanted["end_date"]),
                 until=m["class_id"].map(until))
    m = m[(m["start_date"] >= m["end_date"]) & (m["start_date"] <= m["until"])]
    employed = m.groupby("class_id")["person_id"].nunique()
    num, den = p.order_min_employment.as_integer_ratio()
    stats = pd.DataFrame({"trainees": trainees, "employed": employed}).reindex(wanted.index)
    stats = stats.fillna(0).astype("int64")
    low = stats[(stats["trainees"] > 0) & (stats["employed"] * den < stats["trainees"] * num)]
    if low.empty:
        return []
    pays = frames.payments
    pays = pays[pays["claim_id"].isin(paid.index)]
    paid_claims = paid.reset_index()[["claim_id", "class_id", "position"]]
    claim_ids = ids_by(paid_claims, ["class_id"], "claim_id")
    claim_pos = ids_by(paid_claims, ["class_id"], "position")
    pays = pays.merge(paid_claims[["claim_id", "class_id"]], on="claim_id")
    pay_ids = ids_by(pays, ["class_id"], "payment_id")
    pay_pos = ids_by(pays, ["class_id"], "position")
    people = ids_by(active, ["class_id"], "person_id")
    emp_pos = ids_by(m, ["class_id"], "position")
    threshold = pct(float(p.order_min_employment))
    out = []
    for cid, s in low.sort_index().iterrows():
        r = wanted.loc[cid]
        n, k = int(s["trainees"]), int(s["employed"])
        net = int(money.at[cid, "paid_fen"] - money.at[cid, "recovered_fen"])
        at_risk = max(net, 0)
        rate = k / n
        mode_zh = {"order": "订单式", "project": "项目制"}.get(r["mode"], r["mode"])
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Order/project class paid with employment below the threshold",
            zh=(f"{mode_zh}班级结业后 {p.employment_window_days} 天内就业 {k}/{n} 人 "
                f"({pct(rate)})，低于 {threshold}，仍已拨付补贴 {yuan(at_risk)} 元"),
            en=(f"{r['mode']} class: {k} of {n} trainees ({pct(rate)}) employed within "
                f"{p.employment_window_days} days of the end, below {threshold}, yet "
                f"{yuan(at_risk)} yuan was paid"),
            subject_type="class", subject_id=cid, amount_at_risk_fen=at_risk,
            person_ids=people.get((cid,), []), class_ids=[cid],
            institution_ids=[r["institution_id"]], claim_ids=claim_ids.get((cid,), []),
            payment_ids=pay_ids.get((cid,), []),
            evidence=[r["position"], *claim_pos.get((cid,), []), *pay_pos.get((cid,), []),
                      *emp_pos.get((cid,), [])],
            observed={"mode": r["mode"], "trainees": n, "employed": k,
                      "rate": round(rate, 4), "end_date": r["end_date"],
                      "window_days": p.employment_window_days,
                      "paid_fen": int(money.at[cid, "paid_fen"]), "net_paid_fen": net},
        ))
    return out
