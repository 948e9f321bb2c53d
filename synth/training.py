"""The normal training calendar: which classes open, where, when, and who sits in them.

Institutions offer classes in their licensed occupations in proportion to the
demand of the counties they serve; classes are filled in date order from the
people who still want a training that year. A person is never put in a class that
shares a day with another of theirs, never twice in one occupation and level, and
never in more than their quota (at most the city's yearly cap); employees train only in
their own employer's enterprise or apprentice classes. Level-4 and higher classes
first invite people who finished the level below, so progressions occur naturally.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from synth import institutions, occupations, policy, timeline
from synth.model import ClassPlan, Person, World
from synth.outcomes import Employers, enrol, new_class, plan_class

T = TypeVar("T")
_MODES = (("inclusive", 66), ("order", 9), ("project", 9), ("entrepreneurship", 16))
_LEVELS = ((5, 54), (4, 30), (3, 12), (2, 3), (1, 1))
_DAYS = ((5, 8), (6, 7), (7, 8), (8, 9), (9, 6), (10, 14), (11, 4), (12, 7), (13, 3),
         (14, 5), (15, 7), (16, 3), (18, 3), (20, 6))
_SIZES = tuple(range(policy.MIN_CLASS_SIZE, policy.MAX_CLASS_SIZE + 1))
_SIZE_WEIGHTS = tuple(1.0 + 2.0 * (1 - abs(s - 32) / 18) for s in _SIZES)
# Normal classes run inside one year: from after the Spring Festival to mid-December;
# order/project classes end by October so their jobs are verified and paid in the year.
_SEASON = {2023: (date(2023, 2, 6), date(2023, 12, 15)),
           2024: (date(2024, 2, 19), date(2024, 12, 15))}
_ORDER_LAST_END = {2023: date(2023, 10, 31), 2024: date(2024, 10, 31)}


@dataclass(slots=True)
class Slot:
    """A class an institution means to open, before anyone has enrolled."""

    start: int
    inst: int
    mode: str
    occ: int
    level: int
    n_days: int
    hours: int
    size: int
    employer: int = -1
    evening: bool = False


def _weighted(rng: random.Random, pairs: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def class_shape(world: World, occ: int, level: int | None = None,
                evening_ok: bool = True) -> tuple[int, int, int, bool]:
    """(level, session days, hours a day, evening) as the city schedules classes.

    Evening classes meet 3-4 hours on twice as many days; short ones last 3-4 days; every
    class meets the level's minimum hours where the city sets one.
    """
    rng = world.rng
    local = world.policy
    top = occupations.OCCUPATIONS[occ].top
    if level is None:
        level = _weighted(rng, _LEVELS)
        level = max(level, top)
    evening = evening_ok and rng.random() < local.evening_share
    hours = rng.choice((3, 4)) if evening else _weighted(rng, local.day_hours)
    n_days = rng.randint(3, 4) if rng.random() < local.short_share else _weighted(rng, _DAYS)
    if evening:
        n_days *= 2
    need = local.min_hours(level)
    while n_days * hours < need:
        n_days += 1
    return level, n_days, hours, evening


def last_end(year: int, mode: str) -> int:
    """The latest end day of a normal class of ``mode`` in ``year``."""
    if mode in ("order", "project"):
        return _ORDER_LAST_END[year].toordinal()
    return _SEASON[year][1].toordinal()


def season_start(year: int) -> int:
    """The first start day of normal classes in ``year``."""
    return _SEASON[year][0].toordinal()


def random_start(rng: random.Random, year: int, mode: str, n_days: int) -> int:
    """A start day leaving room for ``n_days`` sessions before the season's end."""
    first = season_start(year)
    last = last_end(year, mode) - int(n_days * 7 / 6) - 10
    return timeline.next_session_day(rng.randint(first, max(first, last)))


def _pick_occ(rng: random.Random, licensed: list[int]) -> int:
    return rng.choices(licensed, weights=[occupations.OCCUPATIONS[o].weight for o in licensed])[0]


