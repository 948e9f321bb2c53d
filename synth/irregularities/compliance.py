"""Fund-management breaches: spending over budget, late payments, vouchers never written off.

``late_payment`` and ``voucher_not_written_off`` bend one class each; ``over_budget``
runs after budgets are allocated and cuts one allocation below what was spent.
"""

from __future__ import annotations

from datetime import date

from synth import timeline
from synth.emit_training import voucher_id
from synth.irregularities.kit import Kit, class_ids
from synth.model import ClassPlan, World
from synth.money import account_of, resolve_claim_amounts, round_down, spending
from synth.truth import Case, Ids

_DATA_END = date(2025, 6, 30).toordinal()


def late_payment(kit: Kit) -> Case | None:
    """COMP_LATE_PAYMENT: a subsidy of year Y paid after 31 March of Y+1."""
    world, rng = kit.world, kit.rng

    def ok(c: ClassPlan) -> bool:
        return (c.claim is not None and c.claim.payments is None
                and timeline.year_of(c.claim.day) == c.year
                and c.days[-1] < timeline.ordinal(f"{c.year}-11-15"))

    cls = kit.pick_or_fresh(ok, year=2023)
    if cls is None or cls.claim is None:
        return None
    claim = cls.claim
    resolve_claim_amounts(world, claim)
    assert claim.approved is not None
    deadline = world.policy.pay_deadline(cls.year)
    latest = min(deadline + 150, _DATA_END - 40)
    day = timeline.work_day_on_or_after(rng.randint(deadline + 8, latest))
    claim.payments = [world.payment(day, claim.approved, account_of(claim.payee, day))]
    cls.writeoff_day = timeline.work_day_on_or_after(day + rng.randint(2, 20))
    kit.taint(cls)
    ids = class_ids(cls)
    ids.payment_ids = [claim.payments[0].pay_id]
    return Case("COMP_LATE_PAYMENT",
                f"Claim {claim.claim_id} for {cls.year} was paid on {timeline.iso(day)}, after the "
                f"deadline of {timeline.iso(deadline)}.", ids)


def voucher_not_written_off(kit: Kit) -> Case | None:
    """COMP_VOUCHER_NOT_WRITTEN_OFF: a class's vouchers redeemed and paid but never written off."""
    cls = kit.pick_or_fresh(lambda c: c.claim is not None and c.year == 2023
                            and len(c.claimed()) >= 10, year=2023)
    if cls is None or cls.claim is None:
        return None
    cls.writeoff = False
    kit.taint(cls)
    ids = class_ids(cls)
    ids.voucher_ids = [voucher_id(cls.vouchers[k]) for k in cls.claimed() if cls.vouchers[k] >= 0]
    return Case("COMP_VOUCHER_NOT_WRITTEN_OFF",
                f"{len(ids.voucher_ids)} vouchers of {cls.cid} were redeemed and the claim paid, "
                "but they were never written off (核销).", ids)


def _beyond(world: World, key: tuple[int, str, int], allocation: int) -> list[str]:
    """Payments charged to ``key`` by claim year that took the running total past the budget."""
    county, program, year = key
    pays = sorted((p.day, p.sec, p.no, p.pay_id, p.fen) for c in world.claims
                   if c.county == county and c.program == program
                   and timeline.year_of(c.day) == year for p in c.payments or ())
    total = 0
    beyond: list[str] = []
    for *_, pay_id, fen in pays:
        total += fen
        if total > allocation:
            beyond.append(pay_id)
    return beyond


def over_budget(world: World, count: int) -> list[Case]:
    """COMP_OVER_BUDGET: 2024 allocations cut below what the county×programme actually paid."""
    rng = world.rng
    tables = spending(world)
    year = 2024
    keys = sorted({k for t in tables for k in t if k[2] == year},
                  key=lambda k: (-min(t.get(k, 0) for t in tables), k))
    cases: list[Case] = []
    for key in keys[:count]:
        spent = min(t.get(key, 0) for t in tables)
        allocation = round_down(int(spent * rng.uniform(0.70, 0.85)))
        if allocation <= 0 or allocation >= spent:
            continue
        world.budgets[key] = allocation
        county, program, _ = key
        code = world.counties[county].code
        ids = Ids(counties=[code], event_ids=[f"md-B{year}-{code}-{program}"],
                  payment_ids=_beyond(world, key, allocation))
        cases.append(Case("COMP_OVER_BUDGET",
                          f"{world.counties[county].name} paid {spent / 100:,.0f} yuan of "
                          f"{program} "
                          f"subsidies for {year} against an allocation of "
                          f"{allocation / 100:,.0f}.", ids))
    return cases
