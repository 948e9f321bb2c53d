"""Organisations: training institutions, evaluation agencies and employers.

Institutions grow sub-linearly with the population (about 12 at 2,000 people, 120 at
200,000); counties without one send their people to the nearest county that has one.
Names carry the city's and its counties' names.
No two organisations share a legal representative, phone or bank account, and none
shares them with a resident, so every link the detectors look for is injected.
"""

from __future__ import annotations

import math
import random
from datetime import date
from itertools import accumulate

from synth import names, occupations, timeline
from synth.geography import distance_km
from synth.ids import credit_code
from synth.model import Agency, Employer, Institution, World
from synth.population import county_cum

_KINDS = (("private_school", 40), ("training_center", 25), ("technical_school", 15),
          ("enterprise", 12), ("college", 8))
_KIND_NAMES = tuple(k for k, _ in _KINDS)
_KIND_CUM = list(accumulate(w for _, w in _KINDS))
_CREDIT_PREFIX = {"private_school": "52", "training_center": "12", "technical_school": "12",
                  "enterprise": "91", "college": "12"}


def institution_count(persons: int) -> int:
    """Normal institutions for a population: grows with its square root, at least 12."""
    return max(12, round(12 * math.sqrt(persons / 2000)))


def _legal_rep(world: World, county: int) -> str:
    rng = world.rng
    born = rng.randint(date(1958, 1, 1).toordinal(), date(1988, 12, 31).toordinal())
    return world.ids.new(world.counties[county].code, born, "M" if rng.random() < 0.7 else "F")


def _institution_name(world: World, kind: str, county: int) -> str:
    rng, used = world.rng, world.org_names
    city, cname = world.policy.city, world.counties[county].name
    for _ in range(100):
        word = names.org_word(rng)
        name = {
            "private_school": f"{city}{cname}{word}职业培训学校",
            "training_center": f"{cname}{word}职业技能培训中心",
            "technical_school": f"{city}{cname}{word}技工学校",
            "enterprise": f"{world.policy.province}{word}{names.industry(rng)}有限公司职工培训中心",
            "college": f"{city}{word}职业技术学院",
        }[kind]
        if name not in used:
            used.add(name)
            return name
    for n in range(2, 10_000):  # a large city outgrows the trade names: number the branches
        branch = f"{name}（第{n}分部）"
        if branch not in used:
            used.add(branch)
            return branch
    raise RuntimeError("ran out of institution names")


def _licensed(rng: random.Random, kind: str) -> list[int]:
    count = rng.randint(8, 14) if kind in ("technical_school", "college") else rng.randint(4, 9)
    chosen: list[int] = []
    popular = list(occupations.POPULAR)
    rng.shuffle(popular)
    chosen.extend(popular[: rng.randint(2, 4)])
    while len(chosen) < count:
        occ = rng.choices(range(len(occupations.OCCUPATIONS)), weights=occupations.WEIGHTS)[0]
        if occ not in chosen:
            chosen.append(occ)
    return sorted(chosen)


def new_institution(world: World, county: int, kind: str, *, venue_cap: int = 0,
                    licensed: list[int] | None = None, dedicated: bool = False) -> Institution:
    """Register one institution with its own venue, legal representative and accounts."""
    rng = world.rng
    c = world.counties[county]
    no = len(world.institutions)
    inst = Institution(
        no=no,
        iid=f"JG{no + 1:04d}",
        name=_institution_name(world, kind, county),
        credit=_credit(world, _CREDIT_PREFIX[kind], county),
        kind=kind,
        county=county,
        licensed=licensed if licensed is not None else _licensed(rng, kind),
        venue_cap=venue_cap,
        legal_rep=_legal_rep(world, county),
        phone=world.contacts.landline(),
        bank=world.contacts.corporate_account(),
        venue=f"{c.name}{rng.choice(c.roads)}{rng.randint(1, 300)}号",
        lat=round(c.lat + rng.uniform(-0.02, 0.02), 6),
        lon=round(c.lon + rng.uniform(-0.02, 0.02), 6),
        quality=rng.uniform(66.0, 74.0),
        emp_rate=rng.uniform(0.30, 0.60),
        weight=rng.lognormvariate(0, 0.5),
        dedicated=dedicated,
    )
    inst.load = [0] * (timeline.LAST_DAY - timeline.FIRST_DAY + 1)
    world.institutions.append(inst)
    return inst


