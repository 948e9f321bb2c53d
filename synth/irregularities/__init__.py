"""Injected irregularities: one function per pattern of detectors.md, each returning its case.

``PATTERNS`` lists them in injection order with how many residents make one case
(class- and person-level patterns: one per 2,500, at least 2, at most 40;
institution-level ones: one per 4,000, at least 2, at most 10; over-budget: one per
4,000, 2 to 8). Each pattern is tried up to three times per wanted case, since a
random pick can find no room. Money patterns come last because they fix payments,
and over-budget runs after allocation.
"""

from __future__ import annotations

from collections.abc import Callable

from synth.irregularities import (
    compliance,
    duplicate,
    evaluation,
    ghosts,
    ineffective,
    links,
    payments,
    statistics,
)
from synth.irregularities.kit import Kit
from synth.model import World
from synth.truth import Case

Injection = Callable[[Kit], Case | None]
CLASS_LEVEL = (2500, 2, 40)
INSTITUTION_LEVEL = (4000, 2, 10)

PATTERNS: tuple[tuple[str, Injection, tuple[int, int, int]], ...] = (
    ("DUP_SAME_OCCUPATION_LEVEL", duplicate.same_occupation_level, CLASS_LEVEL),
    ("DUP_OVER_ANNUAL_CAP", duplicate.over_annual_cap, CLASS_LEVEL),
    ("DUP_OVERLAPPING_CLASSES", duplicate.overlapping_classes, CLASS_LEVEL),
    ("DUP_IMPOSSIBLE_TRAVEL", duplicate.impossible_travel, CLASS_LEVEL),
    ("DUP_IDENTITY", duplicate.identity, CLASS_LEVEL),
    ("INEFF_LOW_ATTENDANCE", ineffective.low_attendance, CLASS_LEVEL),
    ("INEFF_SHORT_DELIVERY", ineffective.short_delivery, CLASS_LEVEL),
    ("INEFF_PEER_OUTCOMES", ineffective.peer_outcomes, INSTITUTION_LEVEL),
    ("INEFF_ORDER_EMPLOYMENT", ineffective.order_employment, CLASS_LEVEL),
    ("INEFF_UNLICENSED_OCCUPATION", ineffective.unlicensed_occupation, CLASS_LEVEL),
    ("INEFF_UNFILED_AGENCY", ineffective.unfiled_agency, CLASS_LEVEL),
    ("INEFF_INELIGIBLE_AGE", ineffective.ineligible_age, CLASS_LEVEL),
    ("FRAUD_GHOST_INVALID_ID", ghosts.invalid_id, CLASS_LEVEL),
    ("FRAUD_GHOST_DECEASED", ghosts.deceased, CLASS_LEVEL),
    ("FRAUD_GHOST_NO_CHECKIN", ghosts.no_checkin, CLASS_LEVEL),
    ("FRAUD_PROXY_CHECKIN", ghosts.proxy_checkin, CLASS_LEVEL),
    ("FRAUD_SPOT_CHECK_GAP", ghosts.spot_check_gap, CLASS_LEVEL),
    ("FRAUD_BACKFILLED_ATTENDANCE", ghosts.backfilled, CLASS_LEVEL),
    ("FRAUD_FAKE_EMPLOYMENT", links.fake_employment, CLASS_LEVEL),
    ("FRAUD_SHARED_CONTACT_RING", links.shared_contact_ring, CLASS_LEVEL),
    ("FRAUD_STAFF_AS_TRAINEE", links.staff_as_trainee, CLASS_LEVEL),
    ("FRAUD_ENTERPRISE_NON_EMPLOYEE", links.enterprise_non_employee, CLASS_LEVEL),
    ("FRAUD_OVER_CAPACITY", links.over_capacity, CLASS_LEVEL),
    ("FRAUD_AGENCY_LINKED", links.agency_linked, INSTITUTION_LEVEL),
    ("FRAUD_PASS_RATE_ANOMALY", evaluation.pass_rate_anomaly, INSTITUTION_LEVEL),
    ("FRAUD_CERT_TIMING", evaluation.cert_timing, CLASS_LEVEL),
    ("FRAUD_CERT_BURST", evaluation.cert_burst, INSTITUTION_LEVEL),
    ("FRAUD_INSTITUTION_OUTLIER", statistics.institution_outlier, INSTITUTION_LEVEL),
    ("FRAUD_BENFORD", statistics.benford, INSTITUTION_LEVEL),
    ("FRAUD_OVER_CAP_CLAIM", payments.over_cap_claim, CLASS_LEVEL),
    ("FRAUD_PAY_WITHOUT_APPROVAL", payments.pay_without_approval, CLASS_LEVEL),
    ("FRAUD_PAY_OVER_APPROVED", payments.pay_over_approved, CLASS_LEVEL),
    ("FRAUD_PAY_DUPLICATE", payments.pay_duplicate, CLASS_LEVEL),
    ("FRAUD_PAY_WRONG_ACCOUNT", payments.pay_wrong_account, CLASS_LEVEL),
    ("FRAUD_DOUBLE_DIPPING", payments.double_dipping, CLASS_LEVEL),
    ("COMP_LATE_PAYMENT", compliance.late_payment, CLASS_LEVEL),
    ("COMP_VOUCHER_NOT_WRITTEN_OFF", compliance.voucher_not_written_off, CLASS_LEVEL),
)
BUDGET_CASES = (4000, 2, 8)
ALL_CODES = (*(code for code, _, _ in PATTERNS), "COMP_OVER_BUDGET")


def inject_all(world: World) -> list[Case]:
    """Inject every pattern; remembers the residents named in cases for the look-alikes."""
    kit = Kit(world)
    cases: list[Case] = []
    for code, inject, (per, lo, hi) in PATTERNS:
        wanted = kit.cases(per, lo, hi)
        made = 0
        for _ in range(wanted * 3):
            case = inject(kit)
            if case is not None:
                assert case.pattern == code, (case.pattern, code)
                cases.append(case)
                made += 1
                if made == wanted:
                    break
    world.marks["reserved_persons"] = sorted(kit.truth_persons)
    return cases


def inject_budgets(world: World) -> list[Case]:
    """COMP_OVER_BUDGET, once payments are final and budgets allocated."""
    per, lo, hi = BUDGET_CASES
    return compliance.over_budget(world, max(lo, min(hi, round(world.size / per))))
