"""Legitimate situations that resemble the patterns, listed so detectors can be held to silence.

Some occur naturally in the normal city and are only named here (level progressions,
namesakes, three trainings in a year, 40-hour level-5 classes); the others are made
by bending an untouched class just short of the city's rule (80 % attendance, an order
class at its employment threshold, payment on the deadline's eve, a 59-year-old trainee).
Look-alike classes are marked so no injection or other look-alike touches them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from synth import emit_training, geography, occupations, outcomes, policy, timeline
from synth.irregularities.kit import Kit, attendance_event, class_ids, pid_of
from synth.model import ClassPlan, World
from synth.money import resolve_claim_amounts, spending
from synth.population import new_person
from synth.truth import Ids, Lookalike


class _Looks:
    """A kit that skips everything named in a case, and marks what it bends."""

    def __init__(self, world: World) -> None:
        self.kit = Kit(world)
        self.world = world
        self.rng = world.rng
        self.truth = set(world.marks.get("reserved_persons", []))
        self.n = max(2, min(5, world.size // 5000))

    def pick(self, ok: Callable[[ClassPlan], bool]) -> ClassPlan | None:
        cls = self.kit.pick(ok)
        if cls is not None:
            cls.look = True
        return cls

    def reserve(self, persons: list[int], classes: list[ClassPlan]) -> None:
        """Keep these people and classes away from the injections."""
        self.truth.update(persons)
        for cls in classes:
            cls.look = True

    def clean(self, pno: int) -> bool:
        """A resident not named in any case."""
        return pno not in self.truth


def _trained(looks: _Looks) -> list[int]:
    return [p.no for p in looks.world.persons if p.classes and looks.clean(p.no)]


def level_progression(looks: _Looks) -> list[Lookalike]:
    """Level 5 then level 4 of the same occupation: two subsidies, two levels."""
    world = looks.world
    found: list[Lookalike] = []
    for pno in _trained(looks):
        person = world.persons[pno]
        classes = person.classes or []
        for a in classes:
            for b in classes:
                if (a.occ == b.occ and b.level == a.level - 1 and a.days[-1] < b.days[0]
                        and a.persons.count(pno) and b.persons.count(pno)
                        and a.cdays[a.persons.index(pno)] >= 0
                        and b.cdays[b.persons.index(pno)] >= 0):
                    ids = Ids(person_ids=[person.pid], class_ids=[a.cid, b.cid],
                              claim_ids=[c.claim.claim_id for c in (a, b) if c.claim])
                    looks.reserve([pno], [a, b])
                    found.append(Lookalike(
                        "level_progression", ["DUP_SAME_OCCUPATION_LEVEL"],
                        f"{occupations.OCCUPATIONS[a.occ].name} level {a.level}, then level "
                        f"{b.level}: a progression, not a repeat.", ids))
                    break
            if len(found) >= looks.n or (found and found[-1].ids.person_ids == [person.pid]):
                break
        if len(found) >= looks.n:
            break
    return found


def back_to_back(looks: _Looks) -> list[Lookalike]:
    """One class ends the day before the next starts (nearby, or in a far county)."""
    world, rng, kit = looks.world, looks.rng, looks.kit
    found: list[Lookalike] = []
    insts = [i for i in world.institutions if not i.dedicated]
    for n in range(looks.n):
        far = n % 2 == 1
        first = looks.pick(lambda c: c.mode in ("inclusive", "entrepreneurship")
                           and timeline.weekday(c.days[-1]) < 5
                           and timeline.is_session_day(c.days[-1] + 1)
                           and c.inst.free_seats(c.days) >= 1 and c.year == timeline.year_of(
                               c.days[-1] + 30))
        if first is None:
            break
        a = first.inst
        if far:
            options = [i for i in insts
                       if geography.distance_km(a.lat, a.lon, i.lat, i.lon) >= geography.FAR_KM]
        else:
            options = [a]
        if not options:
            continue
        inst = rng.choice(options)
        occs = [o for o in inst.licensed if o != first.occ] or inst.licensed
        second = kit.build(inst, occ=rng.choice(occs), level=5, start=first.days[-1] + 1,
                           year=first.year, size=16, fixed=True)
        if second is None or second.days[0] != first.days[-1] + 1:
            continue
        second.look = True
        pno = kit.idle(first.inst.county, 1)[0]
        looks.truth.add(pno)
        kit.attach(first, pno)
        kit.attach(second, pno)
        ids = Ids(person_ids=[pid_of(world, pno)], class_ids=[first.cid, second.cid],
                  claim_ids=[c.claim.claim_id for c in (first, second) if c.claim])
        must = ["DUP_OVERLAPPING_CLASSES"] + (["DUP_IMPOSSIBLE_TRAVEL"] if far else [])
        where = "in a county 60+ km away" if far else "at the same venue"
        found.append(Lookalike("back_to_back", must,
                               f"One class ends on {timeline.iso(first.days[-1])}, the next "
                               f"starts the following day {where}.", ids))
    return found


def namesakes(looks: _Looks) -> list[Lookalike]:
    """Two different people with one common name (different ID, birth date, phone, bank)."""
    world = looks.world
    by_name: dict[str, int] = {}
    found: list[Lookalike] = []
    for pno in _trained(looks):
        person = world.persons[pno]
        other = by_name.get(person.name)
        if other is None:
            by_name[person.name] = pno
            continue
        twin = world.persons[other]
        if twin.birth != person.birth and twin.gender == person.gender:
            looks.reserve([other, pno], [])
            found.append(Lookalike("namesake", ["DUP_IDENTITY"],
                                   f"Two different residents named {person.name}, both trained.",
                                   Ids(person_ids=[twin.pid, person.pid])))
            del by_name[person.name]
        if len(found) >= looks.n:
            break
    return found


def late_correction(looks: _Looks) -> list[Lookalike]:
    """One check-in typed in by hand a few days late (a forgotten card), before the claim."""
    world, rng = looks.world, looks.rng
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: len(c.days) >= 6 and len(c.claimed()) >= 10
                         and c.proxy is None and c.backfill is None)
        if cls is None:
            break
        i = rng.randrange(len(cls.days) // 2)
        k = rng.choice([k for k in cls.claimed() if cls.att[k] >> i & 1])
        delay = rng.randint(*world.policy.tricks.late_fix_delay)
        cls.late_fix = (k, i, delay)
        ids = class_ids(cls, claim=False)
        ids.person_ids = [pid_of(world, cls.persons[k])]
        ids.event_ids = [attendance_event(cls, k, i, "in")]
        found.append(Lookalike("late_correction", ["FRAUD_BACKFILLED_ATTENDANCE"],
                               f"A single check-in of {cls.cid} entered manually {delay} days "
                               "late.", ids))
    return found


def slight_spot_gap(looks: _Looks) -> list[Lookalike]:
    """Inspectors counted two fewer than checked in (someone stepped out)."""
    rng = looks.rng
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: len(c.claimed()) >= 15)
        if cls is None:
            break
        i = rng.randrange(len(cls.days))
        cls.spot = [(i, 2)]
        ids = class_ids(cls, claim=False)
        ids.event_ids = [f"sv-{cls.cid}-{i:02d}"]
        found.append(Lookalike("slight_spot_gap", ["FRAUD_SPOT_CHECK_GAP"],
                               f"The inspectors' count at {cls.cid} was 2 below the check-ins.",
                               ids))
    return found


def enterprise_employees(looks: _Looks) -> list[Lookalike]:
    """An enterprise class whose trainees all work at the enterprise."""
    world = looks.world
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: c.mode == "enterprise")
        if cls is None:
            break
        ids = class_ids(cls)
        ids.employer_ids = [world.employers[cls.employer].eid]
        found.append(Lookalike("enterprise_employees", ["FRAUD_ENTERPRISE_NON_EMPLOYEE"],
                               f"Enterprise class {cls.cid}: every trainee is a verified "
                               "employee.", ids))
    return found


def bank_switch(looks: _Looks) -> list[Lookalike]:
    """A person or institution changed bank account before being paid; paid to the new one."""
    world, kit = looks.world, looks.kit
    found: list[Lookalike] = []
    for pno, claim_no in world.marks.get("bank_switch_person", []):
        claim = world.claims[claim_no - 1]
        ids = Ids(person_ids=[pid_of(world, pno)], claim_ids=[claim.claim_id],
                  payment_ids=kit.pay_now(claim))
        found.append(Lookalike("bank_switch", ["FRAUD_PAY_WRONG_ACCOUNT"],
                               "The claimant changed bank account (PersonUpdated) before the "
                               "payment, which went to the new account.", ids))
    for ino in world.marks.get("bank_switch_institution", []):
        inst = world.institutions[ino]
        found.append(Lookalike("bank_switch", ["FRAUD_PAY_WRONG_ACCOUNT"],
                               f"{inst.name} changed bank account (InstitutionUpdated); later "
                               "payments went to the new account.",
                               Ids(institution_ids=[inst.iid])))
    return found


def agency_filed_early(looks: _Looks) -> list[Lookalike]:
    """An agency filed in 2023 that started certifying months later, gradually."""
    found: list[Lookalike] = []
    for agency in looks.world.agencies:
        if not agency.dedicated and agency.first_use > agency.filed_day:
            found.append(Lookalike("agency_filed_early", ["FRAUD_CERT_BURST"],
                                   f"{agency.aid} was filed on {timeline.iso(agency.filed_day)} "
                                   "and issued its first certificates months later.",
                                   Ids(agency_ids=[agency.aid])))
    return found


def order_at_threshold(looks: _Looks) -> list[Lookalike]:
    """An order/project class with the fewest jobs that reach the city's threshold: payable.

    A class whose size puts the threshold exactly on a whole number of people is preferred.
    """
    rng, local = looks.rng, looks.world.policy
    found: list[Lookalike] = []

    def exact(c: ClassPlan) -> bool:
        return local.least_employed(c.size) * local.order_min_employment.denominator == (
            c.size * local.order_min_employment.numerator)

    for _ in range(looks.n):
        cls = (looks.pick(lambda c: c.mode in ("order", "project") and exact(c)
                          and all(w < 0 for w in c.wd))
               or looks.pick(lambda c: c.mode in ("order", "project")
                             and all(w < 0 for w in c.wd)))
        if cls is None:
            break
        target = local.least_employed(cls.size)
        employed = [k for k, e in enumerate(cls.emp) if e is not None]
        for k in rng.sample(employed, max(0, len(employed) - target)):
            cls.emp[k] = None
        found.append(Lookalike("order_at_threshold", ["INEFF_ORDER_EMPLOYMENT"],
                               f"{cls.mode.capitalize()} class {cls.cid}: {target} of "
                               f"{cls.size} trainees employed, the threshold being "
                               f"{float(local.order_min_employment):.0%}.", class_ids(cls)))
    return found


def age_edges(looks: _Looks) -> list[Lookalike]:
    """Trainees aged 59 (and one aged 17) at enrolment: inside the 16-60 working age."""
    world, rng, kit = looks.world, looks.rng, looks.kit
    found: list[Lookalike] = []
    for n in range(looks.n):
        cls = looks.pick(lambda c: c.mode == "inclusive" and c.inst.free_seats(c.days) >= 1)
        if cls is None:
            break
        age = 17 if n == 1 else 59
        birth = timeline.birth_for_age(rng.randrange(1000), age, cls.open_day)
        person = new_person(world, cls.inst.county, birth=birth,
                            category="graduate" if age == 17 else "rural_transfer")
        person.idle = False
        looks.truth.add(person.no)
        kit.attach(cls, person.no)
        ids = class_ids(cls, claim=False)
        ids.person_ids = [person.pid]
        found.append(Lookalike("eligible_age_edge", ["INEFF_INELIGIBLE_AGE"],
                               f"A trainee aged {age} at enrolment in {cls.cid}.", ids))
    return found


def partial_approval(looks: _Looks) -> list[Lookalike]:
    """A claim partly approved and paid exactly the approved amount."""
    world, rng, kit = looks.world, looks.rng, looks.kit
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: c.claim is not None and c.claim.payments is None
                         and len(c.claimed()) >= 10)
        if cls is None or cls.claim is None:
            break
        claim = cls.claim
        resolve_claim_amounts(world, claim)
        claim.decision = "partial"
        claim.approved = claim.amount - rng.choice(claim.items or [(0, 0, 0, None)])[1]
        ids = class_ids(cls)
        ids.payment_ids = kit.pay_now(claim)
        found.append(Lookalike("partial_approval",
                               ["FRAUD_PAY_OVER_APPROVED", "FRAUD_PAY_WITHOUT_APPROVAL"],
                               f"Claim {claim.claim_id} was partly approved and paid exactly the "
                               "approved amount.", ids))
    return found


def linked_agency_elsewhere(looks: _Looks) -> list[Lookalike]:
    """An agency linked to an institution that only ever assesses other institutions."""
    world = looks.world
    found: list[Lookalike] = []
    for agency in world.agencies:
        if agency.dedicated or agency.linked < 0:
            continue
        used = [c for c in world.classes if c.agency == agency.no]
        if used and all(c.inst.no != agency.linked for c in used):
            found.append(Lookalike("linked_agency_elsewhere", ["FRAUD_AGENCY_LINKED"],
                                   f"{agency.aid} is linked to "
                                   f"{world.institutions[agency.linked].iid} but assesses only "
                                   "other institutions' trainees.",
                                   Ids(agency_ids=[agency.aid],
                                       institution_ids=[world.institutions[agency.linked].iid])))
    return found


def died_after_training(looks: _Looks) -> list[Lookalike]:
    """A trainee who died long after the class and every payment: no ghost."""
    world, rng = looks.world, looks.rng
    busy = {c.payee.no for c in world.claims if c.claimant_type == "person"}
    busy |= {su.person for su in world.upgrades}
    busy |= {v.person for v in world.vouchers}
    found: list[Lookalike] = []
    for pno in _trained(looks):
        person = world.persons[pno]
        classes = person.classes or []
        if len(classes) != 1 or pno in busy or person.category == "employee":
            continue
        cls = classes[0]
        k = cls.persons.index(pno)
        if cls.year != 2023 or cls.emp[k] is not None or cls.tainted or cls.claim is None:
            continue
        last = max(cls.claim.pay_day, cls.writeoff_day, cls.cert_day,
                   cls.cert_claim.pay_day if cls.cert_claim else 0)
        died = last + rng.randint(60, 200)
        if died > timeline.ordinal("2024-12-20"):
            continue
        person.died = died
        looks.reserve([pno], [cls])
        event = world.add_misc(died + rng.randint(3, 15), rng.randrange(9 * 3600, 17 * 3600),
                               "PersonDeceased", "civil_affairs",
                               {"person_id": person.pid, "date_of_death": timeline.iso(died)},
                               f"md-P{person.no + 1:07d}-d")
        ids = Ids(person_ids=[person.pid], class_ids=[cls.cid], event_ids=[event.event_id])
        found.append(Lookalike("died_after_training", ["FRAUD_GHOST_DECEASED"],
                               f"Trained in {cls.cid} and died on {timeline.iso(died)}, after "
                               "every payment.", ids))
        if len(found) >= looks.n:
            break
    return found


def upgrade_and_other_certificate(looks: _Looks) -> list[Lookalike]:
    """Skill-upgrade subsidy for one certificate, certification subsidy for another."""
    world, rng = looks.world, looks.rng
    found: list[Lookalike] = []
    upgraded = {su.cert_id for su in world.upgrades}
    claimed = {item[3] for c in world.claims for item in (c.items or []) if item[3]}
    for su in world.upgrades:
        if not looks.clean(su.person):
            continue
        person = world.persons[su.person]
        for cls in person.classes or []:
            k = cls.persons.index(su.person)
            cert = outcomes.cert_id(cls, k)
            if (cls.cert[k] and cert not in upgraded and cert not in claimed
                    and cls.cert_claim is None
                    and not cls.tainted and cls.cert_day + 60 < world.policy.pay_deadline(
                        timeline.year_of(cls.cert_day)) - 30):
                day = timeline.work_day_on_or_after(cls.cert_day + rng.randint(10, 40))
                claim = outcomes.person_claim(world, cls, k, day)
                looks.truth.add(su.person)
                found.append(Lookalike(
                    "upgrade_and_other_certificate", ["FRAUD_DOUBLE_DIPPING"],
                    f"Skill-upgrade subsidy for {su.cert_id}; certification subsidy for a "
                    f"different certificate, {cert}.",
                    Ids(person_ids=[person.pid], certificate_ids=[su.cert_id, cert],
                        claim_ids=[claim.claim_id])))
                break
        if len(found) >= looks.n:
            break
    return found


def capacity_full(looks: _Looks) -> list[Lookalike]:
    """A small venue filled to exactly its capacity."""
    kit = looks.kit
    found: list[Lookalike] = []
    base = timeline.FIRST_DAY
    for inst in looks.world.institutions:
        if inst.dedicated or inst.venue_cap > 60:
            continue
        cls = looks.pick(lambda c, i=inst: c.inst is i and c.mode == "inclusive"
                         and 0 < i.free_seats(c.days) <= 12)
        if cls is None:
            continue
        for pno in kit.fillers(inst, inst.free_seats(cls.days)):
            looks.truth.add(pno)
            kit.attach(cls, pno)
        peak = max(cls.days, key=lambda d: inst.load[d - base])
        crowded = [c for c in inst.classes if c.days[0] <= peak <= c.days[-1]]
        looks.world.marks.setdefault("capacity_full", []).append(inst.no)
        found.append(Lookalike("capacity_full", ["FRAUD_OVER_CAPACITY"],
                               f"{inst.name} used all {inst.venue_cap} seats on "
                               f"{timeline.iso(peak)}, not more.",
                               Ids(institution_ids=[inst.iid], class_ids=[c.cid for c in crowded])))
        if len(found) >= looks.n:
            break
    return found


def low_wage_job(looks: _Looks) -> list[Lookalike]:
    """A real job paying a little above the local minimum income, insured."""
    world, rng = looks.world, looks.rng
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: c.mode == "inclusive" and any(e for e in c.emp))
        if cls is None:
            break
        k = rng.choice([k for k, e in enumerate(cls.emp) if e is not None])
        employer, start, _, insured, verify = cls.emp[k]  # type: ignore[misc]
        low = world.policy.low_wage
        cls.emp[k] = (employer, start, low, insured, verify)
        found.append(Lookalike("low_wage_job", ["FRAUD_FAKE_EMPLOYMENT"],
                               f"A job after training paying {policy.yuan(low)} yuan a month, "
                               "just above the local minimum, insured, at an unrelated employer.",
                               Ids(person_ids=[pid_of(world, cls.persons[k])],
                                   class_ids=[cls.cid],
                                   employer_ids=[world.employers[employer].eid])))
    return found


def three_in_a_year(looks: _Looks) -> list[Lookalike]:
    """As many trainings in one year as the city's cap allows, not more."""
    world = looks.world
    cap = world.policy.max_trainings_per_year
    found: list[Lookalike] = []
    for pno in _trained(looks):
        person = world.persons[pno]
        for year in timeline.YEARS:
            if person.year_count(year) == cap:
                classes = [c for c in person.classes or [] if c.year == year]
                looks.reserve([pno], classes)
                found.append(Lookalike("three_in_a_year", ["DUP_OVER_ANNUAL_CAP"],
                                       f"{cap} trainings in {year}, the most allowed.",
                                       Ids(person_ids=[person.pid],
                                           class_ids=[c.cid for c in classes])))
                break
        if len(found) >= looks.n:
            break
    return found


