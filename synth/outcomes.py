"""What happens to a class and its trainees: attendance, withdrawal, assessment, jobs, money.

The same functions plan the normal city and every injected class, so an injected
case differs from its neighbours only in the facts its injection bends afterwards.
All normal facts stay inside the city's policy (``world.policy``): attendance at least
85 % of days, assessments after the class by a filed agency for that occupation, jobs
at unlinked employers with social insurance above the local minimum income, claims at
the rule's amount, paid in full to the claimant's own account before the deadline.
"""

from __future__ import annotations

import math
import random
from itertools import accumulate

from synth import occupations, policy, timeline
from synth.model import Claim, ClassPlan, Employer, Institution, SkillUpgrade, World
from synth.names import person_name

WITHDRAW_SHARE = 0.03
DAY_STARTS = (8 * 3600, 8 * 3600 + 1800, 9 * 3600)
EVENING_STARTS = (18 * 3600 + 1800, 19 * 3600)


class Employers:
    """Employers per county, for hiring trainees after their class (dedicated shells excluded)."""

    def __init__(self, world: World) -> None:
        self.by_county: list[list[Employer]] = [[] for _ in world.counties]
        for emp in world.employers:
            if not emp.dedicated:
                self.by_county[emp.county].append(emp)
        self.cum = [list(accumulate(e.weight for e in g)) for g in self.by_county]

    def pick(self, rng: random.Random, county: int) -> Employer:
        """A random employer of ``county``, larger ones more often."""
        return rng.choices(self.by_county[county], cum_weights=self.cum[county])[0]


def new_class(world: World, *, inst_no: int, occ: int, level: int, mode: str, days: list[int],
              hours: int, capacity: int, employer: int = -1, evening: bool = False) -> ClassPlan:
    """An empty class on the given session days (rosters and outcomes come later)."""
    rng = world.rng
    no = len(world.classes) + 1
    inst = world.institutions[inst_no]
    cls = ClassPlan(
        no=no,
        cid=f"PX{no:06d}",
        inst=inst,
        occ=occ,
        level=level,
        mode=mode,
        program=policy.MODE_PROGRAM[mode],
        days=days,
        hours=hours,
        start_sec=rng.choice(EVENING_STARTS if evening else DAY_STARTS),
        capacity=capacity,
        employer=employer,
        teacher=person_name(rng, rng.choice("MF"), 1975),
        open_day=timeline.work_day_on_or_before(days[0] - rng.randint(2, 7)),
        device=f"FT{no:06d}",
        method=rng.choices(("face", "fingerprint", "card"), weights=(85, 10, 5))[0],
    )
    cls.held = len(days)
    cls.session_hours = hours
    return cls


def enrol(world: World, cls: ClassPlan, pno: int) -> int:
    """Put a person on the roster with a voucher; returns their roster slot."""
    rng = world.rng
    person = world.persons[pno]
    cls.persons.append(pno)
    cls.vouchers.append(world.voucher_no())
    cls.vday.append(timeline.work_day_on_or_before(cls.open_day - rng.randint(1, 25)))
    for name, value in (("att", 0), ("wd", -1), ("cdays", -1), ("fen", 0), ("score", -1),
                        ("cert", 0), ("emp", None)):
        getattr(cls, name).append(value)
    if person.classes is None:
        person.classes = []
        person.done = set()
    person.classes.append(cls)
    assert person.done is not None
    person.done.add((cls.occ, cls.level))
    person.idle = False
    return len(cls.persons) - 1


def attend(rng: random.Random, n_days: int, ratio: float = policy.NORMAL_MIN_ATTENDED_RATIO,
           full_share: float = 0.6) -> int:
    """A bitmask of attended sessions: all, or at least ``ratio`` of them."""
    full = (1 << n_days) - 1
    if rng.random() < full_share:
        return full
    need = math.ceil(ratio * n_days - 1e-9)
    count = rng.randint(need, n_days)
    mask = full
    for i in rng.sample(range(n_days), n_days - count):
        mask &= ~(1 << i)
    return mask


def score(rng: random.Random, mean: float) -> int:
    """An assessment score between 40 and 100."""
    return max(40, min(100, round(rng.gauss(mean, 11.0))))


