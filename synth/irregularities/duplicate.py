"""重复培训: the same person subsidised twice, too often, in overlapping classes, in two places.

Each function injects one case and returns it (None when the city offers no room).
"""

from __future__ import annotations

from engine.identity import is_valid_person_id
from synth import geography, timeline
from synth.irregularities.kit import Kit, class_ids, enrol_event, pid_of, training_modes
from synth.model import ClassPlan, Person
from synth.occupations import OCCUPATIONS
from synth.population import new_person
from synth.truth import Case, Ids


def _ids(kit: Kit, pno: int, classes: list[tuple[ClassPlan, int]]) -> Ids:
    ids = Ids(person_ids=[pid_of(kit.world, pno)])
    for cls, k in classes:
        one = class_ids(cls)
        ids.class_ids += one.class_ids
        ids.institution_ids += one.institution_ids
        ids.claim_ids += one.claim_ids
        ids.event_ids.append(enrol_event(cls, k))
    return ids


def same_occupation_level(kit: Kit) -> Case | None:
    """DUP_SAME_OCCUPATION_LEVEL: subsidised again months later, same occupation and level."""
    world, rng = kit.world, kit.rng
    def alone(c: ClassPlan) -> list[int]:
        return [k for k in c.claimed() if (world.persons[c.persons[k]].classes or []) == [c]
                and c.persons[k] not in kit.truth_persons]

    first = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                              and c.year == 2023 and bool(alone(c)), year=2023)
    if first is None:
        return None
    ks = alone(first)
    k1 = rng.choice(ks)
    pno = first.persons[k1]
    person = world.persons[pno]

    def ok(c: ClassPlan) -> bool:
        return (c.occ == first.occ and c.level == first.level and c.inst is not first.inst
                and c.mode in ("inclusive", "entrepreneurship")
                and c.days[0] > first.days[-1] + 60
                and kit.can_join(person, c, same_level_ok=True))

    second = kit.pick(ok)
    if second is None:
        others = [i for i in world.institutions
                  if first.occ in i.licensed and i is not first.inst and not i.dedicated]
        inst = rng.choice(others) if others else first.inst
        second = kit.build(inst, occ=first.occ, level=first.level, mode="inclusive", year=2024)
        if second is None:
            return None
    k2 = kit.attach(second, pno)
    kit.taint(first, second)
    kit.truth_persons.add(pno)
    return Case("DUP_SAME_OCCUPATION_LEVEL",
                f"Trainee subsidised twice for {OCCUPATIONS[first.occ].name} level {first.level}: "
                f"{first.cid} and again in {second.cid} at another institution.",
                _ids(kit, pno, [(first, k1), (second, k2)]))


def _chain(kit: Kit, county: int, year: int, count: int, pno: int) -> list[ClassPlan]:
    """Non-overlapping normal classes of ``year`` in the county's reach, distinct occupations."""
    world, rng = kit.world, kit.rng
    person = world.persons[pno]
    chosen: list[ClassPlan] = []
    tries = 0
    while len(chosen) < count and tries < 60:
        tries += 1

        def ok(c: ClassPlan) -> bool:
            return (c.year == year and c.mode in ("inclusive", "entrepreneurship")
                    and county in c.inst.serves
                    and all(c.occ != o.occ for o in chosen)
                    and all(c.days[-1] < o.days[0] or c.days[0] > o.days[-1] for o in chosen)
                    and kit.can_join(person, c, cap=False))

        cls = kit.pick(ok, tries=200)
        if cls is None:
            break
        kit.attach(cls, pno)
        chosen.append(cls)
    insts = [i for i in world.institutions if county in i.serves and not i.dedicated]
    rounds = 0
    while len(chosen) < count and rounds < 20:
        rounds += 1
        inst = rng.choice(insts)
        occs = [o for o in inst.licensed if all(o != c.occ for c in chosen)]
        if not occs:
            continue
        for _ in range(30):
            cls = kit.build(inst, occ=rng.choice(occs), level=5, mode="inclusive", year=year)
            if cls is not None and not person.busy(cls.days[0], cls.days[-1]):
                kit.attach(cls, pno)
                chosen.append(cls)
                break
        else:
            break
    return chosen