def withdrew_before_start(looks: _Looks) -> list[Lookalike]:
    """Enrolled, withdrew before the first class session, never checked in and never claimed."""
    world, kit = looks.world, looks.kit
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: c.mode == "inclusive" and c.inst.free_seats(c.days) >= 1)
        if cls is None:
            break
        pno = kit.idle(cls.inst.county, 1)[0]
        looks.truth.add(pno)
        k = kit.attach(cls, pno, hire=False)
        cls.wd[k], cls.att[k], cls.cdays[k], cls.fen[k] = 0, 0, -1, 0
        cls.score[k], cls.cert[k], cls.emp[k] = -1, 0, None
        ids = class_ids(cls, claim=False)
        ids.person_ids = [pid_of(world, pno)]
        found.append(Lookalike("withdrew_before_start", ["FRAUD_GHOST_NO_CHECKIN"],
                               f"Enrolled in {cls.cid}, withdrew before the first class "
                               "session, not claimed.", ids))
    return found


def attendance_at_threshold(looks: _Looks) -> list[Lookalike]:
    """A trainee present exactly 80 % of the planned hours, claimed for those days."""
    world, rng = looks.world, looks.rng
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: c.mode == "inclusive" and len(c.days) in (10, 15, 20)
                         and c.proxy is None)
        if cls is None:
            break
        n_days = len(cls.days)
        k = rng.choice(cls.claimed())
        keep = n_days * 4 // 5
        cls.att[k] = sum(1 << i for i in sorted(rng.sample(range(n_days), keep)))
        cls.cdays[k] = keep
        cls.fen[k] = world.policy.training_item_fen(cls.mode, keep)
        ids = class_ids(cls)
        ids.person_ids = [pid_of(world, cls.persons[k])]
        found.append(Lookalike("attendance_at_threshold", ["INEFF_LOW_ATTENDANCE"],
                               f"Present {keep} of {n_days} days (80 %) in {cls.cid}, claimed for "
                               f"{keep} days.", ids))
    return found


