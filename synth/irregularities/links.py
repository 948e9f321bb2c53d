"""骗取补贴 through relationships: shell employers, rings, staff, non-employees, crowded venues.

Each function injects one case and returns it (None when the city offers no room).
"""

from __future__ import annotations

from synth import institutions, outcomes, policy, timeline
from synth.irregularities.kit import Kit, class_ids, pid_of
from synth.population import new_person
from synth.truth import Case, Ids


def fake_employment(kit: Kit) -> Case | None:
    """FRAUD_FAKE_EMPLOYMENT: jobs at a shell company of the institution, uninsured or underpaid."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.mode == "inclusive" and not c.inst.dedicated
                            and sum(1 for w in c.wd if w < 0) >= 15, size=rng.randint(20, 30))
    if cls is None:
        return None
    inst = cls.inst
    link = rng.choice(("legal_rep", "phone", "bank"))
    shell = institutions.new_employer(
        world, inst.county, dedicated=True,
        legal_rep=inst.legal_rep if link == "legal_rep" else None,
        phone=inst.phone if link == "phone" else None,
        bank=inst.bank if link == "bank" else None)
    completed = [k for k in range(cls.size) if cls.wd[k] < 0]
    chosen = sorted(rng.sample(completed, int(len(completed) * rng.uniform(0.5, 0.8))))
    # underpaid only where the city publishes its minimum income (the shell's link shows anyway)
    published = "local_minimum_income" in world.policy.published
    sign = rng.choice(("uninsured", "underpaid", "both") if published else ("uninsured",))
    minimum = world.policy.local_minimum_income // policy.FEN
    end = cls.days[-1]
    for k in chosen:
        start = end + rng.randint(5, 25)
        income = (rng.randrange(minimum - 700, minimum - 100, 100) if sign != "uninsured"
                  else outcomes.normal_income(world, rng) // policy.FEN) * policy.FEN
        insured = sign == "underpaid"
        cls.emp[k] = (shell.no, start, income, insured,
                      timeline.work_day_on_or_after(start + rng.randint(3, 15)))
    kit.taint(cls)
    ids = class_ids(cls, claim=False)
    ids.person_ids = [pid_of(world, cls.persons[k]) for k in chosen]
    ids.employer_ids = [shell.eid]
    kit.truth_persons.update(cls.persons[k] for k in chosen)
    what = {"uninsured": "without social insurance", "underpaid": "below the local minimum income",
            "both": "uninsured and below the local minimum income"}[sign]
    return Case("FRAUD_FAKE_EMPLOYMENT",
                f"{len(chosen)} trainees of {cls.cid} were reported employed at {shell.eid}, which "
                f"shares the institution's {link.replace('_', ' ')}, {what}.", ids)


def shared_contact_ring(kit: Kit) -> Case | None:
    """FRAUD_SHARED_CONTACT_RING: several trainees share one broker's phone or bank account."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.mode == "inclusive" and c.inst.free_seats(c.days) >= 7
                            and c.cert_claim is None and c.year == 2023, year=2023)
    if cls is None:
        return None
    by_bank = rng.random() < 0.5
    shared = world.contacts.personal_account() if by_bank else world.contacts.mobile()
    people = []
    for _ in range(rng.randint(4, 6)):
        person = new_person(world, cls.inst.county,
                            category=rng.choice(("rural_transfer", "unemployed", "flexible")),
                            bank=shared if by_bank else None, phone=None if by_bank else shared)
        person.idle = False
        people.append(person)
    ids = class_ids(cls)
    for person in people:
        k = kit.attach(cls, person.no)
        ids.person_ids.append(person.pid)
        if by_bank:
            cls.score[k] = rng.randint(62, 88)
            cls.cert[k] = 1
            day = timeline.work_day_on_or_after(cls.cert_day + rng.randint(10, 40))
            claim = outcomes.person_claim(world, cls, k, day)
            ids.claim_ids.append(claim.claim_id)
            ids.payment_ids += kit.pay_now(claim)
    kit.taint(cls)
    what = ("bank account, into which their certification subsidies were paid" if by_bank
            else "phone")
    return Case("FRAUD_SHARED_CONTACT_RING",
                f"{len(people)} unrelated trainees of {cls.cid} share one {what}.", ids)


