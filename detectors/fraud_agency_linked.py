"""FRAUD_AGENCY_LINKED: an evaluation agency assessing its own institution's trainees (评训不分离).

An agency registered with ``linked_institution_id`` = I assessed people for
a class of I: the trainer grades its own trainees. Each assessment is
attributed to the person's latest class in the same occupation that had
started by the assessment day, so someone assessed after another institution's
class, who trains at I only later, is not counted. One finding per agency ×
institution when at least ``min_assessments`` such assessments exist. The
certification claims for the certificates the agency issued to those people
(same occupation) are at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import pct, yuan
from detectors.constraints import Severity, Whole

CODE = "FRAUD_AGENCY_LINKED"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_assessments: Whole = 1


def _days(dates: pd.Series) -> pd.Series:
    """ISO dates as day numbers (for as-of joins)."""
    d = pd.to_datetime(dates, errors="coerce", format="%Y-%m-%d")
    return (d - pd.Timestamp("1970-01-01")).dt.days.astype("float64")


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every agency with an assessment."""
    return [Examined.of("agency", frames.assessments["agency_id"], "assessing agencies",
                        "有评价记录的评价机构")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    ag = frames.agencies
    if ag.empty or frames.assessments.empty:
        return []
    ag = ag[ag["linked_institution_id"].notna()]
    if ag.empty:
        return []
    a = frames.assessments[["assessment_id", "person_id", "agency_id", "occupation", "passed",
                            "position", "occurred_at"]]
    a = a[a["agency_id"].isin(ag.index)].assign(
        institution_id=lambda x: x["agency_id"].map(ag["linked_institution_id"]))
    # Each assessment belongs to the person's latest class in that occupation that had
    # started by the assessment day; it is linked when that class is the institution's.
    cls = frames.classes.reindex(
        columns=["institution_id", "occupation", "start_date", "position"])
    r = frames.roster[["class_id", "person_id"]].join(
        cls.rename(columns={"position": "class_position"}), on="class_id")
    r = r[r["person_id"].isin(a["person_id"]) & r["start_date"].notna()]
    if r.empty:
        return []
    r = r.assign(day=_days(r["start_date"])).dropna(subset=["day"])
    a = a.assign(day=_days(a["occurred_at"].str.slice(0, 10))).dropna(subset=["day"])
    at = pd.merge_asof(a.sort_values("day"), r.drop(columns=["institution_id"])
                       .rename(columns={"start_date": "class_start"}).sort_values("day"),
                       on="day", by=["person_id", "occupation"], direction="backward")
    r_inst = r.set_index("class_id")["institution_id"]
    at = at[at["class_id"].notna()]
    at = at.assign(class_institution=at["class_id"].map(r_inst.groupby(level=0).first()))
    hit = at[at["class_institution"] == at["institution_id"]]
    if hit.empty:
        return []
    certs = frames.certificates[["certificate_id", "person_id", "agency_id", "occupation",
                                 "position"]]
    certs = certs.merge(hit[["person_id", "agency_id", "occupation"]].drop_duplicates(),
                        on=["person_id", "agency_id", "occupation"])
    claims = frames.claims
    cert_claims = claims.index[claims["kind"] == "certification"]
    items = frames.claim_items[["claim_id", "certificate_id", "amount_fen", "position"]]
    items = items[items["claim_id"].isin(cert_claims)
                  & items["certificate_id"].isin(certs["certificate_id"])]
    items = items.merge(certs[["certificate_id", "agency_id"]].drop_duplicates(
        "certificate_id"), on="certificate_id")
    out = []
    for (agency, inst), g in hit.groupby(["agency_id", "institution_id"], sort=True):
        assessed = g.drop_duplicates("assessment_id")
        n = len(assessed)
        if n < p.min_assessments:
            continue
        passed = int(assessed["passed"].fillna(False).astype(bool).sum())
        persons = sorted(set(g["person_id"]))
        occs = sorted(set(g["occupation"]))
        my_certs = certs[(certs["agency_id"] == agency) & certs["person_id"].isin(persons)
                         & certs["occupation"].isin(occs)]
        my_items = items[items["agency_id"] == agency]
        my_items = my_items[my_items["certificate_id"].isin(my_certs["certificate_id"])]
        at_risk = int(my_items["amount_fen"].fillna(0).sum())
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Evaluation agency linked to the institution whose trainees it assesses",
            zh=(f"评价机构 {agency} 关联培训机构 {inst}，却评价了该机构 {len(persons)} 名学员 "
                f"{n} 次（通过 {passed}，{pct(passed / n)}，职业 {'、'.join(occs)}），"
                f"颁发证书 {len(my_certs)} 张，取证补贴申领 {yuan(at_risk)} 元"),
            en=(f"evaluation agency {agency} is linked to institution {inst} yet assessed "
                f"{len(persons)} of its trainees {n} times ({passed} passed, "
                f"{pct(passed / n)}; occupation {', '.join(occs)}), issued {len(my_certs)} "
                f"certificates, and {yuan(at_risk)} yuan of certification subsidy was claimed"),
            subject_type="agency", subject_id=agency, amount_at_risk_fen=at_risk,
            person_ids=persons, class_ids=g["class_id"], institution_ids=[inst],
            claim_ids=my_items["claim_id"],
            evidence=[ag.at[agency, "position"], *assessed["position"],
                      *g["class_position"].drop_duplicates(), *my_certs["position"],
                      *my_items["position"]],
            observed={"linked_institution_id": inst, "assessments": n, "passed": passed,
                      "pass_rate": round(passed / n, 4), "persons": len(persons),
                      "occupations": occs, "certificates": len(my_certs),
                      "certification_claimed_fen": at_risk},
        ))
    return out