def level_minimum_hours(looks: _Looks) -> list[Lookalike]:
    """Level-5 classes of exactly the level's minimum hours (where the city sets one)."""
    world, kit = looks.world, looks.kit
    need = world.policy.min_hours(5)
    found: list[Lookalike] = []
    if not need:
        return found
    classes = [c for c in world.classes
               if not c.tainted and c.level == 5 and len(c.days) * c.hours == need
               and c.held == len(c.days) and not c.look][: looks.n]
    insts = [i for i in world.institutions if not i.dedicated]
    hours = 8 if need % 8 == 0 else 4
    for _ in range(8):
        if len(classes) >= min(2, looks.n):
            break
        made = kit.build(looks.rng.choice(insts), level=5, n_days=need // hours, hours=hours)
        if made is not None:
            classes.append(made)
    for cls in classes:
        cls.look = True
        found.append(Lookalike("level_minimum_hours", ["INEFF_SHORT_DELIVERY"],
                               f"Level-5 class {cls.cid} delivered exactly {need} hours, the "
                               "level's minimum.", class_ids(cls, claim=False)))
    return found


def licensed_later(looks: _Looks) -> list[Lookalike]:
    """An institution licensed for a new occupation (InstitutionUpdated) before teaching it."""
    world, rng, kit = looks.world, looks.rng, looks.kit
    found: list[Lookalike] = []
    taken: set[tuple[int, int]] = set()
    insts = [i for i in world.institutions if not i.dedicated]
    for _ in range(min(2, looks.n)):
        inst = rng.choice(insts)
        outside = [o for o in range(len(occupations.OCCUPATIONS))
                   if o not in inst.licensed and (inst.no, o) not in taken
                   and all(c.occ != o for c in inst.classes)]
        if not outside:
            continue
        occ = rng.choice(outside)
        day = timeline.work_day_on_or_after(rng.randint(timeline.ordinal("2023-03-01"),
                                                        timeline.ordinal("2024-03-31")))
        start = timeline.next_session_day(day + rng.randint(14, 60))
        cls = kit.build(inst, occ=occ, level=5, start=start, year=timeline.year_of(start),
                        n_days=8, fixed=True)
        if cls is None:
            continue
        cls.look = True
        taken.add((inst.no, occ))
        world.marks.setdefault("licensed_later", []).append((inst.no, occ))
        event = world.add_misc(day, rng.randrange(9 * 3600, 17 * 3600), "InstitutionUpdated",
                               "registry",
                               {"institution_id": inst.iid,
                                "licensed_occupations": [occupations.CODES[o]
                                                         for o in sorted({*inst.licensed, occ})]},
                               f"md-{inst.iid}-lic{occ:02d}")
        ids = class_ids(cls, claim=False)
        ids.event_ids = [event.event_id]
        found.append(Lookalike("licensed_later", ["INEFF_UNLICENSED_OCCUPATION"],
                               f"{inst.iid} was licensed for {occupations.OCCUPATIONS[occ].name} "
                               f"on {timeline.iso(day)}, then opened {cls.cid} in it.", ids))
    return found


def cert_next_day(looks: _Looks) -> list[Lookalike]:
    """Assessed the day after the class ended and certified the same day."""
    world = looks.world
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: sum(c.cert) >= 3 and timeline.is_work_day(c.days[-1] + 1))
        if cls is None:
            break
        cls.assess_day = cls.days[-1] + 1
        cls.cert_day = cls.assess_day
        ids = class_ids(cls, claim=False)
        ids.agency_ids = [world.agencies[cls.agency].aid]
        found.append(Lookalike("cert_next_day", ["FRAUD_CERT_TIMING"],
                               f"{cls.cid} was assessed and certified the day after it ended.",
                               ids))
    return found