def staff_as_trainee(kit: Kit) -> Case | None:
    """FRAUD_STAFF_AS_TRAINEE: the institution's legal representative, or its staff, as trainees."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                            and not c.inst.dedicated and c.inst.free_seats(c.days) >= 1)
    if cls is None:
        return None
    inst = cls.inst
    rep = inst.legal_rep
    born = timeline.ordinal(f"{rep[6:10]}-{rep[10:12]}-{rep[12:14]}")
    age = timeline.age_on(born, cls.open_day)
    rep_free = rep not in kit.registered
    if policy.NORMAL_MIN_AGE <= age <= policy.NORMAL_MAX_AGE and rep_free and rng.random() < 0.6:
        kit.registered.add(rep)
        county = [c.code for c in world.counties].index(rep[:6])
        person = new_person(world, county, birth=born, gender="M" if int(rep[16]) % 2 else "F",
                            pid=rep, category="other")
        how = "its legal representative"
    else:
        person = new_person(world, inst.county, phone=inst.phone,
                            category=rng.choice(("flexible", "other")))
        how = "a staff member registered with the institution's own phone"
    person.idle = False
    kit.attach(cls, person.no, hire=False)
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = [person.pid]
    return Case("FRAUD_STAFF_AS_TRAINEE",
                f"{inst.name} enrolled and claimed for {how} in {cls.cid}.", ids)


def enterprise_non_employee(kit: Kit) -> Case | None:
    """FRAUD_ENTERPRISE_NON_EMPLOYEE: an enterprise class padded with non-employees."""
    world, rng = kit.world, kit.rng
    employers = [e for e in world.employers if not e.dedicated and e.employees]
    if not employers:
        return None
    emp = rng.choice(employers)
    real = [p for p in emp.employees
            if world.persons[p].classes is None and world.persons[p].idle][: rng.randint(4, 10)]
    fakes = kit.idle(emp.county, rng.randint(8, 15))
    insts = [i for i in world.institutions if emp.county in i.serves and not i.dedicated]
    if not insts:
        return None
    inst = rng.choice(insts)
    cls = kit.build(inst, mode="enterprise", employer=emp.no, members=real + fakes, fill=False,
                    size=len(real) + len(fakes))
    if cls is None:
        return None
    ids = class_ids(cls)
    ids.person_ids = [pid_of(world, p) for p in fakes]
    ids.employer_ids = [emp.eid]
    return Case("FRAUD_ENTERPRISE_NON_EMPLOYEE",
                f"Enterprise class {cls.cid} for {emp.eid} claimed "
                f"{policy.yuan(world.policy.enterprise_per_person)} yuan each for {len(fakes)} "
                "people with no employment at that enterprise.", ids)


def over_capacity(kit: Kit) -> Case | None:
    """FRAUD_OVER_CAPACITY: more trainees than the venue holds, alone or with concurrent classes."""
    world, rng = kit.world, kit.rng
    full = set(world.marks.get("capacity_full", []))
    small = [i for i in world.institutions
             if not i.dedicated and i.venue_cap <= 60 and i.no not in full]
    if small and rng.random() < 0.5:
        inst = rng.choice(small)
        cls = kit.build(inst, size=inst.venue_cap)
        if cls is None:
            return None
        for pno in kit.fillers(inst, rng.randint(8, 20)):
            kit.attach(cls, pno)
        cls.capacity = cls.size
        return Case("FRAUD_OVER_CAPACITY",
                    f"{cls.cid} enrolled {cls.size} trainees in a venue for {inst.venue_cap}.",
                    class_ids(cls))
    mid = [i for i in world.institutions
           if not i.dedicated and 60 < i.venue_cap <= 160 and i.no not in full]
    if not mid:
        return None
    inst = rng.choice(mid)
    anchor = kit.pick(lambda c: c.inst is inst) or kit.build(inst)
    if anchor is None:
        return None
    built = []
    base = timeline.FIRST_DAY

    def present(day: int) -> int:
        """Trainees at the venue on ``day``, those who withdrew not counted."""
        return inst.load[day - base] - sum(1 for c in inst.classes if c.days[0] <= day <= c.days[-1]
                                           for w in c.wd if w >= 0)

    # over by a few people still there, not by seats of trainees who already left
    while max(present(d) for d in anchor.days) <= inst.venue_cap + 2 and len(built) < 5:
        cls = kit.build(inst, start=anchor.days[0], year=anchor.year, size=rng.randint(35, 50),
                        n_days=len(anchor.days), respect_capacity=False)
        if cls is None:
            return None
        built.append(cls)
    peak = max(anchor.days, key=present)
    crowded = [c for c in inst.classes if c.days[0] <= peak <= c.days[-1]]
    ids = Ids(institution_ids=[inst.iid], class_ids=[c.cid for c in crowded],
              claim_ids=[c.claim.claim_id for c in built if c.claim is not None])
    kit.taint(*crowded)
    return Case("FRAUD_OVER_CAPACITY",
                f"On {timeline.iso(peak)} {inst.name} ran {len(crowded)} classes with "
                f"{present(peak)} trainees in a venue for {inst.venue_cap}.", ids)


def agency_linked(kit: Kit) -> Case | None:
    """FRAUD_AGENCY_LINKED: an agency tied to an institution assesses its trainees."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: not c.inst.dedicated and sum(c.cert) >= 5)
    if cls is None:
        return None
    inst = cls.inst
    agency = institutions.new_agency(world, inst.county, list(inst.licensed), linked=inst.no)
    chosen = [cls]
    for _ in range(rng.randint(1, 2)):
        other = kit.pick(lambda c, i=inst: c.inst is i and c not in chosen and sum(c.cert) >= 3,
                         tries=100)
        if other is not None:
            chosen.append(other)
    ids = Ids(agency_ids=[agency.aid], institution_ids=[inst.iid])
    for c in chosen:
        c.agency = agency.no
        ids.class_ids.append(c.cid)
        ids.certificate_ids += [outcomes.cert_id(c, k) for k in range(c.size) if c.cert[k]]
    kit.taint(*chosen)
    scores = [s for c in chosen for s in c.score if s >= 0]
    # A good institution may pass (nearly) everyone by chance: then say so honestly.
    lucky = len(scores) >= 30 and sum(s >= policy.PASS_MARK for s in scores) >= 0.97 * len(scores)
    return Case("FRAUD_AGENCY_LINKED",
                f"{agency.aid}, registered as linked to {inst.iid}, assessed and certified "
                f"{len(chosen)} of that institution's own classes.", ids,
                also=["FRAUD_PASS_RATE_ANOMALY"] if lucky else [])
