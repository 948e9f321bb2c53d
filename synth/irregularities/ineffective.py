"""无效培训: trainees who were not there, classes cut short, poor outcomes, wrong licences.

Each function injects one case and returns it (None when the city offers no room).
"""

from __future__ import annotations

import math

from synth import institutions, occupations, outcomes, policy, timeline
from synth.irregularities.kit import Kit, class_ids, pid_of
from synth.model import ClassPlan
from synth.population import new_person
from synth.truth import Case, Ids


def low_attendance(kit: Kit) -> Case | None:
    """INEFF_LOW_ATTENDANCE: trainees present on half the days, claimed as if always there."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                            and len(c.days) >= 6 and len(c.claimed()) >= 18,
                            n_days=rng.randint(6, 12), size=rng.randint(22, 30))
    if cls is None:
        return None
    n_days = len(cls.days)
    chosen = rng.sample(cls.claimed(), rng.randint(3, min(8, len(cls.claimed()) // 3)))
    for k in chosen:
        keep = max(1, math.floor(n_days * rng.uniform(0.40, 0.70)))
        keep = min(keep, math.ceil(n_days * policy.MIN_ATTENDED_RATIO) - 1)
        days = sorted(rng.sample(range(n_days), keep))
        cls.att[k] = sum(1 << i for i in days)
        cls.cdays[k] = n_days
        cls.fen[k] = world.policy.training_item_fen(cls.mode, n_days)
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = [pid_of(world, cls.persons[k]) for k in chosen]
    kit.truth_persons.update(cls.persons[k] for k in chosen)
    return Case("INEFF_LOW_ATTENDANCE",
                f"{len(chosen)} trainees of {cls.cid} attended 40-70 % of the planned hours but "
                "were claimed for every day.", ids)


def short_delivery(kit: Kit) -> Case | None:
    """INEFF_SHORT_DELIVERY: sessions cut short, or a class planned below its level's minimum.

    The second way only in a city that publishes minimum hours by level.
    """
    world, rng = kit.world, kit.rng
    if rng.random() < 0.5 or "level_min_hours" not in world.policy.published:
        cls = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                                and len(c.days) >= 8, n_days=rng.randint(8, 14))
        if cls is None:
            return None
        n_days = len(cls.days)
        held = min(n_days - 2, math.ceil(n_days * rng.uniform(0.55, 0.72)))
        cls.held = held
        mask = (1 << held) - 1
        for k in range(cls.size):
            cls.att[k] &= mask
            if cls.cdays[k] >= 0 and cls.att[k] == 0:
                cls.att[k] = 1
        kit.taint(cls)
        ids = class_ids(cls)
        ids.person_ids = [pid_of(world, cls.persons[k]) for k in cls.claimed()]
        return Case("INEFF_SHORT_DELIVERY",
                    f"{cls.cid} held {held} of its {n_days} planned sessions "
                    f"({held * cls.hours} of {n_days * cls.hours} hours) and was claimed in full; "
                    "its claimed trainees are listed for the attendance finding that follows.",
                    ids, also=["INEFF_LOW_ATTENDANCE"])
    insts = [i for i in world.institutions if not i.dedicated]
    for _ in range(20):
        inst = rng.choice(insts)
        occs = [o for o in inst.licensed if occupations.OCCUPATIONS[o].top <= 3]
        if not occs:
            continue
        level = rng.choice((3, 4))
        hours = 8
        need = world.policy.min_hours(level)
        n_days = max(1, (need - 1) // hours - rng.randint(0, 1))
        cls = kit.build(inst, occ=rng.choice(occs), level=level, n_days=n_days, hours=hours,
                        short_ok=True)
        if cls is None:
            continue
        return Case("INEFF_SHORT_DELIVERY",
                    f"Level-{level} class {cls.cid} planned and delivered {n_days * hours} hours, "
                    f"below the level's minimum of {need}.",
                    class_ids(cls))
    return None


def peer_outcomes(kit: Kit) -> Case | None:
    """INEFF_PEER_OUTCOMES: an institution whose pass and job rates sit far below its peers."""
    world, rng = kit.world, kit.rng
    occ = rng.choice(occupations.POPULAR)
    peers = [i for i in world.institutions if not i.dedicated and occ in i.licensed]
    if len(peers) < 2:
        return None
    county = rng.choice(peers).county
    licensed = sorted({occ, *rng.sample(range(len(occupations.OCCUPATIONS)), 3)})
    inst = institutions.new_institution(world, county, "private_school", venue_cap=120,
                                        licensed=licensed, dedicated=True)
    inst.serves = [county]
    tricks = world.policy.tricks
    inst.quality = rng.uniform(*tricks.poor_quality) - occupations.OCCUPATIONS[occ].ease
    inst.emp_rate = rng.uniform(*tricks.poor_employment)
    classes: list[ClassPlan] = []
    for n in range(rng.randint(4, 6)):
        cls = kit.build(inst, occ=occ, level=5, mode="inclusive", year=timeline.YEARS[n % 2],
                        withdraw=True)
        if cls is not None:
            classes.append(cls)
    if len(classes) < 3:
        return None
    ids = Ids(institution_ids=[inst.iid], class_ids=[c.cid for c in classes])
    return Case("INEFF_PEER_OUTCOMES",
                f"{inst.name} passes few of its {occupations.OCCUPATIONS[occ].name} trainees and "
                "almost none find jobs, far below other institutions: poor, not fraudulent.", ids)


def order_employment(kit: Kit) -> Case | None:
    """INEFF_ORDER_EMPLOYMENT: an order/project class paid with employment under the threshold."""
    world, rng = kit.world, kit.rng
    cls = kit.pick(lambda c: c.mode in ("order", "project") and len(c.claimed()) >= 15)
    if cls is None:
        insts = [i for i in world.institutions if not i.dedicated]
        inst = rng.choice(insts)
        employer = kit.employers.pick(rng, inst.county).no
        cls = kit.build(inst, mode="order", employer=employer, size=rng.randint(20, 30))
        if cls is None:
            return None
    employed = [k for k, e in enumerate(cls.emp) if e is not None]
    rng.shuffle(employed)
    # People with no other class first: nobody else's job should lift the rate back.
    employed.sort(key=lambda k: len(world.persons[cls.persons[k]].classes or ()))
    completed = [k for k in range(cls.size) if cls.wd[k] < 0]
    below = float(world.policy.order_min_employment) - 0.12
    target = math.floor(len(completed) * rng.uniform(0.40, below))
    for k in employed[: max(0, len(employed) - target)]:
        cls.emp[k] = None
    kit.taint(cls)
    ids = class_ids(cls)
    assert cls.claim is not None
    ids.payment_ids = kit.pay_now(cls.claim)
    if cls.employer >= 0:
        ids.employer_ids = [world.employers[cls.employer].eid]
    share = sum(1 for e in cls.emp if e is not None) / max(1, len(completed))
    return Case("INEFF_ORDER_EMPLOYMENT",
                f"{cls.mode.capitalize()} class {cls.cid} was paid although only {share:.0%} of "
                "its trainees were employed afterwards.", ids)


def unlicensed_occupation(kit: Kit) -> Case | None:
    """INEFF_UNLICENSED_OCCUPATION: a class in an occupation the institution is not licensed for."""
    world, rng = kit.world, kit.rng
    insts = [i for i in world.institutions if not i.dedicated]
    for _ in range(20):
        inst = rng.choice(insts)
        later = {o for i, o in world.marks.get("licensed_later", []) if i == inst.no}
        outside = [o for o in range(len(occupations.OCCUPATIONS))
                   if o not in inst.licensed and o not in later]
        occ = rng.choices(outside, weights=[occupations.OCCUPATIONS[o].weight for o in outside])[0]
        cls = kit.build(inst, occ=occ, mode="inclusive")
        if cls is None:
            continue
        return Case("INEFF_UNLICENSED_OCCUPATION",
                    f"{inst.name} ran {cls.cid} in {occupations.OCCUPATIONS[occ].name}, which it "
                    "is not licensed to teach.", class_ids(cls))
    return None


def unfiled_agency(kit: Kit) -> Case | None:
    """INEFF_UNFILED_AGENCY: trainees assessed by an agency not filed for the occupation."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                            and sum(c.cert) >= 8, size=rng.randint(22, 30))
    if cls is None:
        return None
    if rng.random() < 0.5:
        agency = institutions.new_agency(world, cls.inst.county, [cls.occ], filed=False)
        why = "is not filed (备案) with the ministry"
    else:
        options = [a for a in world.agencies
                   if a.filed and not a.dedicated and a.linked < 0 and cls.occ not in a.occs
                   and a.filed_day < cls.assess_day and a.first_use <= cls.assess_day
                   and a.linked != cls.inst.no]
        if not options:
            return None
        agency = rng.choice(options)
        why = f"is filed, but not for {occupations.OCCUPATIONS[cls.occ].name}"
    cls.agency = agency.no
    kit.taint(cls)
    ids = class_ids(cls, claim=False)
    ids.agency_ids = [agency.aid]
    ids.certificate_ids = [outcomes.cert_id(cls, k) for k in range(cls.size) if cls.cert[k]]
    return Case("INEFF_UNFILED_AGENCY",
                f"The trainees of {cls.cid} were assessed and certified by {agency.aid}, which "
                f"{why}.", ids)


def ineligible_age(kit: Kit) -> Case | None:
    """INEFF_INELIGIBLE_AGE: retirees (61+) or a 15-year-old enrolled and subsidised."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                            and c.inst.free_seats(c.days) >= 3)
    if cls is None:
        return None
    young = rng.random() < 0.25
    people = []
    for _ in range(1 if young else rng.randint(2, 3)):
        age = rng.choice((14, 15)) if young else rng.randint(62, 68)
        birth = timeline.birth_for_age(rng.randrange(1000), age, cls.open_day)
        person = new_person(world, cls.inst.county, birth=birth,
                            category="other" if young else rng.choice(("rural_transfer", "other")))
        person.idle = False
        people.append(person)
        kit.attach(cls, person.no)
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = [p.pid for p in people]
    who = "a 14-15-year-old" if young else f"{len(people)} people aged over 60"
    return Case("INEFF_INELIGIBLE_AGE",
                f"{cls.cid} enrolled and claimed {who}, outside working age 16-60.", ids)
