"""The subsidy rules the synthetic city obeys, as constants (money in integer fen).

The detectors' rules file holds the same defaults (detectors.md, "Subsidy rules in
force"); the generator uses only the names below, so a normal city never crosses a
rule by accident and every injected case crosses exactly the rule it is built for.

Year of a subsidy
    A training subsidy belongs to the year its class ends; a certification subsidy to
    the year its certificate is issued. Normal classes start and end inside one
    calendar year and are claimed in that year, so "year" means the same thing
    whether a detector counts by class start, class end or claim date.

Benford's law and these amounts (FRAUD_BENFORD)
    Normal claim items are not "natural" amounts: they come from the rules below, so
    every one is a multiple of 50 yuan with zero fen (100 x days capped at 1000, 150 or
    100 a day, 300 flat, 500 by level ...). Their first digits are dominated by 1
    (1000.00, 1200.00, 1500.00 ...) and 5..9 (500.00 .. 900.00); they do not follow
    Benford, and a per-institution test against Benford's curve would flag every honest
    institution. What a per-institution test can fairly show is that one institution's
    first-digit distribution differs from its peers' (the pooled items of the other
    institutions, same claim kind and mode), on at least ``BENFORD_MIN_ITEMS`` items; a
    companion sign is that the amounts are not rule-shaped (fen present, not a multiple
    of 50). The injected Benford institutions claim invented amounts: fen present, each
    just under the rule's amount (72-99.5 % of it), so first digits pile up on 7, 8, 9
    with almost no 1 -- far from the peers, while no item exceeds its cap.
"""

from __future__ import annotations

FEN = 100  # fen per yuan

# Training programmes (ClassOpened.program, SubsidyClaimed.program, SubsidyPaid.program,
# BudgetAllocated.program).
# 就业补助资金: inclusive, order, project and entrepreneurship training, certification.
PROGRAM_EMPLOYMENT = "employment_subsidy"
PROGRAM_UPGRADE = "vocational_skills_upgrade"  # 职业技能提升行动专账: enterprise, apprentice
PROGRAMS = (PROGRAM_EMPLOYMENT, PROGRAM_UPGRADE)
MODE_PROGRAM = {
    "inclusive": PROGRAM_EMPLOYMENT,
    "order": PROGRAM_EMPLOYMENT,
    "project": PROGRAM_EMPLOYMENT,
    "entrepreneurship": PROGRAM_EMPLOYMENT,
    "enterprise": PROGRAM_UPGRADE,
    "apprentice": PROGRAM_UPGRADE,
}
CERTIFICATION_PROGRAM = PROGRAM_EMPLOYMENT

# 普惠制: 100 yuan a day attended, at most 1000 yuan for one training.
INCLUSIVE_PER_DAY = 100 * FEN
INCLUSIVE_CAP = 1000 * FEN
# 订单式 / 项目制: 150 a day for the first 10 days, 100 after; only when employment >= 80 %.
ORDER_FIRST_DAYS = 10
ORDER_FIRST_RATE = 150 * FEN
ORDER_LATER_RATE = 100 * FEN
ORDER_MIN_EMPLOYMENT = 0.80  # rule threshold
ORDER_NORMAL_EMPLOYMENT = 0.85  # normal order/project classes reach at least this
# Flat amounts per person per training.
ENTERPRISE_PER_PERSON = 300 * FEN  # 企业职工培训
APPRENTICE_PER_PERSON = 4000 * FEN  # 新型学徒制, one training a year per apprentice
ENTREPRENEURSHIP_PER_PERSON = 1200 * FEN  # 创业培训 (SYB)

# 取证补贴 (certification) and 失业保险技能提升补贴 (skill upgrade), by level 5..1.
CERTIFICATION_BY_LEVEL = {5: 300 * FEN, 4: 400 * FEN, 3: 500 * FEN, 2: 600 * FEN, 1: 700 * FEN}
SKILL_UPGRADE_BY_LEVEL = {5: 1000 * FEN, 4: 1500 * FEN, 3: 2000 * FEN, 2: 2000 * FEN, 1: 2000 * FEN}

# Attendance and delivery.
MIN_ATTENDED_RATIO = 0.80  # rule: attended hours >= 80 % of planned hours
NORMAL_MIN_ATTENDED_RATIO = 0.85  # normal trainees attend at least this share of days
LEVEL_MIN_HOURS = {5: 40, 4: 60, 3: 80, 2: 100, 1: 120}

# Eligibility and caps.
MAX_TRAININGS_PER_YEAR = 3  # 国办发〔2019〕24号
MIN_AGE = 16
MAX_AGE = 60
NORMAL_MIN_AGE = 18
NORMAL_MAX_AGE = 58
MIN_WAGE = 1980 * FEN  # local minimum monthly wage
NORMAL_MIN_INCOME = 2000 * FEN

# Money deadlines: subsidies of year Y are paid by 31 March of Y+1.
PAY_BY_MONTH = 3
PAY_BY_DAY = 31
# Normal write-off (核销) follows the payment within this many days.
WRITE_OFF_WITHIN_DAYS = 30
VOUCHER_VALID_DAYS = 180

# Budget allocations of the normal city exceed the largest yearly spend (by payment,
# claim or subsidy year) by at least this factor.
BUDGET_HEADROOM = 1.30

# Capacity: class sizes of the normal city.
MIN_CLASS_SIZE = 15
MAX_CLASS_SIZE = 50

# Benford: the least number of claim items on which a per-institution test is fair.
BENFORD_MIN_ITEMS = 100

# Supervision.
SPOT_CHECK_SHARE = 0.08  # share of normal classes visited once
NORMAL_SPOT_SHORTFALL = 1  # a normal spot count is at most this far below the check-ins

# Proxy check-in: normal face terminals never take more than this many check-ins a minute.
NORMAL_MAX_CHECKINS_PER_MINUTE = 6
NORMAL_MIN_FACE_SCORE = 0.80


def training_item_fen(mode: str, days: int) -> int:
    """The rule's subsidy for one trainee who attended ``days`` days of a class of ``mode``."""
    if mode == "inclusive":
        return min(days * INCLUSIVE_PER_DAY, INCLUSIVE_CAP)
    if mode in ("order", "project"):
        first = min(days, ORDER_FIRST_DAYS)
        return first * ORDER_FIRST_RATE + (days - first) * ORDER_LATER_RATE
    if mode == "enterprise":
        return ENTERPRISE_PER_PERSON
    if mode == "apprentice":
        return APPRENTICE_PER_PERSON
    if mode == "entrepreneurship":
        return ENTREPRENEURSHIP_PER_PERSON
    raise ValueError(f"unknown mode {mode!r}")


def yuan(fen: int) -> str:
    """Fen as the spec's money string, e.g. 100000 -> '1000.00'."""
    return f"{fen // 100}.{fen % 100:02d}"
