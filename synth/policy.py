"""The subsidy rules a synthetic city obeys: a local policy drawn from its seed (money in fen).

Each city publishes its own policy within the spec's bounds (detectors.md, "Subsidy
rules in force"): the spec's amounts are maxima or standards, so a city pays the
same or less (普惠制 at most 100 yuan a day and 1000 a training, 订单式 at most 150
then 100 a day, enterprise training at most 300), asks at least the spec's 80 %
employment, counts at most three trainings a year and pays by 31 March or earlier.
What the spec leaves to the city varies freely: certification subsidies by level
(not monotone), skill-upgrade amounts, apprentice and entrepreneurship amounts,
minimum hours by level, the local minimum income, hours a day, the share of
evening and short classes, and the county layout (``geography``). Some cities do
not publish some of those values: then the rules file a user writes from the
city's policy leaves them out (``rules_toml``) and the generator injects no case
that only an unpublished value could reveal.

How each irregularity is made differs between cities too (``Tricks``): duplicate
identities in the same county or another, by a one-digit typo, a transposition, a
borrowed ID number or a birth date one day off; how far a proxy check-in burst is
spread; how few people inspectors count; how late records are back-filled; how
perfect the too-perfect institution is. Every variation stays inside what the
rules and their default thresholds call irregular, and every normal fact and every
look-alike stays inside the city's own policy.

Year of a subsidy
    A training subsidy belongs to the year its class ends; a certification subsidy to
    the year its certificate is issued. Normal classes start and end inside one
    calendar year and are claimed in that year, so "year" means the same thing
    whether a detector counts by class start, class end or claim date.

Benford's law and these amounts (FRAUD_BENFORD)
    Normal claim items are not "natural" amounts: they come from the rules, so every
    one is a multiple of 10 yuan with zero fen (a rate times days, capped; a flat
    amount; a level's amount). Their first digits are set by the policy, not by
    Benford, and a per-institution test against Benford's curve would flag every
    honest institution. What a per-institution test can fairly show is that one
    institution's first-digit distribution differs from its peers' (the pooled items
    of the other institutions, same claim kind and mode), on at least
    ``BENFORD_MIN_ITEMS`` items; a companion sign is that the amounts are not
    rule-shaped (fen present). The injected Benford institutions claim invented
    amounts: fen present, each just under the rule's amount (72-99.5 % of it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from synth.geography import County, draw_layout

FEN = 100  # fen per yuan
PASS_MARK = 60  # assessments pass at 60 of 100 (the occupational skill standards' mark)

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

# Rules every city shares (national or the spec's, not local choices).
MIN_ATTENDED_RATIO = 0.80  # rule: attended hours >= 80 % of planned hours
NORMAL_MIN_ATTENDED_RATIO = 0.85  # normal trainees attend at least this share of days
MIN_AGE = 16  # working age for subsidised training, at enrolment
MAX_AGE = 60
NORMAL_MIN_AGE = 18
NORMAL_MAX_AGE = 58
ORDER_EMPLOYMENT_MARGIN = 0.05  # normal order/project classes reach the threshold plus this
NORMAL_SPOT_SHORTFALL = 1  # a normal spot count is at most this far below the check-ins

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

# Proxy check-in: normal face terminals never take more than this many check-ins a minute.
NORMAL_MAX_CHECKINS_PER_MINUTE = 6
NORMAL_MIN_FACE_SCORE = 0.80

LEVELS = (5, 4, 3, 2, 1)
ALWAYS_PUBLISHED = ("version", "min_working_age", "max_working_age", "inclusive_per_day",
                    "inclusive_cap", "enterprise_per_person", "order_first_days",
                    "order_first_rate", "order_later_rate", "order_min_employment",
                    "max_trainings_per_year", "payment_deadline")
"""Policy keys every city's rules file sets: the spec's own rules, restated as the city applies
them. The others (certification, level minima, apprentice, entrepreneurship, minimum income)
are published by some cities only."""
OPTIONAL_KEYS = ("certification_subsidy", "level_min_hours", "apprentice_per_person",
                 "entrepreneurship_per_person", "local_minimum_income")


@dataclass(frozen=True)
class Tricks:
    """How the city's irregularities are made (shares are probabilities, ranges inclusive)."""

    identity_same_county: float  # duplicate identity registered in the real person's county
    identity_ways: tuple[float, float, float, float]  # typo digit, transposition, borrowed, day off
    identity_shares_phone: float  # the second record carries the phone (else the bank account)
    proxy_gap_s: tuple[int, int]  # seconds between two check-ins of one proxy burst
    proxy_face: tuple[float, float]  # face scores of proxied check-ins
    proxy_members: tuple[float, float]  # share of the claimed trainees checked in by proxy
    proxy_days: tuple[float, float]  # share of the class's days with a burst
    spot_ratio: tuple[float, float]  # inspectors' count / people checked in, in a gap case
    backfill_lag: tuple[int, int]  # days from the claim to the hand-typed records
    late_fix_delay: tuple[int, int]  # days late of a single forgotten check-in (look-alike)
    perfect_pass: float  # the too-perfect institution's pass share (its scores are high)
    perfect_employment: float  # and its employment share
    poor_quality: tuple[float, float]  # the poor institution's mean score before occupation ease
    poor_employment: tuple[float, float]


