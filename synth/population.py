"""The registered population: residents with valid ID numbers and their training appetite.

Everyone is 18-58 throughout 2023-2024, so no normal trainee is outside the
working-age rule; every person has their own phone and bank account. A fifth
never trains (they applied, or were registered by the employment office); the rest
want one training a year, sometimes two, rarely three (never more than the city's cap).
"""

from __future__ import annotations

import random
from datetime import date
from itertools import accumulate

from synth import names
from synth.model import Person, World

_CATEGORIES = (
    ("rural_transfer", 33), ("unemployed", 17), ("poverty_alleviated", 9), ("graduate", 10),
    ("employee", 15), ("flexible", 11), ("other", 5),
)
_CAT_NAMES = tuple(c for c, _ in _CATEGORIES)
_CAT_CUM = list(accumulate(w for _, w in _CATEGORIES))
# Birth dates: 18 on 1 January 2023 at the latest, at most 58 on 31 December 2024.
_BORN_FIRST = date(1966, 1, 2).toordinal()
_BORN_LAST = date(2004, 12, 31).toordinal()
_GRAD_FIRST = date(1998, 1, 1).toordinal()
# Trainings wanted in one year by someone who trains at all.
_PER_YEAR = (0, 1, 2, 3)
_PER_YEAR_CUM = list(accumulate((0.17, 0.55, 0.23, 0.05)))
NEVER_TRAINS = 0.20


def _birth(rng: random.Random, category: str) -> int:
    if category == "graduate":
        return rng.randint(_GRAD_FIRST, _BORN_LAST)
    # A triangular age profile peaking in the mid-thirties, as in the seeds' trainee mix.
    span = _BORN_LAST - _BORN_FIRST
    return _BORN_FIRST + int(rng.triangular(0, span, span * 0.62))


def new_person(world: World, county: int, *, birth: int | None = None, gender: str | None = None,
               category: str | None = None, name: str | None = None, pid: str | None = None,
               phone: str | None = None, bank: str | None = None) -> Person:
    """Register one person (defaults drawn like the normal population) and return them."""
    rng = world.rng
    if category is None:
        category = rng.choices(_CAT_NAMES, cum_weights=_CAT_CUM)[0]
    if birth is None:
        birth = _birth(rng, category)
    if gender is None:
        gender = "F" if rng.random() < 0.52 else "M"
    c = world.counties[county]
    if pid is None:
        pid = world.ids.new(c.code, birth, gender)
    if name is None:
        name = names.person_name(rng, gender, date.fromordinal(birth).year)
    hukou = "urban" if rng.random() < c.urban else "rural"
    if category in ("rural_transfer", "poverty_alleviated"):
        hukou = "rural"
    person = Person(
        no=len(world.persons),
        pid=pid,
        name=name,
        gender=gender,
        birth=birth,
        county=county,
        hukou=hukou,
        category=category,
        phone=phone if phone is not None else world.contacts.mobile(),
        bank=bank if bank is not None else world.contacts.personal_account(),
    )
    world.persons.append(person)
    return person


def make_population(world: World, n: int) -> None:
    """Register ``n`` people and decide how many trainings each wants per year."""
    rng = world.rng
    counties = rng.choices(range(len(world.counties)), cum_weights=county_cum(world), k=n)
    cap = world.policy.max_trainings_per_year
    for county in counties:
        person = new_person(world, county)
        if rng.random() < NEVER_TRAINS:
            world.idle[county].append(person.no)
            continue
        quota = [min(cap, rng.choices(_PER_YEAR, cum_weights=_PER_YEAR_CUM)[0])
                 for _ in range(2)]
        if sum(quota) == 0:
            quota[rng.randrange(2)] = 1
        person.quota = quota


def county_cum(world: World) -> list[float]:
    """Cumulative population weights of the city's counties, for weighted draws."""
    return list(accumulate(c.weight for c in world.counties))


def take_idle(world: World, county: int, count: int) -> list[int]:
    """Hand out non-employees who never trained (new ones when the county runs short)."""
    pool = world.idle[county]
    rng = world.rng
    taken: list[int] = []
    tries = 0
    while len(taken) < count and pool and tries < count * 4 + 10:
        tries += 1
        i = rng.randrange(len(pool))
        person = world.persons[pool[i]]
        if person.category == "employee":
            continue
        pool[i] = pool[-1]
        pool.pop()
        if person.idle and not person.died:
            person.idle = False
            taken.append(person.no)
    while len(taken) < count:
        category = rng.choice(
            ("rural_transfer", "unemployed", "flexible", "graduate", "poverty_alleviated"))
        person = new_person(world, county, category=category)
        person.idle = False
        taken.append(person.no)
    return taken