def _demand(world: World) -> list[list[int]]:
    """Trainings wanted by non-employees, per year index and county."""
    demand = [[0] * len(world.counties) for _ in timeline.YEARS]
    for person in world.persons:
        if person.quota and person.category != "employee":
            for y in range(len(timeline.YEARS)):
                demand[y][person.county] += person.quota[y]
    return demand


def _open_slots(world: World, demand: list[list[int]]) -> list[Slot]:
    """Slots for non-employee classes: each institution's share of its counties' demand."""
    rng = world.rng
    insts = world.institutions
    serving: list[list[int]] = [[] for _ in world.counties]
    for inst in insts:
        for county in inst.serves:
            serving[county].append(inst.no)
    shares: list[list[float]] = []
    for per_county in demand:
        share = [0.0] * len(insts)
        for county, wanted in enumerate(per_county):
            group = serving[county]
            total = sum(insts[i].weight for i in group)
            for i in group:
                share[i] += wanted * insts[i].weight / total
        shares.append(share)
    institutions.size_venues(world, [sum(s) / len(shares) for s in zip(*shares, strict=True)])
    slots: list[Slot] = []
    for year, share in zip(timeline.YEARS, shares, strict=True):
        for inst in insts:
            seats = share[inst.no] * 1.12
            order_employers = [e.no for e in world.employers
                               if e.county in inst.serves and not e.dedicated] or [0]
            while seats > 0:
                mode = _weighted(rng, _MODES)
                occ = _pick_occ(rng, inst.licensed)
                level, n_days, hours, evening = class_shape(world, occ)
                size = rng.choices(_SIZES, weights=_SIZE_WEIGHTS)[0]
                employer = -1
                if mode == "order":
                    employer = rng.choice(order_employers)
                slots.append(Slot(random_start(rng, year, mode, n_days), inst.no, mode, occ,
                                  level, n_days, hours, size, employer, evening))
                seats -= size * 0.9
    return slots


def _employee_slots(world: World) -> list[Slot]:
    """Enterprise and apprentice classes for employers with enough willing employees."""
    rng = world.rng
    serving: list[list[int]] = [[] for _ in world.counties]
    for inst in world.institutions:
        for county in inst.serves:
            serving[county].append(inst.no)
    slots: list[Slot] = []
    for emp in world.employers:
        for yi, year in enumerate(timeline.YEARS):
            willing = sum(1 for p in emp.employees if (world.persons[p].quota or (0, 0))[yi] > 0)
            while willing >= policy.MIN_CLASS_SIZE:
                size = min(willing, rng.randint(policy.MIN_CLASS_SIZE, 40))
                willing -= size
                inst = world.institutions[rng.choice(serving[emp.county])]
                occ = _pick_occ(rng, inst.licensed)
                mode = "apprentice" if rng.random() < 0.1 else "enterprise"
                if mode == "apprentice":
                    top = occupations.OCCUPATIONS[occ].top
                    level, n_days, hours, evening = class_shape(world, occ, max(3, top))
                    n_days = max(n_days, 15)
                else:
                    level, n_days, hours, evening = class_shape(world, occ)
                slots.append(Slot(random_start(rng, year, mode, n_days), inst.no, mode, occ,
                                  level, n_days, hours, size, emp.no, evening))
    return slots


class Pools:
    """People still wanting a training, per year and county (or per employer), drawn at random."""

    def __init__(self, world: World) -> None:
        n_years = len(timeline.YEARS)
        self.county: list[list[list[int]]] = [[[] for _ in world.counties]
                                              for _ in range(n_years)]
        self.employer: list[dict[int, list[int]]] = [{} for _ in range(n_years)]
        for person in world.persons:
            if not person.quota:
                continue
            for y in range(n_years):
                if person.quota[y] <= 0:
                    continue
                if person.category == "employee":
                    self.employer[y].setdefault(person.employer, []).append(person.no)
                else:
                    self.county[y][person.county].append(person.no)
        self.progress: dict[tuple[int, int], list[int]] = {}

    def draw(self, rng: random.Random, pool: list[int], world: World, y: int) -> Person | None:
        """A random person from ``pool`` who still has quota (spent ones are dropped)."""
        while pool:
            i = rng.randrange(len(pool))
            person = world.persons[pool[i]]
            if person.quota and person.quota[y] > 0:
                return person
            pool[i] = pool[-1]
            pool.pop()
        return None


