"""Events of the money loop and of evaluations outside classes.

兑现-核销: vouchers are redeemed just before the claim that uses them, the claim is
reviewed and paid, and the vouchers are written off after the payment. Evaluation
vouchers (graduates) are redeemed against their assessment instead of a class.
"""

from __future__ import annotations

from typing import Any

from synth import occupations, policy, timeline
from synth.emit_training import voucher_id
from synth.encoding import Ctx, Out, put
from synth.model import Claim, ClassPlan, Evaluation, Misc, Payment, SkillUpgrade, Voucher
from synth.policy import PASS_MARK, yuan


def claim_filed(ctx: Ctx, out: Out, claim: Claim, sec: int) -> None:
    """SubsidyClaimed, preceded by the redemption of the trainees' vouchers for a class claim."""
    rng = ctx.rng
    items: list[dict[str, Any]] = []
    for pno, fen, days, cert in claim.items or ():
        item: dict[str, Any] = {"person_id": ctx.pid[pno], "amount": yuan(fen)}
        if days is not None:
            item["days"] = days
        if cert is not None:
            item["certificate_id"] = cert
        items.append(item)
    cls = claim.cls
    if claim.kind == "training" and cls is not None:
        t = sec - 900
        for k in cls.claimed():
            if cls.vouchers[k] < 0:
                continue
            vid = voucher_id(cls.vouchers[k])
            t += rng.randint(1, 8)
            put(ctx, out, f"vp-{vid}-r", "VoucherRedeemed", claim.day, t, "voucher",
                {"voucher_id": vid, "class_id": cls.cid, "amount": yuan(cls.fen[k])})
    data: dict[str, Any] = {"claim_id": claim.claim_id, "claimant_type": claim.claimant_type,
                            "claimant_id": claim.claimant_id, "kind": claim.kind}
    if cls is not None:
        data["class_id"] = cls.cid
    data.update(items=items, amount=yuan(claim.amount), program=claim.program,
                county=ctx.world.counties[claim.county].code)
    put(ctx, out, f"tr-{claim.claim_id}", "SubsidyClaimed", claim.day, sec, "treasury", data)


def claim_reviewed(ctx: Ctx, out: Out, claim: Claim) -> None:
    """ClaimReviewed by the county's employment service."""
    rng = ctx.rng
    assert claim.approved is not None
    county = ctx.world.counties[claim.county].name
    put(ctx, out, f"tr-{claim.claim_id}-r", "ClaimReviewed", claim.review_day,
        rng.randrange(9 * 3600, 17 * 3600), "treasury",
        {"claim_id": claim.claim_id, "decision": claim.decision,
         "approved_amount": yuan(claim.approved),
         "reviewer": f"{county}就业服务中心审核岗{1 + claim.no % 4}"})


def paid(ctx: Ctx, out: Out, claim: Claim, pay: Payment) -> None:
    """SubsidyPaid by the treasury."""
    put(ctx, out, f"tr-{pay.pay_id}", "SubsidyPaid", pay.day, pay.sec, "treasury",
        {"payment_id": pay.pay_id, "claim_id": claim.claim_id, "amount": yuan(pay.fen),
         "bank_account": pay.account, "county": ctx.world.counties[claim.county].code,
         "program": claim.program})


def written_off(ctx: Ctx, out: Out, cls: ClassPlan) -> None:
    """VoucherWrittenOff (核销) for every voucher the class's claim redeemed."""
    rng = ctx.rng
    sec = rng.randrange(9 * 3600, 16 * 3600)
    for k in cls.claimed():
        if cls.vouchers[k] < 0:
            continue
        vid = voucher_id(cls.vouchers[k])
        sec += rng.randint(1, 10)
        put(ctx, out, f"vp-{vid}-w", "VoucherWrittenOff", cls.writeoff_day, sec, "voucher",
            {"voucher_id": vid})


def upgrade_paid(ctx: Ctx, out: Out, su: SkillUpgrade) -> None:
    """SkillUpgradeSubsidyPaid from the unemployment-insurance fund."""
    put(ctx, out, f"ui-SU{su.no:07d}", "SkillUpgradeSubsidyPaid", su.day,
        ctx.rng.randrange(10 * 3600, 16 * 3600), "unemployment_insurance",
        {"person_id": ctx.pid[su.person], "certificate_id": su.cert_id,
         "amount": yuan(ctx.world.policy.skill_upgrade_fen(su.level))})


def voucher_issued(ctx: Ctx, out: Out, v: Voucher) -> None:
    """A voucher outside any class (evaluation, or one never used)."""
    vid = voucher_id(v.no)
    put(ctx, out, f"vp-{vid}-i", "VoucherIssued", v.day, ctx.rng.randrange(9 * 3600, 17 * 3600),
        "voucher", {"voucher_id": vid, "person_id": ctx.pid[v.person], "kind": v.kind,
                    "occupation": occupations.CODES[v.occ],
                    "expires_on": timeline.iso(v.day + policy.VOUCHER_VALID_DAYS)})


def evaluated(ctx: Ctx, out: Out, ev: Evaluation) -> None:
    """AssessmentTaken outside a class, and the evaluation voucher redeemed against it."""
    rng = ctx.rng
    put(ctx, out, f"ev-{ev.assessment_id}", "AssessmentTaken", ev.day, ev.sec, "evaluation",
        {"assessment_id": ev.assessment_id, "person_id": ctx.pid[ev.person],
         "agency_id": ctx.world.agencies[ev.agency].aid, "occupation": occupations.CODES[ev.occ],
         "level": ev.level, "score": ev.score, "passed": ev.score >= PASS_MARK},
        lag=rng.randint(600, 3600))
    if ev.voucher >= 0:
        vid = voucher_id(ev.voucher)
        put(ctx, out, f"vp-{vid}-r", "VoucherRedeemed", ev.day, ev.sec + 3700, "voucher",
            {"voucher_id": vid, "assessment_id": ev.assessment_id,
             "amount": yuan(ctx.world.policy.certification_fen(ev.level))})


def evaluation_certified(ctx: Ctx, out: Out, ev: Evaluation) -> None:
    """CertificateIssued for a passed evaluation."""
    put(ctx, out, f"ev-{ev.cert_id}", "CertificateIssued", ev.cert_day,
        ev.sec + ctx.rng.randint(0, 600), "evaluation",
        {"certificate_id": ev.cert_id, "person_id": ctx.pid[ev.person],
         "agency_id": ctx.world.agencies[ev.agency].aid, "occupation": occupations.CODES[ev.occ],
         "level": ev.level, "assessment_id": ev.assessment_id})


def evaluation_written_off(ctx: Ctx, out: Out, ev: Evaluation, day: int) -> None:
    """The evaluation voucher written off after its redemption."""
    vid = voucher_id(ev.voucher)
    put(ctx, out, f"vp-{vid}-w", "VoucherWrittenOff", day, ctx.rng.randrange(9 * 3600, 16 * 3600),
        "voucher", {"voucher_id": vid})


def misc(ctx: Ctx, out: Out, m: Misc) -> None:
    """A rare event planned whole."""
    put(ctx, out, m.event_id, m.type, m.day, m.sec, m.source, m.data, rday=m.rec_day,
        rsec=m.rec_sec)