def deadline_day_payment(looks: _Looks) -> list[Lookalike]:
    """Paid on the last office day before 31 March of the following year: on time."""
    kit, rng = looks.kit, looks.rng
    found: list[Lookalike] = []
    for _ in range(looks.n):
        cls = looks.pick(lambda c: c.claim is not None and c.claim.payments is None
                         and c.claim.review_day < looks.world.policy.pay_deadline(c.year) - 5)
        if cls is None or cls.claim is None:
            break
        claim = cls.claim
        claim.pay_day = timeline.work_day_on_or_before(looks.world.policy.pay_deadline(cls.year))
        cls.writeoff_day = timeline.work_day_on_or_after(claim.pay_day + rng.randint(2, 20))
        ids = class_ids(cls)
        ids.payment_ids = kit.pay_now(claim)
        found.append(Lookalike("deadline_day_payment", ["COMP_LATE_PAYMENT"],
                               f"Claim {claim.claim_id} for {cls.year} was paid on "
                               f"{timeline.iso(claim.pay_day)}, within the deadline.", ids))
    return found


def expired_vouchers(looks: _Looks) -> list[Lookalike]:
    """Vouchers issued and never used: they expire, nothing to write off."""
    world = looks.world
    found: list[Lookalike] = []
    for v in world.vouchers:
        if v.kind == "training":
            found.append(Lookalike("voucher_expired_unused", ["COMP_VOUCHER_NOT_WRITTEN_OFF"],
                                   "A voucher issued and never redeemed: it expired.",
                                   Ids(person_ids=[pid_of(world, v.person)],
                                       voucher_ids=[emit_training.voucher_id(v.no)])))
            if len(found) >= looks.n:
                break
    return found


