"""FRAUD_CERT_TIMING: a certificate issued before the training ended or without an assessment.

A certificate fires when either:

* **issued before the training ended**: the holder was enrolled (and did not
  withdraw) in a class of the same occupation and level, and the certificate
  is dated on or after the enrolment but at least ``min_days_early`` days
  before the class's end date (a certificate from before the enrolment belongs
  to an earlier training and is left to the duplicate-training rules);
* **without an assessment**: its ``assessment_id`` names no recorded
  assessment, an assessment that failed, another person's assessment, or one
  taken after the certificate was issued; or it has no ``assessment_id`` and
  the holder has no passed assessment in that occupation and level on or before
  the certificate's date (a missing optional link to a real assessment, as on a
  re-issued certificate, stays silent).

The certification subsidy claimed for the certificate is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import lists_by, yuan
from detectors.constraints import Severity, Whole

CODE = "FRAUD_CERT_TIMING"
CATEGORY = "subsidy_fraud"

WHY = {
    "no_assessment": ("无评价记录", "no assessment on record"),
    "unknown_assessment": ("所引评价 {a} 不存在", "its assessment {a} does not exist"),
    "failed_assessment": ("所引评价 {a} 未通过（{score} 分）",
                          "its assessment {a} was failed (score {score})"),
    "other_person": ("所引评价 {a} 属于他人 {who}", "its assessment {a} belongs to {who}"),
    "assessed_after": ("所引评价 {a} 在 {adate} 才进行", "its assessment {a} took place "
                       "only on {adate}"),
}


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_days_early: Whole = 1


def _early(certs: pd.DataFrame, frames: Frames, p: Params) -> pd.DataFrame:
    roster = frames.roster
    roster = roster.loc[~roster["withdrawn"].astype(bool), ["class_id", "person_id",
                                                            "enrolled_at", "enrol_position"]]
    cls = frames.classes.reindex(columns=["institution_id", "occupation", "level",
                                          "start_date", "end_date", "position"])
    r = roster.join(cls.rename(columns={"position": "class_position"}), on="class_id")
    r = r[r["end_date"].notna() & r["level"].notna()]
    if r.empty:
        return pd.DataFrame(columns=["certificate_id"])
    r = r.assign(level=r["level"].astype("int64"))
    m = certs[["certificate_id", "person_id", "occupation", "level", "cert_date"]].merge(
        r, on=["person_id", "occupation", "level"])
    if m.empty:
        return m
    enrolled = m["enrolled_at"].str.slice(0, 10)
    end = pd.to_datetime(m["end_date"], errors="coerce")
    days_early = (end - pd.to_datetime(m["cert_date"], errors="coerce")).dt.days
    m = m.assign(days_early=days_early)
    return m[(m["cert_date"] >= enrolled) & (m["days_early"] >= p.min_days_early)]


def _unassessed(certs: pd.DataFrame, frames: Frames) -> pd.DataFrame:
    a = frames.assessments
    a = a.sort_values("position").drop_duplicates("assessment_id", keep="last")
    a = a[["assessment_id", "person_id", "passed", "score", "occurred_at", "occurred_ts",
           "position"]].rename(columns={"person_id": "a_person", "occurred_at": "a_at",
                                        "occurred_ts": "a_ts", "position": "a_position"})
    m = certs.merge(a, on="assessment_id", how="left")
    has_id = m["assessment_id"].notna()
    found = m["a_person"].notna()
    # Missing link: any passed assessment of the holder, same occupation and level, by then?
    own = frames.assessments
    own = own.loc[own["passed"].astype(object).eq(True),
                  ["person_id", "occupation", "level", "occurred_at"]]
    own = own.assign(a_date=own["occurred_at"].str.slice(0, 10))
    unlinked = m.loc[~has_id, ["certificate_id", "person_id", "occupation", "level",
                               "cert_date"]]
    backed = unlinked.merge(own[["person_id", "occupation", "level", "a_date"]],
                            on=["person_id", "occupation", "level"])
    backed = set(backed.loc[backed["a_date"] <= backed["cert_date"], "certificate_id"])
    passed = m["passed"].astype(object).eq(True)
    m["why"] = np.select(
        [~has_id & ~m["certificate_id"].isin(backed), has_id & ~found,
         has_id & found & ~passed, has_id & found & (m["a_person"] != m["person_id"]),
         has_id & found & (m["a_at"].str.slice(0, 10) > m["cert_date"])],
        ["no_assessment", "unknown_assessment", "failed_assessment", "other_person",
         "assessed_after"], default="")
    return m[m["why"] != ""]


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every certificate."""
    return [Examined.of("certificate", frames.certificates["certificate_id"], "certificates",
                        "证书")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    certs = frames.certificates
    if certs.empty:
        return []
    certs = certs.sort_values("position").drop_duplicates("certificate_id", keep="last")
    certs = certs.assign(cert_date=certs["occurred_at"].str.slice(0, 10),
                         level=pd.to_numeric(certs["level"], errors="coerce"))
    certs = certs[certs["level"].notna()].assign(level=lambda x: x["level"].astype("int64"))
    early = _early(certs, frames, p)
    bad = _unassessed(certs, frames)
    flagged = set(early["certificate_id"]) | set(bad["certificate_id"])
    if not flagged:
        return []
    # per certificate, as plain rows (a sub-frame per finding costs far more)
    early_by: dict[str, list[dict]] = {}
    if not early.empty:
        for row in early.sort_values("days_early", ascending=False, kind="stable").to_dict(
                "records"):
            early_by.setdefault(row["certificate_id"], []).append(row)
    bad_by: dict[str, dict] = {}
    for row in bad.to_dict("records"):
        bad_by.setdefault(row["certificate_id"], row)
    claims = frames.claims
    items = frames.claim_items[["claim_id", "certificate_id", "amount_fen", "position"]]
    items = items[items["certificate_id"].isin(flagged)
                  & items["claim_id"].isin(claims.index[claims["kind"] == "certification"])]
    item_claims = lists_by(items["certificate_id"], items["claim_id"])
    item_fen = lists_by(items["certificate_id"], items["amount_fen"])
    item_pos = lists_by(items["certificate_id"], items["position"])
    out = []
    for c in certs[certs["certificate_id"].isin(flagged)].itertuples(index=False):
        zh, en = [], []
        class_ids, inst_ids, evidence = [], [], [c.position]
        observed: dict = {"certificate_id": c.certificate_id, "agency_id": c.agency_id,
                          "issued_on": c.cert_date, "occupation": c.occupation,
                          "level": int(c.level)}
        if c.certificate_id in early_by:
            g = early_by[c.certificate_id]
            e = g[0]
            zh.append(f"发证日 {c.cert_date} 早于班级 {e['class_id']} 结业日 {e['end_date']} "
                      f"{int(e['days_early'])} 天")
            en.append(f"issued on {c.cert_date}, {int(e['days_early'])} day(s) before class "
                      f"{e['class_id']} ended on {e['end_date']}")
            class_ids += [r["class_id"] for r in g]
            inst_ids += [r["institution_id"] for r in g]
            evidence += [r[k] for r in g for k in ("class_position", "enrol_position")]
            observed.update(class_end=e["end_date"], days_early=int(e["days_early"]))
        if c.certificate_id in bad_by:
            b = bad_by[c.certificate_id]
            score = b["score"]
            fill = {"a": c.assessment_id, "who": b["a_person"],
                    "score": "?" if score is None or score != score else f"{score:g}",
                    "adate": str(b["a_at"])[:10]}
            wz, we = WHY[b["why"]]
            zh.append(wz.format(**fill))
            en.append(we.format(**fill))
            evidence.append(b["a_position"])
            observed.update(assessment_problem=b["why"], assessment_id=c.assessment_id)
        at_risk = sum(int(x) for x in item_fen.get(c.certificate_id, ()))
        claim_ids = item_claims.get(c.certificate_id, [])
        evidence += item_pos.get(c.certificate_id, [])
        observed["certification_claimed_fen"] = at_risk
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Certificate issued before the training ended or without an assessment",
            zh=(f"证书 {c.certificate_id}（{c.agency_id}，{c.occupation} {int(c.level)} 级）："
                + "；".join(zh) + (f"；取证补贴申领 {yuan(at_risk)} 元" if at_risk else "")),
            en=(f"certificate {c.certificate_id} ({c.agency_id}, {c.occupation} level "
                f"{int(c.level)}): " + "; ".join(en)
                + (f"; {yuan(at_risk)} yuan of certification subsidy claimed" if at_risk
                   else "")),
            subject_type="certificate", subject_id=c.certificate_id, amount_at_risk_fen=at_risk,
            person_ids=[c.person_id], class_ids=class_ids, institution_ids=inst_ids,
            claim_ids=claim_ids, evidence=evidence, observed=observed,
        ))
    return out
