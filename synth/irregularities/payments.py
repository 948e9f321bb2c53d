"""骗取补贴 through the money: claims over the cap, and payments that break the review.

Each function injects one case and returns it (None when the city offers no room).
"""

from __future__ import annotations

import math

from synth import outcomes, policy, timeline
from synth.irregularities.kit import Kit, class_ids, pid_of
from synth.model import ClassPlan
from synth.money import account_of, resolve_claim_amounts
from synth.policy import yuan
from synth.truth import Case, Ids


def _paid_class(kit: Kit) -> ClassPlan | None:
    """A class whose training claim is paid comfortably before the deadline."""
    return kit.pick_or_fresh(lambda c: c.claim is not None and c.claim.payments is None
                             and c.claim.pay_day + 70 < kit.world.policy.pay_deadline(c.year)
                             and len(c.claimed()) >= 10)


def over_cap_claim(kit: Kit) -> Case | None:
    """FRAUD_OVER_CAP_CLAIM: items above the city's rule.

    Per day with no cap, the first days' rate every day, more than the enterprise amount,
    or (where the city publishes them) more than the certification subsidy of the level.
    """
    world, rng = kit.world, kit.rng
    local = world.policy
    variants = ["inclusive", "enterprise", "order"]
    if "certification_subsidy" in local.published:
        variants.append("certification")
    variant = rng.choice(variants)
    if variant == "certification":
        case = _over_cap_certification(kit)
        if case is not None:
            return case
        variant = "inclusive"
    if variant == "enterprise":
        cls = kit.pick(lambda c: c.mode == "enterprise")
        if cls is None:
            variant = "inclusive"
    if variant == "inclusive":
        # long enough that 85 % of the days at the daily rate already pass the cap
        least = math.ceil(local.inclusive_cap / local.inclusive_per_day / 0.85) + 1
        cls = kit.pick_or_fresh(lambda c: c.mode == "inclusive" and len(c.days) >= least,
                                n_days=rng.randint(least, least + 3))
        how = (f"{yuan(local.inclusive_per_day)} yuan for every day, above the "
               f"{yuan(local.inclusive_cap)}-yuan cap")
    elif variant == "enterprise":
        how = f"more than the {yuan(local.enterprise_per_person)} yuan per employee"
    else:
        least = local.order_first_days + 3
        cls = kit.pick_or_fresh(lambda c: c.mode in ("order", "project") and len(c.days) >= least,
                                mode="order", n_days=rng.randint(least, least + 3))
        how = (f"{yuan(local.order_first_rate)} yuan for every day, not only the first "
               f"{local.order_first_days}")
    if cls is None:
        return None
    flat = local.enterprise_per_person + rng.choice((200, 300, 500)) * policy.FEN
    for k in cls.claimed():
        days = cls.cdays[k]
        if variant == "inclusive":
            cls.fen[k] = days * local.inclusive_per_day
        elif variant == "enterprise":
            cls.fen[k] = flat
        else:
            cls.fen[k] = days * local.order_first_rate
    kit.taint(cls)
    ids = class_ids(cls)
    assert cls.claim is not None
    ids.payment_ids = kit.pay_now(cls.claim)
    return Case("FRAUD_OVER_CAP_CLAIM",
                f"Claim {cls.claim.claim_id} for {cls.mode} class {cls.cid} charged {how}; it was "
                "approved and paid as claimed.", ids)


def _over_cap_certification(kit: Kit) -> Case | None:
    """Certification subsidies claimed above the city's amount for the certificates' level."""
    world, rng = kit.world, kit.rng
    cls = kit.pick(lambda c: c.cert_claim is not None and c.cert_claim.payments is None
                   and c.cert_claim.pay_day + 70 < world.policy.pay_deadline(
                       timeline.year_of(c.cert_day)))
    if cls is None or cls.cert_claim is None:
        return None
    claim = cls.cert_claim
    allowed = world.policy.certification_fen(cls.level)
    extra = rng.choice((100, 200, 300, 500)) * policy.FEN
    claim.items = [(pno, allowed + extra, days, cert) for pno, _, days, cert in claim.items or ()]
    kit.taint(cls)
    ids = class_ids(cls, claim=False)
    ids.claim_ids = [claim.claim_id]
    ids.certificate_ids = [item[3] for item in claim.items if item[3]]
    ids.person_ids = [pid_of(world, item[0]) for item in claim.items]
    ids.payment_ids = kit.pay_now(claim)
    return Case("FRAUD_OVER_CAP_CLAIM",
                f"Certification claim {claim.claim_id} for {cls.cid} charged "
                f"{yuan(allowed + extra)} yuan a certificate; level {cls.level} earns "
                f"{yuan(allowed)}.", ids)


def pay_without_approval(kit: Kit) -> Case | None:
    """FRAUD_PAY_WITHOUT_APPROVAL: paid although the claim was rejected, or never reviewed."""
    world, rng = kit.world, kit.rng
    cls = _paid_class(kit)
    if cls is None or cls.claim is None:
        return None
    claim = cls.claim
    rejected = rng.random() < 0.5
    resolve_claim_amounts(world, claim)
    if rejected:
        claim.decision = "rejected"
        claim.approved = 0
    else:
        claim.reviewed = False
    claim.payments = [world.payment(claim.pay_day, claim.amount,
                                    account_of(claim.payee, claim.pay_day))]
    kit.taint(cls)
    ids = class_ids(cls)
    ids.payment_ids = [p.pay_id for p in claim.payments]
    what = "was rejected on review" if rejected else "was never reviewed"
    return Case("FRAUD_PAY_WITHOUT_APPROVAL",
                f"Claim {claim.claim_id} {what}, yet it was paid in full.", ids,
                also=["FRAUD_PAY_OVER_APPROVED"] if rejected else [])


