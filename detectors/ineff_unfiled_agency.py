"""INEFF_UNFILED_AGENCY: assessments or certificates by an agency not filed for the occupation.

Evaluation must be done by agencies filed (备案) with the ministry, for that occupation
(the Jinzhong 2023 work plan, 七(五)). An assessment or certificate fires when its
agency is unknown (never registered), registered with ``filed`` false, or filed but not
for the occupation (not in any of its registrations' occupation lists). One finding per
agency, listing every such assessment and certificate; the certification subsidies
claimed for those certificates (claims not rejected) are at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors._subsidies import latest_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity

CODE = "INEFF_UNFILED_AGENCY"
CATEGORY = "ineffective_training"

_REASON_ZH = {"unregistered": "未登记", "unfiled": "未备案", "occupation": "未就该职业备案"}
_REASON_EN = {"unregistered": "is not registered", "unfiled": "is not filed",
              "occupation": "is not filed for the occupation"}


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"


def _work(frames: Frames) -> pd.DataFrame:
    cols = ["position", "person_id", "agency_id", "occupation", "level"]
    a = frames.assessments
    c = frames.certificates
    parts = []
    if not a.empty:
        a = a.sort_values("position").drop_duplicates("assessment_id", keep="last")
        parts.append(a[cols].assign(kind="assessment", ref=a["assessment_id"]))
    if not c.empty:
        c = c.sort_values("position").drop_duplicates("certificate_id", keep="last")
        parts.append(c[cols].assign(kind="certificate", ref=c["certificate_id"]))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True).dropna(subset=["agency_id"])


def _filed(agencies: pd.DataFrame, agency: str) -> bool | None:
    if agency not in agencies.index:
        return None
    value = agencies.at[agency, "filed"]
    return None if pd.isna(value) else bool(value)


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every agency named by an assessment or a certificate."""
    work = _work(frames)
    return [Examined.of("agency", work["agency_id"] if not work.empty else (),
                        "assessing or certifying agencies", "评价或颁证的机构")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    work = _work(frames)
    if work.empty:
        return []
    agencies = frames.agencies
    filed = work["agency_id"].map(agencies["filed"]) if not agencies.empty else pd.Series(
        pd.NA, index=work.index)
    registered = work["agency_id"].isin(agencies.index)
    scope = frames.agency_occupations[["agency_id", "occupation"]].drop_duplicates()
    scope = scope.assign(in_scope=True)
    work = work.merge(scope, on=["agency_id", "occupation"], how="left")
    in_scope = work["in_scope"].fillna(False).astype(bool).to_numpy()
    is_filed = filed.fillna(False).astype(bool).to_numpy()
    reason = pd.Series(None, index=work.index, dtype="object")
    reason[~in_scope] = "occupation"
    reason[~is_filed] = "unfiled"
    reason[~registered.to_numpy()] = "unregistered"
    work = work.assign(reason=reason).dropna(subset=["reason"])
    if work.empty:
        return []
    items = latest_items(frames)
    claims = frames.claims
    cert_claims = claims[(claims["kind"] == "certification")
                         & (claims["decision"].fillna("") != "rejected")]
    certs = work[work["kind"] == "certificate"]["ref"]
    items = items[items["claim_id"].isin(cert_claims.index) & items["certificate_id"].isin(certs)]
    items = items.merge(cert_claims[["claimant_id", "claimant_type"]], left_on="claim_id",
                        right_index=True)
    items = items.merge(work[work["kind"] == "certificate"][["ref", "agency_id"]],
                        left_on="certificate_id", right_on="ref")
    out = []
    for agency, g in work.groupby("agency_id", sort=True):
        a_items = items[items["agency_id"] == agency]
        at_risk = int(a_items["amount_fen"].fillna(0).sum())
        n_assess = int((g["kind"] == "assessment").sum())
        n_cert = int((g["kind"] == "certificate").sum())
        main = g["reason"].iloc[0] if g["reason"].nunique() == 1 else "occupation"
        occupations = sorted(g["occupation"].dropna().unique())
        occ_text = "、".join(occupations)
        inst = [*a_items.loc[a_items["claimant_type"] == "institution", "claimant_id"]]
        linked = agencies["linked_institution_id"].get(agency) if not agencies.empty and \
            "linked_institution_id" in agencies.columns else None
        if isinstance(linked, str):
            inst.append(linked)
        reg_pos = [agencies.at[agency, "position"]] if agency in agencies.index else []
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Assessment or certificate by an agency not filed for the occupation",
            zh=(f"评价机构 {agency} {_REASON_ZH[main]}，却就职业 {occ_text} 评价 {n_assess} 人次、"
                f"发证 {n_cert} 张；相关取证补贴 {yuan(at_risk)} 元"),
            en=(f"agency {agency} {_REASON_EN[main]}, yet it assessed {n_assess} and certified "
                f"{n_cert} in {', '.join(occupations)}; {yuan(at_risk)} yuan certification "
                f"subsidy claimed for those certificates"),
            subject_type="agency", subject_id=agency, amount_at_risk_fen=at_risk,
            person_ids=g["person_id"].dropna().tolist(), institution_ids=inst,
            claim_ids=a_items["claim_id"].tolist(),
            evidence=[*reg_pos, *g["position"], *a_items["position"]],
            observed={"reason": main, "occupations": occupations, "assessments": n_assess,
                      "certificates": n_cert,
                      "certificate_ids": sorted(g.loc[g["kind"] == "certificate", "ref"])[:50],
                      "filed": _filed(agencies, agency)},
        ))
    return out
