"""FRAUD_CERT_BURST: a burst of certificates right after an agency was filed (突击发证).

A city audit found one agency issuing 2,600 certificates in 25 batches in its
first two months after filing. An agency filed with the ministry that issued
at least ``min_certificates`` certificates within ``window_days`` days of
filing, and those are at least ``min_share`` of all the certificates it issued, fires. An
agency filed long before its certificates is the look-alike. The filing time
is the first registration row (``agency_history``) with ``filed`` true, so an
agency registered unfiled and filed later counts from its filing. Batches are
the distinct issue dates in the window. The certification subsidy claimed for
the burst's certificates is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from detectors.base import Examined, Finding, Frames
from detectors.common import pct, yuan
from detectors.constraints import Severity, Share, Whole

CODE = "FRAUD_CERT_BURST"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    window_days: Whole = 60
    min_certificates: Whole = 100
    min_share: Share = Decimal("0.50")


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every agency that issued a certificate."""
    return [Examined.of("agency", frames.certificates["agency_id"], "certifying agencies",
                        "颁证的评价机构")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    hist = frames.agency_history
    certs = frames.certificates
    if hist.empty or certs.empty:
        return []
    # Filing time: the first registration row that says filed (a later filing counts from then).
    filed = hist[hist["filed"].astype(object).eq(True)].sort_values(
        ["occurred_ts", "position"], kind="stable").drop_duplicates("agency_id")
    if filed.empty:
        return []
    filed = filed.set_index("agency_id")
    filed_ts = filed["occurred_ts"].astype("int64")
    c = certs.sort_values("position").drop_duplicates("certificate_id", keep="last")
    c = c[c["agency_id"].isin(filed.index)]
    if c.empty:
        return []
    total = c.groupby("agency_id").size()
    since = c["occurred_ts"].astype("int64") - c["agency_id"].map(filed_ts)
    w = c[(since >= 0) & (since <= p.window_days * 86400)]
    w = w.assign(day=w["occurred_at"].str.slice(0, 10))
    s = w.groupby("agency_id").agg(n=("certificate_id", "size"), batches=("day", "nunique"),
                                   first=("day", "min"), last=("day", "max"))
    s["total"] = total.reindex(s.index)
    s["share"] = s["n"] / s["total"]
    hits = s[(s["n"] >= p.min_certificates) & (s["share"] >= float(p.min_share))]
    if hits.empty:
        return []
    claims = frames.claims
    items = frames.claim_items[["claim_id", "certificate_id", "amount_fen", "position"]]
    items = items[items["claim_id"].isin(claims.index[claims["kind"] == "certification"])
                  & items["certificate_id"].isin(w["certificate_id"])]
    out = []
    for agency, r in hits.iterrows():
        g = w[w["agency_id"] == agency]
        mine = items[items["certificate_id"].isin(g["certificate_id"])]
        at_risk = int(mine["amount_fen"].fillna(0).sum())
        filed_at = str(filed.at[agency, "occurred_at"])
        filed_on = filed_at[:10]
        n, total_n, batches = int(r["n"]), int(r["total"]), int(r["batches"])
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Burst of certificates right after the agency was filed",
            zh=(f"评价机构 {agency} 于 {filed_on} 备案，{p.window_days} 天内（{r['first']} 至 "
                f"{r['last']}）分 {batches} 批颁证 {n} 张 ≥ {p.min_certificates}，占其全部 "
                f"{total_n} 张的 {pct(r['share'])}；取证补贴申领 {yuan(at_risk)} 元"),
            en=(f"agency {agency}, filed on {filed_on}, issued {n} certificates (at least "
                f"{p.min_certificates}) in {batches} batches within {p.window_days} days "
                f"({r['first']} to {r['last']}), {pct(r['share'])} of its {total_n}; "
                f"{yuan(at_risk)} yuan of certification subsidy claimed for them"),
            subject_type="agency", subject_id=agency, amount_at_risk_fen=at_risk,
            person_ids=g["person_id"], claim_ids=mine["claim_id"],
            evidence=[filed.at[agency, "position"], *g["position"], *mine["position"]],
            observed={"filed_at": filed_at, "window_days": p.window_days,
                      "certificates_in_window": n, "certificates_total": total_n,
                      "share": round(float(r["share"]), 4), "batches": batches,
                      "first_issue": r["first"], "last_issue": r["last"],
                      "certification_claimed_fen": at_risk},
        ))
    return out