def _fits(person: Person, cls: ClassPlan, y: int, members: set[int]) -> bool:
    if person.no in members or not person.quota or person.quota[y] <= 0:
        return False
    if person.done and (cls.occ, cls.level) in person.done:
        return False
    return not person.busy(cls.days[0], cls.days[-1])


def _fill(world: World, pools: Pools, cls: ClassPlan, slot: Slot, y: int) -> list[int]:
    rng = world.rng
    members: set[int] = set()
    chosen: list[int] = []
    if slot.employer >= 0 and slot.mode in ("enterprise", "apprentice"):
        sources = [pools.employer[y].get(slot.employer, [])]
        weights = [1.0]
    else:
        sources = [pools.county[y][c] for c in cls.inst.serves]
        weights = [float(len(s)) for s in sources]
        if cls.level < 5:
            previous = pools.progress.get((cls.occ, cls.level + 1), [])
            for _ in range(min(len(previous), slot.size // 2)):
                person = world.persons[previous[rng.randrange(len(previous))]]
                if (person.category != "employee" and person.county in cls.inst.serves
                        and _fits(person, cls, y, members)):
                    members.add(person.no)
                    chosen.append(person.no)
                    person.quota[y] -= 1  # type: ignore[index]
    if sum(weights) <= 0:
        return chosen
    attempts = slot.size * 8
    while len(chosen) < slot.size and attempts > 0:
        attempts -= 1
        pool = rng.choices(sources, weights=weights)[0]
        person = pools.draw(rng, pool, world, y)
        if person is None:
            continue
        if _fits(person, cls, y, members):
            members.add(person.no)
            chosen.append(person.no)
            person.quota[y] -= 1  # type: ignore[index]
    return chosen


def plan_normal_training(world: World) -> None:
    """Open, fill and plan every normal class of 2023 and 2024."""
    slots = _open_slots(world, _demand(world)) + _employee_slots(world)
    slots.sort(key=lambda s: s.start)
    pools = Pools(world)
    employers = Employers(world)
    for slot in slots:
        inst = world.institutions[slot.inst]
        year = timeline.year_of(slot.start)
        y = timeline.YEARS.index(year)
        days = timeline.session_days(slot.start, slot.n_days)
        if days[-1] > last_end(year, slot.mode):
            continue
        seats = min(slot.size, inst.free_seats(days))
        if seats < policy.MIN_CLASS_SIZE:
            continue
        cls = new_class(world, inst_no=inst.no, occ=slot.occ, level=slot.level, mode=slot.mode,
                        days=days, hours=slot.hours, capacity=seats, employer=slot.employer,
                        evening=slot.evening)
        slot.size = seats
        chosen = _fill(world, pools, cls, slot, y)
        if len(chosen) < policy.MIN_CLASS_SIZE:
            for pno in chosen:
                world.persons[pno].quota[y] += 1  # type: ignore[index]
            continue
        for pno in chosen:
            enrol(world, cls, pno)
        register_class(world, cls)
        plan_class(world, cls, employers)
        if cls.level > 1:
            group = pools.progress.setdefault((cls.occ, cls.level), [])
            group.extend(cls.persons[k] for k in range(cls.size) if cls.wd[k] < 0)


def register_class(world: World, cls: ClassPlan) -> None:
    """Add a filled class to the plan and take its seats at the venue."""
    world.classes.append(cls)
    cls.inst.classes.append(cls)
    cls.inst.occupy(cls.days, cls.size)
