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
in integer fen. One finding per claim (the latest claim of a split training)
lists every item over the standard; the total excess is at risk.
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
    cls = frames.classes.reindex(
        columns=["mode", "planned_days", "institution_id", "position"])
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


def _training_over(frames: Frames, p: Params, threshold: int) -> list[dict]:
    tr = _training(frames, p)
    if tr.empty:
        return []
    tr = tr[tr["amount"] - tr["allowed"] >= threshold]
    if tr.empty:
        return []
    claims = frames.claims
    tc = claims.loc[(claims["kind"] == "training")
                    & claims["class_id"].isin(tr["class_id"].unique()), ["class_id"]]
    rows = frames.claim_items[["claim_id", "person_id", "position"]].merge(
        tc, left_on="claim_id", right_index=True)
    rows = rows.merge(tr[["class_id", "person_id"]], on=["class_id", "person_id"])
    rows = rows.sort_values("position", kind="stable")
    claim_lists: dict[tuple[str, str], list[str]] = {}
    pos_lists: dict[tuple[str, str], list[int]] = {}
    for cid, pid, claim, pos in zip(rows["class_id"], rows["person_id"], rows["claim_id"],
                                    rows["position"], strict=True):
        claim_lists.setdefault((cid, pid), []).append(claim)
        pos_lists.setdefault((cid, pid), []).append(int(pos))
    out = []
    for r in tr.to_dict("records"):
        key = (r["class_id"], r["person_id"])
        claim_ids = claim_lists[key]
        out.append({
            "claim": claim_ids[-1], "claim_ids": claim_ids, "person_ids": [r["person_id"]],
            "class_id": r["class_id"], "institution_id": r["institution_id"],
            "kind": r["mode"], "days": int(r["days_used"]), "days_source": r["days_source"],
            "days_capped": bool(r["days_capped"]), "claimed": int(r["amount"]),
            "allowed": int(r["allowed"]), "evidence": [*pos_lists[key], r["class_position"]],
            "person_id": r["person_id"]})
    return out


def _certification_over(frames: Frames, p: Params, threshold: int) -> list[dict]:
    cert = _certification(frames)
    if cert.empty:
        return []
    table = {str(k): fen(str(v)) for k, v in p.certification_subsidy.items()}
    cert = cert.assign(allowed=cert["level"].astype("int64").astype(str).map(table))
    cert = cert[cert["allowed"].notna()]
    cert = cert[cert["amount"] - cert["allowed"] >= threshold]
    if cert.empty:
        return []
    claims = frames.claims
    rows = frames.claim_items[["claim_id", "person_id", "certificate_id", "position"]]
    rows = rows[rows["certificate_id"].isin(cert["certificate_id"].unique())
                & rows["claim_id"].isin(claims.index[claims["kind"] == "certification"])]
    rows = rows.sort_values("position", kind="stable")
    by: dict[str, list[tuple[str, str, int]]] = {}
    for cert_id, claim, pid, pos in zip(rows["certificate_id"], rows["claim_id"],
                                        rows["person_id"], rows["position"], strict=True):
        by.setdefault(cert_id, []).append((claim, pid, int(pos)))
    out = []
    for r in cert.to_dict("records"):
        got = by[r["certificate_id"]]
        out.append({
            "claim": got[-1][0], "claim_ids": [g[0] for g in got],
            "person_ids": [*(g[1] for g in got), r["holder"]], "class_id": None,
            "institution_id": None, "kind": "certification", "level": int(r["level"]),
            "certificate_id": r["certificate_id"], "claimed": int(r["amount"]),
            "allowed": int(r["allowed"]), "evidence": [*(g[2] for g in got), r["cert_position"]],
            "person_id": got[-1][1]})
    return out


def _describe(e: dict, p: Params) -> tuple[str, str]:
    excess = e["claimed"] - e["allowed"]
    if e["kind"] == "certification":
        return (f"证书 {e['certificate_id']}（{e['level']} 级）取证补贴标准 "
                f"{yuan(e['allowed'])} 元，申领 {yuan(e['claimed'])} 元，超出 {yuan(excess)} 元",
                f"certificate {e['certificate_id']} (level {e['level']}) earns a certification "
                f"subsidy of {yuan(e['allowed'])} yuan, but {yuan(e['claimed'])} yuan was "
                f"claimed, {yuan(excess)} yuan over")
    rule_zh, rule_en = _rule_text(e["kind"], e["days"], p)
    capped = ", capped at the planned days" if e["days_capped"] else ""
    return (f"{MODE_ZH.get(e['kind'], e['kind'])}培训 {e['days']} 天，按{rule_zh}最多可补 "
            f"{yuan(e['allowed'])} 元，申领 {yuan(e['claimed'])} 元，超出 {yuan(excess)} 元"
            f"（班级 {e['class_id']}）",
            f"{e['kind']} training of {e['days']} day(s) ({e['days_source']}{capped}): "
            f"{rule_en} allow at most {yuan(e['allowed'])} yuan, but {yuan(e['claimed'])} "
            f"yuan was claimed, {yuan(excess)} yuan over (class {e['class_id']})")


def detect(frames: Frames, p: Params) -> list[Finding]:
    threshold = fen(p.min_excess)
    entries = _training_over(frames, p, threshold) + _certification_over(frames, p, threshold)
    by_claim: dict[str, list[dict]] = {}
    for e in entries:
        by_claim.setdefault(e["claim"], []).append(e)
    out: list[Finding] = []
    for claim in sorted(by_claim):
        es = sorted(by_claim[claim], key=lambda e: (-(e["claimed"] - e["allowed"]),
                                                    e["person_id"]))
        excess = sum(e["claimed"] - e["allowed"] for e in es)
        claimed = sum(e["claimed"] for e in es)
        allowed = sum(e["allowed"] for e in es)
        zh, en = _describe(es[0], p)
        if len(es) > 1:
            zh = (f"申请 {claim} 中 {len(es)} 项超标准：申领 {yuan(claimed)} 元，标准最多 "
                  f"{yuan(allowed)} 元，共超出 {yuan(excess)} 元；最大一项：{zh}")
            en = (f"claim {claim} has {len(es)} items above the standard: {yuan(claimed)} yuan "
                  f"claimed where at most {yuan(allowed)} is allowed, {yuan(excess)} yuan over "
                  f"in total; the largest: {en}")
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Claim above the subsidy standard",
            zh=zh, en=en, subject_type="claim", subject_id=claim, amount_at_risk_fen=excess,
            person_ids=[x for e in es for x in e["person_ids"]],
            class_ids=[e["class_id"] for e in es if e["class_id"]],
            institution_ids=[e["institution_id"] for e in es if isinstance(
                e["institution_id"], str)],
            claim_ids=[x for e in es for x in e["claim_ids"]],
            evidence=[x for e in es for x in e["evidence"]],
            observed={"items_over": len(es), "claimed_fen": claimed, "allowed_fen": allowed,
                      "excess_fen": excess,
                      "items": [{k: e[k] for k in ("person_id", "kind", "days", "days_source",
                                                   "certificate_id", "level", "claimed",
                                                   "allowed") if k in e} for e in es]},
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