def pay_over_approved(kit: Kit) -> Case | None:
    """FRAUD_PAY_OVER_APPROVED: paid the claimed amount after a partial approval, or more."""
    world, rng = kit.world, kit.rng
    cls = _paid_class(kit)
    if cls is None or cls.claim is None:
        return None
    claim = cls.claim
    resolve_claim_amounts(world, claim)
    if rng.random() < 0.5:
        claim.decision = "partial"
        claim.approved = claim.amount - sum(i[1] for i in rng.sample(claim.items or [], 2))
        paid = claim.amount
        how = "the full claimed amount after a partial approval"
    else:
        claim.approved = claim.amount
        paid = claim.amount + int(round(claim.amount * rng.uniform(0.05, 0.15), -4))
        how = "more than the approved amount"
    claim.payments = [world.payment(claim.pay_day, paid, account_of(claim.payee, claim.pay_day))]
    kit.taint(cls)
    ids = class_ids(cls)
    ids.payment_ids = [p.pay_id for p in claim.payments]
    return Case("FRAUD_PAY_OVER_APPROVED", f"Claim {claim.claim_id} was paid {how}.", ids)


def pay_duplicate(kit: Kit) -> Case | None:
    """FRAUD_PAY_DUPLICATE: the same claim paid twice, weeks apart, to the same account."""
    world, rng = kit.world, kit.rng
    cls = _paid_class(kit)
    if cls is None or cls.claim is None:
        return None
    claim = cls.claim
    kit.pay_now(claim)
    assert claim.payments is not None
    first = claim.payments[0]
    day = timeline.work_day_on_or_after(first.day + rng.randint(15, 60))
    day = min(day, timeline.work_day_on_or_before(world.policy.pay_deadline(claim.subsidy_year)))
    claim.payments.append(world.payment(day, first.fen, account_of(claim.payee, day)))
    kit.taint(cls)
    ids = class_ids(cls)
    ids.payment_ids = [p.pay_id for p in claim.payments]
    return Case("FRAUD_PAY_DUPLICATE",
                f"Claim {claim.claim_id} was paid twice ({first.pay_id} and "
                f"{claim.payments[1].pay_id}).", ids, also=["FRAUD_PAY_OVER_APPROVED"])


def pay_wrong_account(kit: Kit) -> Case | None:
    """FRAUD_PAY_WRONG_ACCOUNT: paid to a personal account, or to another institution's."""
    world, rng = kit.world, kit.rng
    switched = set(world.marks.get("bank_switch_institution", []))
    cls = kit.pick_or_fresh(lambda c: c.claim is not None and c.claim.payments is None
                            and c.inst.no not in switched and len(c.claimed()) >= 10)
    if cls is None or cls.claim is None:
        return None
    claim = cls.claim
    resolve_claim_amounts(world, claim)
    assert claim.approved is not None
    others = [i for i in world.institutions if i is not cls.inst and not i.dedicated]
    if rng.random() < 0.6 or not others:
        account = world.contacts.personal_account()
        whose = "a personal account that belongs to no claimant"
    else:
        other = rng.choice(others)
        account = other.account_at(claim.pay_day)
        whose = f"the account of another institution ({other.iid})"
    claim.payments = [world.payment(claim.pay_day, claim.approved, account)]
    kit.taint(cls)
    ids = class_ids(cls)
    ids.payment_ids = [p.pay_id for p in claim.payments]
    return Case("FRAUD_PAY_WRONG_ACCOUNT",
                f"Claim {claim.claim_id} of {claim.claimant_id} was paid to {whose}.", ids)


def double_dipping(kit: Kit) -> Case | None:
    """FRAUD_DOUBLE_DIPPING: certification subsidy for a certificate paid as skill upgrade."""
    world, rng = kit.world, kit.rng
    order = list(range(len(world.upgrades)))
    rng.shuffle(order)
    for n in order:
        su = world.upgrades[n]
        if su.person in kit.truth_persons:
            continue
        person = world.persons[su.person]
        found = [(c, k) for c in person.classes or [] for k, p in enumerate(c.persons)
                 if p == su.person and outcomes.cert_id(c, k) == su.cert_id]
        if not found or found[0][0].tainted:
            continue
        cls, k = found[0]
        if su.day + 90 < world.policy.pay_deadline(timeline.year_of(cls.cert_day)):
            break
    else:
        return None
    day = timeline.work_day_on_or_after(su.day + rng.randint(20, 60))
    claim = outcomes.person_claim(world, cls, k, day)
    kit.truth_persons.add(su.person)
    kit.taint(cls)
    ids = Ids(person_ids=[person.pid], certificate_ids=[su.cert_id], claim_ids=[claim.claim_id],
              payment_ids=kit.pay_now(claim), event_ids=[f"ui-SU{su.no:07d}"])
    return Case("FRAUD_DOUBLE_DIPPING",
                f"Certificate {su.cert_id} earned the skill-upgrade subsidy, then a certification "
                f"subsidy was claimed and paid for it ({claim.claim_id}).", ids)