def round_amounts(looks: _Looks) -> list[Lookalike]:
    """The institution with the most rule-shaped items (800.00, 900.00, 1000.00 ...)."""
    counts: dict[int, int] = {}
    for cls in looks.world.classes:
        if not cls.inst.dedicated and not cls.tainted:
            counts[cls.inst.no] = counts.get(cls.inst.no, 0) + len(cls.claimed())
    ranked = sorted(counts, key=lambda i: (-counts[i], i))
    found: list[Lookalike] = []
    for ino in ranked[:2]:
        if counts[ino] >= policy.BENFORD_MIN_ITEMS:
            inst = looks.world.institutions[ino]
            found.append(Lookalike("round_amounts", ["FRAUD_BENFORD"],
                                   f"{inst.name}: {counts[ino]} claim items at the rules' round "
                                   "amounts, which do not follow Benford's law by design.",
                                   Ids(institution_ids=[inst.iid])))
    return found


MAKERS = (level_progression, back_to_back, namesakes, late_correction, slight_spot_gap,
          enterprise_employees, bank_switch, agency_filed_early, order_at_threshold, age_edges,
          partial_approval, linked_agency_elsewhere, died_after_training,
          upgrade_and_other_certificate, capacity_full, low_wage_job, three_in_a_year,
          withdrew_before_start, attendance_at_threshold, level_minimum_hours, licensed_later,
          cert_next_day, deadline_day_payment, expired_vouchers, round_amounts)


