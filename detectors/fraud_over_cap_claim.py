"""FRAUD_OVER_CAP_CLAIM: a claim item above what the subsidy rules allow (超标准申领).

Training claims (kind ``training`` with a class) are summed per class × person
(one training), so a cap cannot be dodged by splitting a trainee over several
claims, and compared with the class mode's allowance from the ``[policy]``
table:

* 普惠制 ``inclusive``: ``inclusive_per_day`` × days, at most ``inclusive_cap``;
* 订单式/项目制 ``order``/``project``: ``order_first_rate`` a day for the first
  ``order_first_days`` days, ``order_later_rate`` after;
* ``enterprise`` / ``apprentice`` / ``entrepreneurship``: the per-person amount.

Days are the items' ``days`` (else the trainee's attended days), never more than
the class's planned days. A trainee with no claimed days and no check-in is
FRAUD_GHOST_NO_CHECKIN's case and is left to it. Certification claims (kind
``certification``) are summed per certificate and compared with
``certification_subsidy`` for the certificate's level. Everything is compared
in integer fen; the excess is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors.base import Finding, Frames
from detectors.common import fen, yuan

CODE = "FRAUD_OVER_CAP_CLAIM"
CATEGORY = "subsidy_fraud"

MODE_ZH = {"inclusive": "普惠制", "order": "订单式", "project": "项目制",
           "enterprise": "企业职工", "apprentice": "新型学徒制", "entrepreneurship": "创业"}


def _cert_subsidy() -> dict[str, str]:
    return {"5": "300.00", "4": "400.00", "3": "500.00", "2": "600.00", "1": "700.00"}


@dataclass(frozen=True)
class Params:
    severity: str = "high"
    min_excess: Decimal = Decimal("0.01")  # yuan: ignore smaller differences
    inclusive_per_day: Decimal = Decimal("100.00")
    inclusive_cap: Decimal = Decimal("1000.00")
    enterprise_per_person: Decimal = Decimal("300.00")
    apprentice_per_person: Decimal = Decimal("4000.00")
    entrepreneurship_per_person: Decimal = Decimal("1200.00")
    order_first_days: int = 10
    order_first_rate: Decimal = Decimal("150.00")
    order_later_rate: Decimal = Decimal("100.00")
    certification_subsidy: dict[str, str] = field(default_factory=_cert_subsidy)


def _training(frames: Frames, p: Params) -> pd.DataFrame:
    claims = frames.claims
    tc = claims.loc[(claims["kind"] == "training") & claims["class_id"].notna(), ["class_id"]]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "days", "position"]]
    items = items.merge(tc, left_on="claim_id", right_index=True)
    if items.empty:
        return items
    items = items.assign(amount=items["amount_fen"].fillna(0).astype("int64"),
                         d=pd.to_numeric(items["days"], errors="coerce"))
    g = items.groupby(["class_id", "person_id"], sort=True)
    agg = g.agg(amount=("amount", "sum"), item_days=("d", "sum"), days_known=("d", "count"),
                n_items=("d", "size"), last_position=("position", "max")).reset_index()
    cls = frames.classes[["mode", "planned_days", "institution_id", "position"]]
    agg = agg.join(cls.rename(columns={"position": "class_position"}), on="class_id")
    agg = agg[agg["mode"].notna()]
    att = frames.trainee_attendance[["class_id", "person_id", "attended_days"]]
    agg = agg.merge(att.drop_duplicates(["class_id", "person_id"]),
                    on=["class_id", "person_id"], how="left")
    attended = agg["attended_days"].fillna(0)
    all_days = agg["days_known"] == agg["n_items"]
    days = agg["item_days"].where(all_days, attended).astype("float64")
    planned = pd.to_numeric(agg["planned_days"], errors="coerce")
    days = days.where(~(planned > 0) | (days <= planned), planned)
    agg["days_used"] = days.fillna(0).astype("int64")
    agg["days_source"] = np.where(all_days, "claimed", "attended")
    agg["days_capped"] = (planned > 0) & (agg["days_used"] < np.where(
        all_days, agg["item_days"], attended))
    d = agg["days_used"]
    mode = agg["mode"]
    first = p.order_first_days
    allowed = np.select(
        [mode == "inclusive", mode.isin(["order", "project"]), mode == "enterprise",
         mode == "apprentice", mode == "entrepreneurship"],
        [np.minimum(d * fen(p.inclusive_per_day), fen(p.inclusive_cap)),
         np.minimum(d, first) * fen(p.order_first_rate)
         + np.maximum(d - first, 0) * fen(p.order_later_rate),
         fen(p.enterprise_per_person), fen(p.apprentice_per_person),
         fen(p.entrepreneurship_per_person)], default=-1)
    agg["allowed"] = allowed
    per_day = mode.isin(["inclusive", "order", "project"])
    unknown_days = per_day & ~all_days & (attended == 0)  # ghost: another rule's case
    agg = agg[(agg["allowed"] >= 0) & ~unknown_days]
    return agg


def _certification(frames: Frames) -> pd.DataFrame:
    claims = frames.claims
    cc = claims.loc[claims["kind"] == "certification", []]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "certificate_id",
                                "position"]]
    items = items[items["certificate_id"].notna()].merge(cc, left_on="claim_id",
                                                         right_index=True)
    if items.empty:
        return items
    certs = frames.certificates.drop_duplicates("certificate_id")
    certs = certs.set_index("certificate_id")[["level", "position", "person_id"]]
    items = items.assign(amount=items["amount_fen"].fillna(0).astype("int64"))
    agg = items.groupby("certificate_id", sort=True).agg(
        amount=("amount", "sum"), last_position=("position", "max"),
        n_items=("amount", "size")).reset_index()
    agg = agg.join(certs.rename(columns={"position": "cert_position",
                                         "person_id": "holder"}), on="certificate_id")
    return agg[agg["level"].notna()]


def detect(frames: Frames, p: Params) -> list[Finding]:
    threshold = fen(p.min_excess)
    out: list[Finding] = []
    items = frames.claim_items
    tr = _training(frames, p)
    if not tr.empty:
        tr = tr[tr["amount"] - tr["allowed"] >= threshold]
    if not tr.empty:
        claims = frames.claims
        tc = claims.loc[(claims["kind"] == "training")
                        & claims["class_id"].isin(tr["class_id"].unique()), ["class_id"]]
        rows = items[["claim_id", "person_id", "position"]].merge(
            tc, left_on="claim_id", right_index=True)
        groups = {k: g for k, g in rows.groupby(["class_id", "person_id"], sort=False)}
        for r in tr.itertuples(index=False):
            g = groups[(r.class_id, r.person_id)]
            last = g.loc[g["position"].idxmax(), "claim_id"]
            excess = int(r.amount - r.allowed)
            rule_zh, rule_en = _rule_text(r.mode, int(r.days_used), p)
            days_en = (f"{r.days_used} day(s) ({r.days_source}"
                       f"{', capped at the planned days' if r.days_capped else ''})")
            mode_zh = MODE_ZH.get(r.mode, r.mode)
            out.append(Finding.make(
                code=CODE, category=CATEGORY, severity=p.severity,
                title="Training claim above the subsidy standard",
                zh=(f"{mode_zh}培训 {r.days_used} 天，按{rule_zh}最多可补 {yuan(r.allowed)} 元，"
                    f"实际申领 {yuan(r.amount)} 元，超出 {yuan(excess)} 元（班级 {r.class_id}）"),
                en=(f"{r.mode} training of {days_en}: {rule_en} allow at most "
                    f"{yuan(r.allowed)} yuan, but {yuan(r.amount)} yuan was claimed, "
                    f"{yuan(excess)} yuan over (class {r.class_id})"),
                subject_type="claim", subject_id=last, amount_at_risk_fen=excess,
                person_ids=[r.person_id], class_ids=[r.class_id],
                institution_ids=[r.institution_id], claim_ids=g["claim_id"],
                evidence=[*g["position"], r.class_position],
                observed={"mode": r.mode, "days": int(r.days_used),
                          "days_source": r.days_source, "claimed_fen": int(r.amount),
                          "allowed_fen": int(r.allowed), "excess_fen": excess,
                          "items": int(r.n_items)},
            ))
    cert = _certification(frames)
    if not cert.empty:
        table = {str(k): fen(str(v)) for k, v in p.certification_subsidy.items()}
        cert = cert.assign(allowed=cert["level"].astype("int64").astype(str).map(table))
        cert = cert[cert["allowed"].notna()]
        cert = cert[cert["amount"] - cert["allowed"] >= threshold]
    if not cert.empty:
        rows = items[items["certificate_id"].isin(cert["certificate_id"].unique())]
        rows = rows[rows["claim_id"].isin(frames.claims.index[
            frames.claims["kind"] == "certification"])]
        groups = {k: g for k, g in rows.groupby("certificate_id", sort=False)}
        for r in cert.itertuples(index=False):
            g = groups[r.certificate_id]
            last = g.loc[g["position"].idxmax(), "claim_id"]
            allowed = int(r.allowed)
            excess = int(r.amount - allowed)
            level = int(r.level)
            out.append(Finding.make(
                code=CODE, category=CATEGORY, severity=p.severity,
                title="Certification claim above the subsidy standard",
                zh=(f"证书 {r.certificate_id}（{level} 级）取证补贴标准 {yuan(allowed)} 元，"
                    f"实际申领 {yuan(r.amount)} 元，超出 {yuan(excess)} 元"),
                en=(f"certificate {r.certificate_id} (level {level}) earns a certification "
                    f"subsidy of {yuan(allowed)} yuan, but {yuan(r.amount)} yuan was claimed, "
                    f"{yuan(excess)} yuan over"),
                subject_type="claim", subject_id=last, amount_at_risk_fen=excess,
                person_ids=[*g["person_id"], r.holder], claim_ids=g["claim_id"],
                evidence=[*g["position"], r.cert_position],
                observed={"kind": "certification", "certificate_id": r.certificate_id,
                          "level": level, "claimed_fen": int(r.amount),
                          "allowed_fen": allowed, "excess_fen": excess,
                          "items": int(r.n_items)},
            ))
    return out


def _rule_text(mode: str, days: int, p: Params) -> tuple[str, str]:
    if mode == "inclusive":
        return (f"每天 {p.inclusive_per_day} 元、封顶 {p.inclusive_cap} 元",
                f"{p.inclusive_per_day} yuan a day capped at {p.inclusive_cap}")
    if mode in ("order", "project"):
        return (f"前 {p.order_first_days} 天每天 {p.order_first_rate} 元、之后每天 "
                f"{p.order_later_rate} 元",
                f"{p.order_first_rate} yuan a day for the first {p.order_first_days} days "
                f"and {p.order_later_rate} after")
    amount = {"enterprise": p.enterprise_per_person, "apprentice": p.apprentice_per_person,
              "entrepreneurship": p.entrepreneurship_per_person}[mode]
    return f"每人 {amount} 元", f"{amount} yuan per person"