def plan_trainee(world: World, cls: ClassPlan, k: int, *, withdraw: bool = True) -> None:
    """Attendance, claim item and assessment score of roster slot ``k``."""
    rng = world.rng
    n_days = len(cls.days)
    if withdraw and cls.mode not in ("order", "project") and rng.random() < WITHDRAW_SHARE:
        stayed = rng.randint(1, max(1, n_days // 2))
        cls.wd[k] = stayed
        cls.att[k] = (1 << stayed) - 1
        return
    cls.att[k] = attend(rng, n_days)
    days = cls.att[k].bit_count()
    cls.cdays[k] = days
    cls.fen[k] = world.policy.training_item_fen(cls.mode, days)
    if rng.random() < 0.95:
        mean = cls.inst.quality + occupations.OCCUPATIONS[cls.occ].ease
        cls.score[k] = score(rng, mean)
        cls.cert[k] = 1 if cls.score[k] >= policy.PASS_MARK else 0


def normal_income(world: World, rng: random.Random) -> int:
    """A normal job's monthly income in fen: whole hundreds of yuan above the local minimum."""
    low = max(2200 * policy.FEN, world.policy.normal_min_income()) // policy.FEN
    return rng.randrange(low, low + 4400, 100) * policy.FEN


def hire(world: World, cls: ClassPlan, k: int, employer: int, *, soon: bool = False) -> None:
    """A job after the class: insured, paid above the minimum, at an unlinked employer."""
    rng = world.rng
    end = cls.days[-1]
    start = end + (rng.randint(3, 30) if soon else rng.randint(7, 120))
    lag = rng.randint(3, 12) if soon else rng.randint(7, 40)
    verify = timeline.work_day_on_or_after(start + lag)
    income = normal_income(world, rng)
    cls.emp[k] = (employer, start, income, True, verify)


def plan_employment(world: World, cls: ClassPlan, employers: Employers) -> None:
    """Jobs after the class, by mode (order/project classes reach 85 % or more)."""
    rng = world.rng
    completed = [k for k in range(cls.size) if cls.wd[k] < 0]
    if cls.mode in ("order", "project"):
        floor = float(world.policy.order_min_employment) + policy.ORDER_EMPLOYMENT_MARGIN
        share = rng.uniform(min(1.0, floor + 0.01), 1.0)
        m = max(math.ceil(floor * len(completed)), round(share * len(completed)))
        for k in rng.sample(completed, min(m, len(completed))):
            person = world.persons[cls.persons[k]]
            emp = cls.employer if cls.mode == "order" else employers.pick(rng, person.county).no
            hire(world, cls, k, emp, soon=True)
        return
    if cls.mode in ("enterprise", "apprentice"):
        for k in range(cls.size):
            person = world.persons[cls.persons[k]]
            if person.employer == cls.employer and not person.verified:
                person.verified = True
                day = timeline.work_day_on_or_before(cls.open_day - rng.randint(3, 20))
                cls.pre_emp.append((k, day))
        return
    rate = cls.inst.emp_rate if cls.mode == "inclusive" else 0.08
    for k in completed:
        if rng.random() < rate:
            person = world.persons[cls.persons[k]]
            hire(world, cls, k, employers.pick(rng, person.county).no)


def pick_agency(world: World, cls: ClassPlan, day: int) -> int:
    """A filed agency for the occupation, active on ``day``, not linked to the institution."""
    rng = world.rng
    options = [a for a in world.agencies
               if not a.dedicated and a.filed and cls.occ in a.occs and a.filed_day < day
               and a.first_use <= day and a.linked != cls.inst.no]
    return rng.choices(options, weights=[a.weight for a in options])[0].no


def plan_assessment(world: World, cls: ClassPlan) -> None:
    """The class is assessed a few days after it ends; certificates follow."""
    rng = world.rng
    end = cls.days[-1]
    cls.assess_day = timeline.work_day_on_or_after(end + rng.randint(3, 15))
    cls.cert_day = timeline.work_day_on_or_after(cls.assess_day + rng.randint(3, 20))
    cls.agency = pick_agency(world, cls, cls.assess_day)


def office_days(world: World, claim_day: int, year: int) -> tuple[int, int]:
    """Review and payment days after a claim, the payment no later than the year's deadline."""
    rng = world.rng
    review = timeline.work_day_on_or_after(claim_day + rng.randint(5, 20))
    pay = timeline.work_day_on_or_after(review + rng.randint(5, 30))
    deadline = world.policy.pay_deadline(year)
    if pay > deadline:
        pay = timeline.work_day_on_or_before(deadline - rng.randint(0, 6))
        pay = max(pay, timeline.work_day_on_or_after(review + 1))
    return review, pay


def plan_training_claim(world: World, cls: ClassPlan) -> None:
    """The claim for the class's trainees, with its review, payment and write-off days."""
    rng = world.rng
    end = cls.days[-1]
    if cls.mode in ("order", "project"):
        verified = [e[4] for e in cls.emp if e is not None]
        base = max(verified, default=end) + rng.randint(3, 15)
    else:
        base = end + rng.randint(3, 20)
    year = cls.year
    day = timeline.work_day_on_or_after(base)
    limit = timeline.work_day_on_or_before(timeline.year_end(year) - 3)
    day = min(day, limit)
    payee: Institution | Employer
    if cls.mode == "apprentice" or (cls.mode == "enterprise" and rng.random() < 0.5):
        payee = world.employers[cls.employer]
        claimant_type, claimant_id = "employer", payee.eid
    else:
        payee = cls.inst
        claimant_type, claimant_id = "institution", cls.inst.iid
    claim = world.new_claim(claimant_type=claimant_type, claimant_id=claimant_id,
                            kind="training", program=cls.program, county=cls.county, day=day,
                            subsidy_year=year, cls=cls, payee=payee)
    claim.review_day, claim.pay_day = office_days(world, day, year)
    cls.claim = claim
    cls.writeoff_day = timeline.work_day_on_or_after(
        claim.pay_day + rng.randint(2, policy.WRITE_OFF_WITHIN_DAYS - 10))


def plan_certification_money(world: World, cls: ClassPlan) -> None:
    """Skill-upgrade subsidies for insured employees, certification claims for the others."""
    rng = world.rng
    holders = [k for k in range(cls.size) if cls.cert[k]]
    if not holders:
        return
    upgraded: set[int] = set()
    if cls.mode in ("enterprise", "apprentice"):
        for k in holders:
            if rng.random() < 0.5:
                upgraded.add(k)
                day = timeline.work_day_on_or_after(cls.cert_day + rng.randint(20, 60))
                world.upgrades.append(SkillUpgrade(len(world.upgrades) + 1, cls.persons[k],
                                                   cert_id(cls, k), cls.level, day))
    rest = [k for k in holders if k not in upgraded]
    if not rest:
        return
    cert_year = timeline.year_of(cls.cert_day)
    share = 0.2 if cls.mode in ("enterprise", "apprentice") else 0.35
    if rng.random() < share:
        day = timeline.work_day_on_or_after(cls.cert_day + rng.randint(5, 20))
        claim = world.new_claim(
            claimant_type="institution", claimant_id=cls.inst.iid, kind="certification",
            program=policy.CERTIFICATION_PROGRAM, county=cls.county, day=day,
            subsidy_year=cert_year, cls=cls, payee=cls.inst)
        claim.items = [(cls.persons[k], world.policy.certification_fen(cls.level), None,
                        cert_id(cls, k)) for k in rest]
        claim.review_day, claim.pay_day = office_days(world, day, cert_year)
        cls.cert_claim = claim
        return
    for k in rest:
        if rng.random() < 0.08:
            person_claim(world, cls, k, timeline.work_day_on_or_after(
                cls.cert_day + rng.randint(10, 40)))


def person_claim(world: World, cls: ClassPlan, k: int, day: int) -> Claim:
    """A certification claim filed by the certificate holder, paid to their own account."""
    person = world.persons[cls.persons[k]]
    year = timeline.year_of(cls.cert_day)
    claim = world.new_claim(
        claimant_type="person", claimant_id=person.pid, kind="certification",
        program=policy.CERTIFICATION_PROGRAM, county=person.county, day=day,
        subsidy_year=year, cls=None, payee=person)
    claim.items = [(person.no, world.policy.certification_fen(cls.level), None, cert_id(cls, k))]
    claim.review_day, claim.pay_day = office_days(world, day, year)
    return claim


def plan_spot_check(world: World, cls: ClassPlan) -> None:
    """Inspectors visit a few classes once and count what the terminal counted, or one fewer."""
    rng = world.rng
    if rng.random() < world.policy.spot_check_share:
        shortfall = policy.NORMAL_SPOT_SHORTFALL if rng.random() < 0.3 else 0
        cls.spot.append((rng.randrange(len(cls.days)), shortfall))


def plan_class(world: World, cls: ClassPlan, employers: Employers, *, spot: bool = True) -> None:
    """Every outcome of a class whose roster is filled (trainees planned one by one)."""
    for k in range(cls.size):
        plan_trainee(world, cls, k)
    finish_class(world, cls, employers, spot=spot)


def finish_class(world: World, cls: ClassPlan, employers: Employers, *, spot: bool = True) -> None:
    """Class-level outcomes once each trainee is planned: jobs, assessment, money, visits."""
    plan_employment(world, cls, employers)
    plan_assessment(world, cls)
    plan_training_claim(world, cls)
    plan_certification_money(world, cls)
    if spot:
        plan_spot_check(world, cls)


def assessment_id(cls: ClassPlan, k: int) -> str:
    """The assessment number of roster slot ``k``."""
    return f"PJ{cls.no:06d}{k:03d}"


def cert_id(cls: ClassPlan, k: int) -> str:
    """The certificate number of roster slot ``k``."""
    return f"ZS{cls.no:06d}{k:03d}"


def training_items(world: World, cls: ClassPlan) -> list[tuple[int, int, int | None, str | None]]:
    """The claim items of a class: one per claimed trainee, amount and days attended."""
    return [(cls.persons[k], cls.fen[k], cls.cdays[k], None) for k in cls.claimed()]
