"""FRAUD_ENTERPRISE_NON_EMPLOYEE: enterprise-training subsidy for people not working there.

Enterprise employee training (企业职工培训, class modes in ``modes``) and claims
an employer files itself are for that enterprise's own employees. A claim item
fires when the person has no ``EmploymentVerified`` at the enterprise (the
class's ``employer_id``, else the claiming employer) starting on or before the
class's last day (the claim's date when there is no class). Real employees,
including ones hired before the class, stay silent. One finding per class (or
per claim without a class); the items of the non-employees are at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import class_positions, yuan
from detectors.constraints import Severity

CODE = "FRAUD_ENTERPRISE_NON_EMPLOYEE"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    modes: tuple[str, ...] = ("enterprise",)


def _enterprise_claims(frames: Frames, p: Params) -> pd.DataFrame:
    """Claims for enterprise classes or filed by an employer, with the employer and the date
    by which a trainee must be its employee (``employer_id``, ``by_date``)."""
    claims = frames.claims
    classes = frames.classes
    c = claims[["class_id", "claimant_type", "claimant_id"]].copy()
    c["claimed_on"] = claims.get("registered_at", claims["occurred_at"]).astype(
        "string").str.slice(0, 10)
    for col, src in (("mode", "mode"), ("class_employer", "employer_id"),
                     ("end_date", "end_date")):
        c[col] = c["class_id"].map(classes[src]).astype("string")
    by_employer = (c["claimant_type"] == "employer").fillna(False).astype(bool)
    enterprise = c["mode"].isin(list(p.modes)).astype(bool) | by_employer
    c = c[enterprise]
    c["employer_id"] = c["class_employer"].fillna(
        c["claimant_id"].astype("string").where(by_employer))
    c = c[c["employer_id"].notna()]
    return c.assign(by_date=c["end_date"].fillna(c["claimed_on"]))


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Enterprise classes claimed for, and employers' claims without a class."""
    c = _enterprise_claims(frames, p)
    return [Examined.of("class", c["class_id"], "enterprise classes claimed for",
                        "申领补贴的企业职工培训班级", ("modes",)),
            Examined.of("claim", c.index[c["class_id"].isna()],
                        "employers' claims without a class", "企业无班级的补贴申请")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    c = _enterprise_claims(frames, p)
    if c.empty:
        return []
    classes = frames.classes
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items.merge(c[["class_id", "claimant_type", "claimant_id", "employer_id",
                           "by_date"]], left_on="claim_id", right_index=True)
    if items.empty:
        return []
    emp = frames.employment[["person_id", "employer_id", "start_date", "position"]]
    e = items[["person_id", "employer_id", "by_date"]].drop_duplicates().merge(
        emp, on=["person_id", "employer_id"], how="left")
    e["in_time"] = e["start_date"].notna() & (e["start_date"] <= e["by_date"])
    e["later"] = e["start_date"].notna() & (e["start_date"] > e["by_date"])
    status = e.groupby(["person_id", "employer_id", "by_date"]).agg(
        in_time=("in_time", "any"), later=("later", "any"))
    items = items.join(status, on=["person_id", "employer_id", "by_date"])
    bad = items[~items["in_time"].astype(bool)]
    if bad.empty:
        return []
    totals = items.groupby(items["class_id"].fillna(items["claim_id"]))["person_id"].nunique()
    later_pos = emp.merge(bad[["person_id", "employer_id"]].drop_duplicates(),
                          on=["person_id", "employer_id"])
    out = []
    bad = bad.assign(group=bad["class_id"].fillna(bad["claim_id"]))
    for key, g in bad.groupby("group", sort=True):
        has_class = g["class_id"].notna().any()
        cid = g["class_id"].dropna().iloc[0] if has_class else None
        employer = str(g["employer_id"].iloc[0])
        people = sorted(set(g["person_id"]))
        later = sorted(set(g.loc[g["later"].astype(bool), "person_id"]))
        claimed = int(g["amount_fen"].fillna(0).sum())
        n_total = int(totals.get(key, len(people)))
        by_date = str(g["by_date"].iloc[0])
        known = cid is not None and cid in classes.index
        institutions = {classes.at[cid, "institution_id"]} if known else set()
        institutions |= set(g.loc[g["claimant_type"] == "institution", "claimant_id"])
        lp = later_pos[later_pos["person_id"].isin(later)
                       & (later_pos["employer_id"] == employer)]
        later_zh = f"（其中 {len(later)} 人入职晚于 {by_date}）" if later else ""
        later_en = f" ({len(later)} of them hired only after {by_date})" if later else ""
        where_zh = f"企业职工培训班 {cid}" if cid else f"申请 {key}"
        where_en = f"enterprise class {cid}" if cid else f"claim {key}"
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Enterprise-training subsidy claimed for non-employees",
            zh=(f"{where_zh} 申报的 {n_total} 名学员中有 {len(people)} 人截至 {by_date} "
                f"无在企业 {employer} 的就业记录{later_zh}，涉及补贴 {yuan(claimed)} 元"),
            en=(f"{where_en}: {len(people)} of {n_total} claimed trainees have no employment "
                f"at employer {employer} starting by {by_date}{later_en}; {yuan(claimed)} "
                f"yuan claimed for them"),
            subject_type="class" if cid else "claim", subject_id=cid or key,
            amount_at_risk_fen=claimed, person_ids=people, class_ids=[cid] if cid else [],
            institution_ids=institutions, claim_ids=set(g["claim_id"]),
            evidence=[*g["position"], *lp["position"],
                      *class_positions(classes, [cid] if cid else [])],
            observed={"employer_id": employer, "non_employees": len(people),
                      "claimed_persons": n_total, "hired_later": len(later),
                      "by_date": by_date, "claimed_fen": claimed},
        ))
    return out