def make_all(world: World) -> list[Lookalike]:
    """Every look-alike kind that the city can offer."""
    looks = _Looks(world)
    found: list[Lookalike] = []
    for make in MAKERS:
        found += make(looks)
    world.marks["reserved_persons"] = sorted(looks.truth)
    return found


def near_budget(world: World, avoid: set[str]) -> list[Lookalike]:
    """A county×programme×2023 spending 96-99 % of its allocation (counties not in ``avoid``)."""
    tables = spending(world)
    year = 2023
    keys = sorted({k for t in tables for k in t
                   if k[2] == year and world.counties[k[0]].code not in avoid},
                  key=lambda k: (-max(t.get(k, 0) for t in tables), k))
    found: list[Lookalike] = []
    for key in keys[:2]:
        peak = max(t.get(key, 0) for t in tables)
        step = 10_000 * policy.FEN
        world.budgets[key] = math.ceil(peak / 0.97 / step) * step
        county, program, _ = key
        code = world.counties[county].code
        found.append(Lookalike("near_budget", ["COMP_OVER_BUDGET"],
                               f"{world.counties[county].name} spent "
                               f"{peak / world.budgets[key]:.0%} of its {year} {program} "
                               "allocation.", Ids(counties=[code],
                                                  event_ids=[f"md-B{year}-{code}-{program}"])))
    return found