def over_annual_cap(kit: Kit) -> Case | None:
    """DUP_OVER_ANNUAL_CAP: one or two subsidised trainings more than the city's yearly cap."""
    world, rng = kit.world, kit.rng
    county = rng.randrange(len(world.counties))
    pno = kit.idle(county, 1)[0]
    year = rng.choice(timeline.YEARS)
    cap = world.policy.max_trainings_per_year
    count = cap + rng.choice((1, 1, 2))
    person = world.persons[pno]
    person_classes = _chain(kit, county, year, count, pno)
    if len(person_classes) <= cap:
        return None
    person_classes.sort(key=lambda c: c.days[0])
    kit.taint(*person_classes)
    pairs = [(c, c.persons.index(pno)) for c in person_classes]
    return Case("DUP_OVER_ANNUAL_CAP",
                f"{person.name} was subsidised for {len(person_classes)} trainings in {year}, "
                f"more than the cap of {cap}.",
                _ids(kit, pno, pairs))


def overlapping_classes(kit: Kit) -> Case | None:
    """DUP_OVERLAPPING_CLASSES: one person 'attends' two concurrent classes at one venue."""
    rng = kit.rng
    first = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                              and len(c.days) >= 6 and c.inst.free_seats(c.days) >= 1,
                              n_days=rng.randint(6, 12))
    if first is None:
        return None
    pno = kit.idle(first.inst.county, 1)[0]

    def ok(c: ClassPlan) -> bool:
        overlap = len(set(c.days) & set(first.days))
        return (c.inst is first.inst and c is not first and c.occ != first.occ
                and c.mode in training_modes() and overlap >= 3 and c.year == first.year
                and c.inst.free_seats(c.days) >= 1)

    second = kit.pick(ok)
    if second is None:
        occs = [o for o in first.inst.licensed if o != first.occ]
        start = first.days[rng.randrange(0, max(1, len(first.days) - 3))]
        second = kit.build(first.inst, occ=rng.choice(occs), level=5, start=start,
                           year=first.year, size=15, fixed=True)
        if second is None:
            return None
    k1 = kit.attach(first, pno)
    k2 = kit.attach(second, pno)
    kit.taint(first, second)
    return Case("DUP_OVERLAPPING_CLASSES",
                f"Enrolled in {first.cid} and {second.cid} at the same venue on overlapping "
                "days, with check-ins recorded in both.",
                _ids(kit, pno, [(first, k1), (second, k2)]))


def impossible_travel(kit: Kit) -> Case | None:
    """DUP_IMPOSSIBLE_TRAVEL: check-ins at two venues 60+ km apart within half an hour."""
    world, rng = kit.world, kit.rng
    insts = [i for i in world.institutions if not i.dedicated]
    pairs = [(a, b) for a in insts for b in insts
             if geography.distance_km(a.lat, a.lon, b.lat, b.lon) >= geography.FAR_KM]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    first = kit.pick(lambda c: c.inst is a and c.mode in ("inclusive", "entrepreneurship")
                     and len(c.days) >= 5 and c.inst.free_seats(c.days) >= 1)
    if first is None:
        first = kit.build(a, level=5, mode="inclusive")
        if first is None:
            return None
    def ok(c: ClassPlan) -> bool:
        return (c.inst is b and c.occ != first.occ and c.mode in training_modes()
                and len(set(c.days) & set(first.days)) >= 2 and c.inst.free_seats(c.days) >= 1)

    second = kit.pick(ok)
    if second is None:
        occs = [o for o in b.licensed if o != first.occ] or b.licensed
        start = first.days[rng.randrange(0, max(1, len(first.days) - 2))]
        second = kit.build(b, occ=rng.choice(occs), level=5, start=start, year=first.year,
                           size=15, fixed=True)
        if second is None:
            return None
    pno = kit.idle(a.county, 1)[0]
    k1 = kit.attach(first, pno)
    k2 = kit.attach(second, pno)
    shared = sorted(set(first.days) & set(second.days))
    first.overrides = first.overrides or {}
    second.overrides = second.overrides or {}
    ids = _ids(kit, pno, [(first, k1), (second, k2)])
    for day in shared:
        i1, i2 = first.days.index(day), second.days.index(day)
        t_in = first.start_sec - rng.randint(900, 1800)
        t_out = first.end_sec + rng.randint(60, 600)
        first.overrides[(k1, i1, "in")] = t_in
        first.overrides[(k1, i1, "out")] = t_out
        second.overrides[(k2, i2, "in")] = t_in + rng.randint(600, 1500)
        second.overrides[(k2, i2, "out")] = t_out + rng.randint(600, 1500)
        first.att[k1] |= 1 << i1
        second.att[k2] |= 1 << i2
    i1, i2 = first.days.index(shared[0]), second.days.index(shared[0])
    ids.event_ids += [f"rn-{first.cid}-a{k1:03d}{i1:02d}i", f"rn-{second.cid}-a{k2:03d}{i2:02d}i"]
    kit.taint(first, second)
    km = geography.distance_km(a.lat, a.lon, b.lat, b.lon)
    return Case("DUP_IMPOSSIBLE_TRAVEL",
                f"Checked in at {a.iid} and, 10-25 minutes later, at {b.iid} {km:.0f} km away, "
                f"on {len(shared)} days.", ids, also=["DUP_OVERLAPPING_CLASSES"])