def _credit(world: World, prefix: str, county: int) -> str:
    return credit_code(world.rng, prefix, world.counties[county].code, world.credit_codes)


def make_institutions(world: World, n: int) -> None:
    """Register ``n`` institutions spread over the counties by population."""
    rng = world.rng
    seats = world.counties
    order = sorted(range(len(seats)), key=lambda i: -seats[i].weight)
    counties = order[: min(n, len(order))]
    counties += rng.choices(range(len(seats)), cum_weights=county_cum(world), k=n - len(counties))
    for county in counties:
        kind = rng.choices(_KIND_NAMES, cum_weights=_KIND_CUM)[0]
        new_institution(world, county, kind)
    # Small private schools with one classroom: capacity is tight there by design.
    small = [i for i in world.institutions if i.kind == "private_school"]
    for inst in small[: max(2, len(small) // 4)]:
        inst.venue_cap = rng.randrange(40, 61, 5)
        inst.weight *= 0.35
    _assign_service(world)


def _assign_service(world: World) -> None:
    """Each county is served by its own institutions, or by those of the nearest county."""
    having = sorted({i.county for i in world.institutions})
    for inst in world.institutions:
        inst.serves = []
    seats = world.counties
    for county in range(len(seats)):
        target = county if county in having else min(
            having, key=lambda h: (distance_km(seats[county].lat, seats[county].lon,
                                               seats[h].lat, seats[h].lon), h))
        for inst in world.institutions:
            if inst.county == target:
                inst.serves.append(county)


def size_venues(world: World, seats_by_inst: list[float]) -> None:
    """Give each venue room for its expected concurrent trainees (small schools keep theirs)."""
    for inst, seats in zip(world.institutions, seats_by_inst, strict=True):
        if inst.venue_cap:
            continue
        concurrent = seats * 14 / 560
        inst.venue_cap = int(min(500, max(80, math.ceil(concurrent * 3.2 / 10) * 10)))


_AGENCY_NAMES = ("职业技能鉴定中心", "职业技能等级认定中心", "职业技能评价中心",
                 "技能人才评价有限公司")


def make_agencies(world: World) -> None:
    """Filed evaluation agencies covering every occupation at least twice.

    One is filed in spring 2023 and only starts assessing months later (a look-alike
    of a certificate burst); one is linked to an institution but never assesses it.
    """
    rng = world.rng
    n = max(6, round(len(world.institutions) / 3))
    for no in range(n):
        county = 0 if rng.random() < 0.5 else rng.randrange(len(world.counties))
        k = rng.randint(6, 12)
        occs: list[int] = []
        while len(occs) < k:
            occ = rng.choices(range(len(occupations.OCCUPATIONS)), weights=occupations.WEIGHTS)[0]
            if occ not in occs:
                occs.append(occ)
        filed = rng.randint(date(2019, 3, 1).toordinal(), date(2022, 10, 31).toordinal())
        world.agencies.append(Agency(
            no=no, aid=f"PJ{no + 1:03d}", name=_agency_name(world, county, no), county=county,
            occs=occs, filed=True, filed_day=timeline.work_day_on_or_after(filed),
            filed_sec=rng.randrange(9 * 3600, 17 * 3600), weight=rng.uniform(0.5, 2.0)))
    core = world.agencies[:-2]  # the last two become the newcomer and the linked one
    for occ in range(len(occupations.OCCUPATIONS)):
        count = sum(1 for a in core if occ in a.occs)
        lacking = [a for a in core if occ not in a.occs]
        for agency in rng.sample(lacking, max(0, 2 - count)):
            agency.occs.append(occ)
    for agency in world.agencies:
        agency.occs.sort()
    newcomer = world.agencies[-1]
    newcomer.filed_day = timeline.work_day_on_or_after(
        rng.randint(date(2023, 3, 1).toordinal(), date(2023, 5, 31).toordinal()))
    newcomer.first_use = newcomer.filed_day + 150
    newcomer.weight = 0.4
    linked = world.agencies[-2]
    linked.linked = rng.choice(world.institutions).no


def _agency_name(world: World, county: int, no: int) -> str:
    cname = world.counties[county].name if county else ""
    return (f"{world.policy.city}{cname}{names.org_word(world.rng)}"
            f"{_AGENCY_NAMES[no % len(_AGENCY_NAMES)]}")


def new_agency(world: World, county: int, occs: list[int], *, filed: bool = True,
               filed_day: int | None = None, linked: int = -1) -> Agency:
    """Register an agency used only by injected cases."""
    rng = world.rng
    no = len(world.agencies)
    day = filed_day if filed_day is not None else timeline.work_day_on_or_after(
        rng.randint(date(2019, 3, 1).toordinal(), date(2022, 10, 31).toordinal()))
    agency = Agency(no=no, aid=f"PJ{no + 1:03d}", name=_agency_name(world, county, no),
                    county=county, occs=sorted(occs), filed=filed, filed_day=day,
                    filed_sec=rng.randrange(9 * 3600, 17 * 3600), linked=linked,
                    weight=0.0, dedicated=True)
    world.agencies.append(agency)
    return agency


def make_employers(world: World, persons: int) -> None:
    """Register employers and give every employee-category resident a workplace."""
    rng = world.rng
    n = max(30, round(persons / 220))
    seats = world.counties
    counties = list(range(len(seats)))
    counties += rng.choices(range(len(seats)), cum_weights=county_cum(world),
                            k=max(0, n - len(seats)))
    for county in counties:
        new_employer(world, county, weight=rng.lognormvariate(0, 1.0))
    by_county: list[list[Employer]] = [[] for _ in seats]
    for emp in world.employers:
        by_county[emp.county].append(emp)
    cum = [list(accumulate(e.weight for e in group)) for group in by_county]
    start = date(2008, 1, 1).toordinal()
    end = date(2022, 6, 30).toordinal()
    for person in world.persons:
        if person.category != "employee":
            continue
        emp = rng.choices(by_county[person.county], cum_weights=cum[person.county])[0]
        person.employer = emp.no
        person.hired = rng.randint(min(end, max(start, person.birth + 17 * 366)), end)
        emp.employees.append(person.no)


def _employer_name(world: World, cname: str) -> str:
    rng, used = world.rng, world.org_names
    for attempt in range(1000):
        branch = f"第{attempt // 50 + 1}分公司" if attempt >= 50 else ""
        name = (f"{world.policy.city}{cname}{names.org_word(rng)}{names.industry(rng)}"
                f"有限公司{branch}")
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of employer names")


def new_employer(world: World, county: int, *, weight: float = 1.0, legal_rep: str | None = None,
                 phone: str | None = None, bank: str | None = None,
                 dedicated: bool = False) -> Employer:
    """Register one employer (its contacts are its own unless given)."""
    no = len(world.employers)
    c = world.counties[county]
    emp = Employer(
        no=no,
        eid=f"QY{no + 1:05d}",
        name=_employer_name(world, c.name),
        credit=_credit(world, "91", county),
        county=county,
        legal_rep=legal_rep if legal_rep is not None else _legal_rep(world, county),
        phone=phone if phone is not None else world.contacts.landline(),
        bank=bank if bank is not None else world.contacts.corporate_account(),
        weight=weight,
        dedicated=dedicated,
    )
    world.employers.append(emp)
    return emp
