"""FRAUD_DOUBLE_DIPPING: certification subsidy for a certificate with the skill-upgrade subsidy.

A person whose certificate earned the unemployment-insurance skill-upgrade
subsidy (失业保险技能提升补贴, ``SkillUpgradeSubsidyPaid``) gets no certification
subsidy (取证补贴) for it. A certification claim item (claim kind
``certification``) naming a ``certificate_id`` that has a skill-upgrade payment
fires, whichever came first. The claimed item is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity

CODE = "FRAUD_DOUBLE_DIPPING"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person named with a certificate in a certification claim."""
    claims = frames.claims
    items = frames.claim_items
    items = items[items["certificate_id"].notna()
                  & items["claim_id"].isin(claims.index[claims["kind"] == "certification"])]
    return [Examined.of("person", items["person_id"], "persons claimed for certification",
                        "申领取证补贴的人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    sup = frames.skill_upgrade_payments
    items = frames.claim_items
    if sup.empty or items.empty:
        return []
    claims = frames.claims
    cert_claims = claims.loc[claims["kind"] == "certification", ["claimant_type",
                                                                  "claimant_id", "position"]]
    it = items.loc[items["certificate_id"].notna(),
                   ["claim_id", "person_id", "amount_fen", "certificate_id", "position",
                    "occurred_at", "occurred_ts"]]
    it = it.merge(cert_claims.rename(columns={"position": "claim_position"}),
                  left_on="claim_id", right_index=True)
    it = it[it["certificate_id"].isin(sup["certificate_id"])]
    if it.empty:
        return []
    s = sup.sort_values("position").groupby("certificate_id").agg(
        sup_fen=("amount_fen", "sum"), sup_positions=("position", list),
        sup_persons=("person_id", list), sup_at=("occurred_at", "first"),
        sup_ts=("occurred_ts", "first"))
    it = it.join(s, on="certificate_id")
    certs = frames.certificates.drop_duplicates("certificate_id").set_index("certificate_id")
    out = []
    for r in it.sort_values(["position", "certificate_id"]).itertuples(index=False):
        claimed = int(r.amount_fen or 0)
        before = r.sup_ts <= r.occurred_ts
        order_zh = "先" if before else "后"
        order_en = "before" if before else "after"
        cert_pos = certs.at[r.certificate_id, "position"] if r.certificate_id in certs.index \
            else None
        institutions = [r.claimant_id] if r.claimant_type == "institution" else []
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Certification subsidy for a certificate that earned the skill-upgrade subsidy",
            zh=(f"证书 {r.certificate_id} 已领取失业保险技能提升补贴 {yuan(int(r.sup_fen or 0))} 元"
                f"（{r.sup_at[:10]}，{order_zh}于申领），仍申领取证补贴 {yuan(claimed)} 元"
                f"（申请 {r.claim_id}）"),
            en=(f"certificate {r.certificate_id} earned the skill-upgrade subsidy of "
                f"{yuan(int(r.sup_fen or 0))} yuan on {r.sup_at[:10]} ({order_en} this claim), "
                f"yet a certification subsidy of {yuan(claimed)} yuan was claimed for it "
                f"(claim {r.claim_id})"),
            subject_type="person", subject_id=r.person_id, amount_at_risk_fen=claimed,
            person_ids=[r.person_id, *r.sup_persons], institution_ids=institutions,
            claim_ids=[r.claim_id],
            evidence=[r.position, r.claim_position, *r.sup_positions, cert_pos],
            observed={"certificate_id": r.certificate_id, "claimed_fen": claimed,
                      "skill_upgrade_fen": int(r.sup_fen or 0),
                      "skill_upgrade_paid_at": r.sup_at, "claimed_at": r.occurred_at},
        ))
    return out