def _second_record(kit: Kit, real: Person) -> tuple[str, int, int, str]:
    """(ID number, county, birth, how) of a second record of ``real`` made the city's way."""
    world, rng = kit.world, kit.rng
    tricks = world.policy.tricks
    way = rng.choices(("typo", "swap", "borrowed", "day_off"), weights=tricks.identity_ways)[0]
    county = real.county
    others = [c for c in range(len(world.counties)) if c != real.county]
    if others and rng.random() >= tricks.identity_same_county:
        county = rng.choice(others)
    region = world.counties[county].code
    if way == "swap":
        swapped = world.ids.transposed(real.pid)
        if swapped is not None:
            return swapped, county, real.birth, "a mistyped ID number (two digits swapped)"
        way = "typo"
    if way == "typo":
        return (world.ids.typo(real.pid), county, real.birth,
                "a mistyped ID number (one digit changed)")
    if way == "borrowed":
        pid = (world.ids.sibling(real.pid) if county == real.county
               else world.ids.new(region, real.birth, real.gender))
        return pid, county, real.birth, "a second, borrowed ID number"
    birth = real.birth + rng.choice((-1, 1))
    return (world.ids.new(region, birth, real.gender), county, birth,
            "a second ID number whose birth date is one day off")


def identity(kit: Kit) -> Case | None:
    """DUP_IDENTITY: one human under two person records, subsidised under both."""
    world, rng = kit.world, kit.rng
    first = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                              and c.year == 2023 and c.inst.free_seats(c.days) >= 1, year=2023)
    if first is None:
        return None
    pno = kit.idle(first.inst.county, 1)[0]
    real = world.persons[pno]
    pid2, county, birth, how = _second_record(kit, real)
    shared_phone = rng.random() < world.policy.tricks.identity_shares_phone
    twin = new_person(world, county, birth=birth, gender=real.gender,
                      category=real.category, name=real.name, pid=pid2,
                      phone=real.phone if shared_phone else None,
                      bank=None if shared_phone else real.bank)
    twin.idle = False
    kit.truth_persons.add(twin.no)
    k1 = kit.attach(first, pno)

    def ok(c: ClassPlan) -> bool:
        return (c.year == 2024 and c.mode in ("inclusive", "entrepreneurship")
                and c.occ != first.occ and county in c.inst.serves
                and kit.can_join(twin, c))

    second = kit.pick(ok)
    if second is None:
        insts = [i for i in world.institutions if county in i.serves and not i.dedicated]
        inst = rng.choice(insts) if insts else first.inst
        occs = [o for o in inst.licensed if o != first.occ] or inst.licensed
        second = kit.build(inst, occ=rng.choice(occs), mode="inclusive", year=2024)
        if second is None:
            return None
    k2 = kit.attach(second, twin.no)
    kit.taint(first, second)
    ids = _ids(kit, pno, [(first, k1), (second, k2)])
    ids.person_ids.append(twin.pid)
    shared = "phone" if shared_phone else "bank account"
    where = "in the same county" if county == real.county else "in another county"
    return Case("DUP_IDENTITY",
                f"{real.name} is registered twice, {where}, under {how}, with the same "
                f"{shared}; both records were subsidised.", ids,
                also=[] if is_valid_person_id(pid2) else ["FRAUD_GHOST_INVALID_ID"])