@dataclass(frozen=True)
class LocalPolicy:
    """A city's published subsidy policy and layout, and how its irregularities are made."""

    seed: int
    province: str
    city: str
    area_code: str
    bank_prefix: str
    counties: tuple[County, ...]
    inclusive_per_day: int
    inclusive_cap: int
    order_first_days: int
    order_first_rate: int
    order_later_rate: int
    order_min_employment: Fraction
    enterprise_per_person: int
    apprentice_per_person: int
    entrepreneurship_per_person: int
    certification: tuple[tuple[int, int], ...]  # (level, fen)
    skill_upgrade: tuple[tuple[int, int], ...]  # (level, fen)
    level_min_hours: tuple[tuple[int, int], ...]  # (level, hours)
    local_minimum_income: int
    max_trainings_per_year: int
    pay_by: tuple[int, int]  # (month, day) of the following year
    day_hours: tuple[tuple[int, int], ...]  # (hours a day, weight) of day classes
    evening_share: float  # classes held in the evening, 3-4 hours a session
    short_share: float  # classes of 3-4 days
    spot_check_share: float  # normal classes visited once by inspectors
    published: frozenset[str]
    tricks: Tricks

    # -- amounts ----------------------------------------------------------------------
    def training_item_fen(self, mode: str, days: int) -> int:
        """The rule's subsidy for one trainee who attended ``days`` days of a class of ``mode``."""
        if mode == "inclusive":
            return min(days * self.inclusive_per_day, self.inclusive_cap)
        if mode in ("order", "project"):
            first = min(days, self.order_first_days)
            return first * self.order_first_rate + (days - first) * self.order_later_rate
        if mode == "enterprise":
            return self.enterprise_per_person
        if mode == "apprentice":
            return self.apprentice_per_person
        if mode == "entrepreneurship":
            return self.entrepreneurship_per_person
        raise ValueError(f"unknown mode {mode!r}")

    def certification_fen(self, level: int) -> int:
        """取证补贴 for a certificate of ``level``."""
        return dict(self.certification)[level]

    def skill_upgrade_fen(self, level: int) -> int:
        """失业保险技能提升补贴 for a certificate of ``level``."""
        return dict(self.skill_upgrade)[level]

    def min_hours(self, level: int) -> int:
        """The least hours a class of ``level`` must deliver (0 where the city sets none)."""
        if "level_min_hours" not in self.published:
            return 0
        return dict(self.level_min_hours)[level]

    def pay_deadline(self, year: int) -> int:
        """The last day on which a subsidy of ``year`` may be paid."""
        month, day = self.pay_by
        return date(year + 1, month, day).toordinal()

    def employed_enough(self, employed: int, completed: int) -> bool:
        """Whether an order/project class's employment reaches the threshold (exactly)."""
        return completed == 0 or Fraction(employed, completed) >= self.order_min_employment

    def least_employed(self, completed: int) -> int:
        """The fewest employed trainees that still reach the threshold."""
        return -(-self.order_min_employment.numerator * completed
                 // self.order_min_employment.denominator)

    def normal_min_income(self) -> int:
        """The lowest monthly income of a normal job: above the local minimum."""
        return -(-(self.local_minimum_income + 100 * FEN) // (100 * FEN)) * 100 * FEN

    @property
    def low_wage(self) -> int:
        """A low but legal monthly income, a little above the local minimum (look-alike)."""
        return self.local_minimum_income + 20 * FEN

    # -- the rules file -----------------------------------------------------------------
    def rules_toml(self) -> str:
        """The rules file a user would write from the city's published policy."""
        lines = [f"# Rules for {self.province}{self.city}, written from its published "
                 "training-subsidy policy.",
                 "# Values the city does not publish are left out: the defaults decide them.",
                 f'version = "{self.city}-{self.seed}"', "", "[policy]"]
        values: dict[str, str] = {
            "min_working_age": str(MIN_AGE),
            "max_working_age": str(MAX_AGE),
            "inclusive_per_day": _yuan_q(self.inclusive_per_day),
            "inclusive_cap": _yuan_q(self.inclusive_cap),
            "enterprise_per_person": _yuan_q(self.enterprise_per_person),
            "apprentice_per_person": _yuan_q(self.apprentice_per_person),
            "entrepreneurship_per_person": _yuan_q(self.entrepreneurship_per_person),
            "order_first_days": str(self.order_first_days),
            "order_first_rate": _yuan_q(self.order_first_rate),
            "order_later_rate": _yuan_q(self.order_later_rate),
            "order_min_employment": f'"{float(self.order_min_employment):.2f}"',
            "max_trainings_per_year": str(self.max_trainings_per_year),
            "payment_deadline": f'"{self.pay_by[0]:02d}-{self.pay_by[1]:02d}"',
            "local_minimum_income": _yuan_q(self.local_minimum_income),
            "level_min_hours": "{ " + ", ".join(
                f'"{lv}" = {h}' for lv, h in self.level_min_hours) + " }",
            "certification_subsidy": "{ " + ", ".join(
                f'"{lv}" = {_yuan_q(f)}' for lv, f in self.certification) + " }",
        }
        for key, value in values.items():
            if key in self.published:
                lines.append(f"{key} = {value}")
        # every assessment standard publishes its pass mark, and the city's is 60 of 100
        lines += ["", "[rules.FRAUD_PASS_RATE_ANOMALY]", f'pass_mark = "{PASS_MARK}"']
        return "\n".join(lines) + "\n"

    def summary(self) -> dict[str, object]:
        """The whole drawn policy (published or not) for the truth file."""
        return {
            "province": self.province, "city": self.city,
            "counties": [c.code for c in self.counties],
            "published": sorted(self.published),
            "inclusive_per_day": yuan(self.inclusive_per_day),
            "inclusive_cap": yuan(self.inclusive_cap),
            "order": [self.order_first_days, yuan(self.order_first_rate),
                      yuan(self.order_later_rate), str(self.order_min_employment)],
            "enterprise_per_person": yuan(self.enterprise_per_person),
            "apprentice_per_person": yuan(self.apprentice_per_person),
            "entrepreneurship_per_person": yuan(self.entrepreneurship_per_person),
            "certification": {str(lv): yuan(f) for lv, f in self.certification},
            "skill_upgrade": {str(lv): yuan(f) for lv, f in self.skill_upgrade},
            "level_min_hours": {str(lv): h for lv, h in self.level_min_hours},
            "local_minimum_income": yuan(self.local_minimum_income),
            "max_trainings_per_year": self.max_trainings_per_year,
            "payment_deadline": f"{self.pay_by[0]:02d}-{self.pay_by[1]:02d}",
            "day_hours": [list(h) for h in self.day_hours],
            "evening_share": self.evening_share, "short_share": self.short_share,
            "spot_check_share": self.spot_check_share,
            "tricks": {k: v for k, v in vars(self.tricks).items()},
        }


def _yuan_q(fen: int) -> str:
    return f'"{yuan(fen)}"'


def yuan(fen: int) -> str:
    """Fen as the spec's money string, e.g. 100000 -> '1000.00'."""
    return f"{fen // 100}.{fen % 100:02d}"


def _pair(rng: random.Random, lo: float, hi: float, width: float) -> tuple[float, float]:
    first = round(rng.uniform(lo, hi - width), 2)
    return first, round(first + width, 2)


def draw_policy(seed: int) -> LocalPolicy:
    """The city's local policy, layout and ways of faking, from its own RNG stream."""
    rng = random.Random(f"policy-{seed}")
    region, counties = draw_layout(rng)
    per_day = rng.choice((60, 70, 80, 90, 100, 100))
    cap = min(1000, per_day * rng.choice((8, 9, 10, 10, 12)))
    first_rate = rng.choice((120, 130, 140, 150, 150))
    later_rate = min(first_rate, rng.choice((80, 90, 100, 100)))
    certification = tuple((lv, rng.randrange(200, 1501, 50) * FEN) for lv in LEVELS)
    upgrade = tuple((lv, rng.randrange(800, 2501, 100) * FEN) for lv in LEVELS)
    # multiples of 4 hours, so a class of 4- or 8-hour sessions can sit exactly on a minimum
    hours = 4 * rng.randint(5, 10)
    minima_list = []
    for lv in LEVELS:
        minima_list.append((lv, hours))
        hours += 4 * rng.randint(3, 6)
    minima = tuple(minima_list)
    published = set(ALWAYS_PUBLISHED)
    for key, share in (("certification_subsidy", 0.75), ("level_min_hours", 0.6),
                       ("apprentice_per_person", 0.7), ("entrepreneurship_per_person", 0.7),
                       ("local_minimum_income", 0.8)):
        if rng.random() < share:
            published.add(key)
    weights = rng.choice(((0.25, 0.25, 0.25, 0.25), (0.5, 0.2, 0.2, 0.1), (0.1, 0.2, 0.4, 0.3),
                          (0.2, 0.1, 0.3, 0.4)))
    gap_lo = rng.randint(2, 4)
    tricks = Tricks(
        identity_same_county=rng.choice((0.3, 0.5, 0.8)),
        identity_ways=weights,
        identity_shares_phone=rng.choice((0.3, 0.5, 0.7)),
        proxy_gap_s=(gap_lo, gap_lo + rng.randint(3, 5)),
        proxy_face=_pair(rng, 0.25, 0.62, 0.2),
        proxy_members=_pair(rng, 0.35, 0.85, 0.25),
        proxy_days=_pair(rng, 0.5, 0.95, 0.25),
        spot_ratio=_pair(rng, 0.2, 0.65, 0.2),
        backfill_lag=(rng.randint(5, 15), rng.randint(20, 45)),
        late_fix_delay=(rng.randint(1, 2), rng.randint(3, 5)),
        perfect_pass=rng.choice((1.0, 1.0, 0.98)),
        perfect_employment=round(rng.uniform(0.9, 1.0), 2),
        poor_quality=_pair(rng, 44.0, 55.0, 5.0),
        poor_employment=_pair(rng, 0.0, 0.12, 0.06),
    )
    day_hours = rng.choice((((8, 85), (6, 15)), ((8, 50), (7, 50)), ((6, 70), (8, 30)),
                        ((7, 60), (6, 40)), ((6, 50), (5, 30), (4, 20))))
    return LocalPolicy(
        seed=seed, province=region.province, city=region.city, area_code=region.area_code,
        bank_prefix=region.bank_prefix, counties=counties,
        inclusive_per_day=per_day * FEN, inclusive_cap=cap * FEN,
        order_first_days=rng.randint(7, 10), order_first_rate=first_rate * FEN,
        order_later_rate=later_rate * FEN,
        order_min_employment=Fraction(rng.choice((80, 80, 85, 90)), 100),
        enterprise_per_person=rng.choice((150, 200, 250, 300, 300)) * FEN,
        apprentice_per_person=rng.randrange(2000, 6001, 500) * FEN,
        entrepreneurship_per_person=rng.randrange(800, 2001, 100) * FEN,
        certification=certification, skill_upgrade=upgrade, level_min_hours=minima,
        local_minimum_income=rng.randrange(1690, 2691, 10) * FEN,
        max_trainings_per_year=rng.choice((3, 3, 2)),
        pay_by=rng.choice(((3, 31), (3, 31), (2, 28), (1, 31))),
        day_hours=day_hours,
        evening_share=rng.choice((0.0, 0.1, 0.25)),
        short_share=rng.choice((0.0, 0.1, 0.2)),
        spot_check_share=round(rng.uniform(0.05, 0.12), 3),
        published=frozenset(published),
        tricks=tricks,
    )
