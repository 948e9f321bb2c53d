"""Money once planning is over: claim items, approvals, default payments and budgets.

Claims are resolved late so injections can bend rosters, amounts and payments first;
budgets are allocated last, from the payments actually planned, so the normal city
stays inside its budget whichever year a detector charges a payment to (the year it
was paid, claimed, or the subsidy year) and over-budget cases are exactly the ones
injected.
"""

from __future__ import annotations

import math

from synth import policy, timeline
from synth.model import Claim, Employer, Institution, Payment, Person, World
from synth.outcomes import training_items

BUDGET_YEARS = (2023, 2024, 2025)
_BUDGET_STEP = 10_000 * policy.FEN
_BUDGET_FLOOR = 100_000 * policy.FEN


def account_of(payee: Institution | Employer | Person | None, day: int) -> str:
    """The payee's own bank account on ``day`` (institutions and people can change theirs)."""
    if isinstance(payee, Institution | Person):
        return payee.account_at(day)
    if isinstance(payee, Employer):
        return payee.bank
    raise ValueError("a claim without a payee cannot be paid")


def resolve_claim(world: World, claim: Claim) -> None:
    """Fill in items, the approved amount and the single default payment where unset."""
    resolve_claim_amounts(world, claim)
    if claim.payments is None:
        claim.payments = [default_payment(world, claim)]


def default_payment(world: World, claim: Claim) -> Payment:
    """The approved amount, paid on the planned day to the claimant's own account."""
    resolve_claim_amounts(world, claim)
    assert claim.approved is not None
    return world.payment(claim.pay_day, claim.approved, account_of(claim.payee, claim.pay_day))


def resolve_claim_amounts(world: World, claim: Claim) -> None:
    """Items and approved amount only (for injections that build payments themselves)."""
    if claim.items is None:
        assert claim.cls is not None
        claim.items = training_items(world, claim.cls)
    if claim.approved is None:
        claim.approved = claim.amount if claim.decision == "approved" else 0


def resolve_all(world: World) -> None:
    """Resolve every claim, in claim order (payment numbers stay deterministic)."""
    for claim in world.claims:
        resolve_claim(world, claim)


def spending(world: World) -> list[dict[tuple[int, str, int], int]]:
    """Payments per (county, programme, year) by payment year, claim year and subsidy year."""
    by_paid: dict[tuple[int, str, int], int] = {}
    by_claim: dict[tuple[int, str, int], int] = {}
    by_subsidy: dict[tuple[int, str, int], int] = {}
    for claim in world.claims:
        for pay in claim.payments or ():
            for table, year in ((by_paid, timeline.year_of(pay.day)),
                                (by_claim, timeline.year_of(claim.day)),
                                (by_subsidy, claim.subsidy_year)):
                key = (claim.county, claim.program, year)
                table[key] = table.get(key, 0) + pay.fen
    return [by_paid, by_claim, by_subsidy]


def allocate_budgets(world: World) -> None:
    """Allocations with headroom over the largest yearly spend under any of the three bases."""
    tables = spending(world)
    for county in range(len(world.counties)):
        for program in policy.PROGRAMS:
            previous = 0
            for year in BUDGET_YEARS:
                key = (county, program, year)
                peak = max(t.get(key, 0) for t in tables)
                amount = max(_BUDGET_FLOOR, math.ceil(peak * policy.BUDGET_HEADROOM / _BUDGET_STEP)
                             * _BUDGET_STEP)
                if year == BUDGET_YEARS[-1]:
                    amount = max(amount, previous)
                world.budgets[key] = amount
                previous = amount


def round_down(fen: int) -> int:
    """Down to a whole 10,000 yuan, as budgets are written."""
    return fen // _BUDGET_STEP * _BUDGET_STEP
