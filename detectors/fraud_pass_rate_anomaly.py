"""FRAUD_PASS_RATE_ANOMALY: an agency that passes (nearly) everyone (评价放水).

An agency fires, over at least ``min_assessments`` assessments, either in one
occupation or pooled over all its occupations (a small agency spreads its work
over several occupations; pooled, its peers' rate is the other agencies' rate
in each occupation weighted by the agency's own mix), on either of:

* **near-100% pass rate against its peers**: the pass rate is at least
  ``min_pass_rate`` while the same occupation's assessments at the other
  agencies (at least ``min_peer_assessments`` of them) pass at a rate at least
  ``min_gap`` lower, and so many passes would be that unlikely at the peers'
  rate (binomial tail probability at most ``max_p_value``); or
* **scores bunched just above the pass mark**: at least ``min_bunched_share``
  of its passing scores lie in [``pass_mark``, ``pass_mark`` + ``bunch_band``),
  over at least ``min_assessments`` passes. The pass mark is the occupation
  standards', which neither the spec nor a seed report gives: unset by default,
  this part checks nothing until a user's rules file sets it.

One finding per agency, with the per-occupation figures in ``observed``. The
certification subsidy claimed for the certificates the agency issued is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from scipy.stats import binom

from detectors.base import Examined, Finding, Frames, Unchecked
from detectors.common import pct, yuan
from detectors.constraints import Number, Severity, Share, Whole

CODE = "FRAUD_PASS_RATE_ANOMALY"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_assessments: Whole = 30
    min_pass_rate: Share = Decimal("0.97")
    min_peer_assessments: Whole = 30
    min_gap: Share = Decimal("0.10")
    max_p_value: Share = Decimal("0.001")
    pass_mark: Number | None = None  # the occupation standards', in no seed: unset
    bunch_band: Number = Decimal("5")
    min_bunched_share: Share = Decimal("0.50")


def _p_value(s: pd.DataFrame) -> pd.Series:
    """P(at least this many passes | the peers' pass rate): the binomial upper tail."""
    rate = s["peer_rate"].fillna(1.0).clip(0.0, 1.0).to_numpy(dtype="float64")
    return pd.Series(binom.sf(s["passed"].to_numpy() - 1, s["n"].to_numpy(), rate),
                     index=s.index)


def _high(s: pd.DataFrame, p: Params) -> pd.Series:
    """Near-full pass rate over enough assessments, peers clearly and significantly lower."""
    return ((s["n"] >= p.min_assessments) & (s["rate"] >= float(p.min_pass_rate))
            & (s["peer_n"] >= p.min_peer_assessments)
            & (s["rate"] - s["peer_rate"] >= float(p.min_gap))
            & (s["p_value"] <= float(p.max_p_value)))


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every agency with an assessment."""
    return [Examined.of("agency", frames.assessments["agency_id"], "assessing agencies",
                        "有评价记录的评价机构", ("min_pass_rate", "min_gap", "pass_mark"))]


def unchecked(frames: Frames, p: Params) -> list[Unchecked]:
    """With no pass mark, passing scores are not looked at for bunching."""
    if p.pass_mark is not None:
        return []
    a = frames.assessments
    n = int(a.loc[a["passed"].astype(object).eq(True), "assessment_id"].nunique())
    return [Unchecked("pass_mark", n, "passing scores not checked for bunching just above "
                      "the pass mark", "合格分数未检查是否集中在合格线附近")] if n else []


def detect(frames: Frames, p: Params) -> list[Finding]:
    a = frames.assessments
    if a.empty:
        return []
    a = a.sort_values("position").drop_duplicates("assessment_id", keep="last")
    passed = a["passed"].astype(object).eq(True)
    score = pd.to_numeric(a["score"], errors="coerce")
    if p.pass_mark is None:  # no pass mark, no bunching above it to look for
        bunched = pd.Series(False, index=a.index)
    else:
        mark, band = float(p.pass_mark), float(p.bunch_band)
        bunched = passed & (score >= mark) & (score < mark + band)
    a = a.assign(ok=passed.astype("int64"), bunched=bunched.astype("int64"),
                 scored=(passed & score.notna()).astype("int64"))
    s = a.groupby(["agency_id", "occupation"], sort=True).agg(
        n=("ok", "size"), passed=("ok", "sum"), bunched=("bunched", "sum"),
        scored=("scored", "sum"), mean_score=("score", "mean")).reset_index()
    occ = s.groupby("occupation")[["n", "passed", "bunched", "scored"]].transform("sum")
    s["peer_n"] = occ["n"] - s["n"]
    s["peer_passed"] = occ["passed"] - s["passed"]
    s["rate"] = s["passed"] / s["n"]
    s["peer_rate"] = s["peer_passed"] / s["peer_n"].replace(0, np.nan)
    s["share"] = s["bunched"] / s["scored"].replace(0, np.nan)
    peer_scored = occ["scored"] - s["scored"]
    s["peer_share"] = (occ["bunched"] - s["bunched"]) / peer_scored.replace(0, np.nan)
    s["p_value"] = _p_value(s)
    s["high"] = _high(s, p)
    s["bunch"] = (s["passed"] >= p.min_assessments) & (s["share"] >= float(p.min_bunched_share))
    # Pooled per agency over its occupations: peers' rate weighted by the agency's own mix.
    s["expected"] = s["peer_rate"] * s["n"]
    s["weight"] = s["n"].where(s["peer_rate"].notna(), 0)
    s["peer_bunched"] = (occ["bunched"] - s["bunched"])
    s["peer_scored"] = peer_scored
    t = s.groupby("agency_id", sort=True).agg(
        n=("n", "sum"), passed=("passed", "sum"), bunched=("bunched", "sum"),
        scored=("scored", "sum"), expected=("expected", "sum"), weight=("weight", "sum"),
        peer_n=("peer_n", "sum"), peer_bunched=("peer_bunched", "sum"),
        peer_scored=("peer_scored", "sum"), occupations=("occupation", "size"),
        any_high=("high", "any"), any_bunch=("bunch", "any"))
    t["rate"] = t["passed"] / t["n"]
    t["peer_rate"] = t["expected"] / t["weight"].replace(0, np.nan)
    t["share"] = t["bunched"] / t["scored"].replace(0, np.nan)
    t["p_value"] = _p_value(t)
    t["peer_share"] = t["peer_bunched"] / t["peer_scored"].replace(0, np.nan)
    t["high"] = _high(t, p) | t["any_high"]
    t["bunch"] = ((t["passed"] >= p.min_assessments)
                  & (t["share"] >= float(p.min_bunched_share))) | t["any_bunch"]
    hits = t[t["high"] | t["bunch"]]
    if hits.empty:
        return []
    flagged_occ = s[s["high"] | s["bunch"]]
    rows = a[a["agency_id"].isin(hits.index)]
    by = {k: g for k, g in rows.groupby("agency_id", sort=False)}
    certs = frames.certificates[["certificate_id", "agency_id", "position"]]
    certs = certs[certs["agency_id"].isin(hits.index)]
    claims = frames.claims
    items = frames.claim_items[["claim_id", "certificate_id", "amount_fen", "position"]]
    items = items[items["claim_id"].isin(claims.index[claims["kind"] == "certification"])
                  & items["certificate_id"].isin(certs["certificate_id"])]
    items = items.merge(certs.drop_duplicates("certificate_id")[
        ["certificate_id", "agency_id"]], on="certificate_id")
    agencies = frames.agencies
    out = []
    for agency, r in hits.iterrows():
        g = by[agency]
        mine = items[items["agency_id"] == agency]
        n_certs = int((certs["agency_id"] == agency).sum())
        at_risk = int(mine["amount_fen"].fillna(0).sum())
        n, passed = int(r["n"]), int(r["passed"])
        occ_rows = flagged_occ[flagged_occ["agency_id"] == agency]
        zh = [f"共评价 {n} 人次，通过 {passed}（{pct(r['rate'])}）"]
        en = [f"passed {passed} of {n} assessed ({pct(r['rate'])})"]
        if r["peer_rate"] == r["peer_rate"]:
            zh.append(f"同职业其他机构按其职业构成预期通过率 {pct(r['peer_rate'])}"
                      f"（按此通过率出现该结果的概率 {r['p_value']:.1e}）")
            en.append(f"other agencies pass {pct(r['peer_rate'])} in the same occupations "
                      f"(weighted by its mix; at that rate, the chance of so many passes is "
                      f"{r['p_value']:.1e})")
        if r["share"] == r["share"] and r["bunch"]:
            peer = "" if r["peer_share"] != r["peer_share"] else \
                f"，其他机构 {pct(r['peer_share'])}"
            peer_en = "" if r["peer_share"] != r["peer_share"] else \
                f" (other agencies: {pct(r['peer_share'])})"
            zh.append(f"{int(r['bunched'])}/{int(r['scored'])} 个合格分数（{pct(r['share'])}）落在 "
                      f"{p.pass_mark:g}–{p.pass_mark + p.bunch_band:g} 分之间{peer}")
            en.append(f"{int(r['bunched'])} of {int(r['scored'])} passing scores "
                      f"({pct(r['share'])}) sit just above the pass mark, in "
                      f"[{p.pass_mark:g}, {p.pass_mark + p.bunch_band:g}){peer_en}")
        if r["high"] and not _high(t.loc[[agency]], p).iloc[0]:
            zh.append("单一职业：" + "，".join(
                f"{o.occupation} {o.passed}/{o.n} 对比 {pct(o.peer_rate)}"
                for o in occ_rows[occ_rows["high"]].itertuples()))
            en.append("in one occupation: " + ", ".join(
                f"{o.occupation} {o.passed} of {o.n} against {pct(o.peer_rate)} elsewhere"
                for o in occ_rows[occ_rows["high"]].itertuples()))
        per_occ = [{"occupation": o.occupation, "assessments": int(o.n),
                    "passed": int(o.passed), "pass_rate": round(float(o.rate), 4),
                    "peer_assessments": int(o.peer_n),
                    "peer_pass_rate": None if o.peer_rate != o.peer_rate
                    else round(float(o.peer_rate), 4),
                    "bunched_share": None if o.share != o.share else round(float(o.share), 4)}
                   for o in s[s["agency_id"] == agency].itertuples()]
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Evaluation agency pass rate or scores out of line",
            zh=(f"评价机构 {agency}：" + "；".join(zh)
                + f"；颁证 {n_certs} 张，取证补贴申领 {yuan(at_risk)} 元"),
            en=(f"agency {agency}: " + "; ".join(en)
                + f"; {n_certs} certificates, {yuan(at_risk)} yuan of certification subsidy"),
            subject_type="agency", subject_id=agency, amount_at_risk_fen=at_risk,
            person_ids=g["person_id"], claim_ids=mine["claim_id"],
            evidence=[*g["position"], *mine["position"],
                      agencies.at[agency, "position"] if agency in agencies.index else None],
            observed={"assessments": n, "passed": passed, "pass_rate": round(float(r["rate"]), 4),
                      "peer_assessments": int(r["peer_n"]),
                      "peer_pass_rate": None if r["peer_rate"] != r["peer_rate"]
                      else round(float(r["peer_rate"]), 4),
                      "p_value": float(f"{r['p_value']:.3g}"),
                      "bunched_passes": int(r["bunched"]),
                      "bunched_share": None if r["share"] != r["share"]
                      else round(float(r["share"]), 4),
                      "peer_bunched_share": None if r["peer_share"] != r["peer_share"]
                      else round(float(r["peer_share"]), 4),
                      "near_full_pass": bool(r["high"]), "bunched": bool(r["bunch"]),
                      "flagged_occupations": sorted(set(occ_rows["occupation"])),
                      "by_occupation": per_occ, "certificates": n_certs,
                      "certification_claimed_fen": at_risk},
        ))
    return out
