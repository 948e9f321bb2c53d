"""Tools shared by the injections: picking untouched normal classes, building new ones, ids.

An injection either bends a normal class (which is then *tainted*: no other
injection or look-alike touches it) or builds a new class at a real institution,
filled with residents who never trained, and bends that. Either way the rest of the
class stays normal, so a case shows only the signs its pattern has.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable

from synth import occupations, outcomes, policy, timeline, training
from synth.model import Claim, ClassPlan, Institution, Person, World
from synth.money import default_payment, resolve_claim_amounts
from synth.population import take_idle
from synth.truth import Ids

SPARE_SEATS = 2
"""Seats a new class leaves free at its venue, for the case's own people attached afterwards."""


class Kit:
    """The plan being bent, with an index of the normal classes available for bending."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.rng: random.Random = world.rng
        self.employers = outcomes.Employers(world)
        self.normal: list[ClassPlan] = list(world.classes)
        # People named by a case or reserved by a look-alike: never picked again.
        self.truth_persons: set[int] = set(world.marks.get("reserved_persons", []))
        self.registered: set[str] = set()  # legal representatives registered as trainees

    # -- how many cases ----------------------------------------------------------------
    def cases(self, per: int, lo: int = 2, hi: int = 40) -> int:
        """Cases of one pattern: one per ``per`` residents, between ``lo`` and ``hi``."""
        return max(lo, min(hi, round(self.world.size / per)))

    # -- choosing ----------------------------------------------------------------------
    def pick(self, ok: Callable[[ClassPlan], bool], tries: int = 400) -> ClassPlan | None:
        """A random untouched normal class for which ``ok`` holds (None when there is none)."""
        rng = self.rng
        normal = self.normal
        if not normal:
            return None
        for _ in range(tries):
            cls = normal[rng.randrange(len(normal))]
            if not cls.tainted and not cls.look and ok(cls):
                return cls
        start = rng.randrange(len(normal))
        for j in range(len(normal)):
            cls = normal[(start + j) % len(normal)]
            if not cls.tainted and not cls.look and ok(cls):
                return cls
        return None

    def taint(self, *classes: ClassPlan) -> None:
        """Mark classes as part of a case."""
        for cls in classes:
            cls.tainted = True

    def idle(self, county: int, count: int) -> list[int]:
        """Residents of ``county`` who never trained (made up when the county runs short)."""
        taken = take_idle(self.world, county, count)
        self.truth_persons.update(taken)
        return taken

    # -- building ----------------------------------------------------------------------
    def build(self, inst: Institution, *, occ: int | None = None, level: int | None = None,
              mode: str = "inclusive", year: int | None = None, start: int | None = None,
              n_days: int | None = None, hours: int | None = None, size: int | None = None,
              employer: int = -1, members: Iterable[int] = (), fill: bool = True,
              plan: bool = True, respect_capacity: bool = True,
              fixed: bool = False, withdraw: bool = False,
              evening_ok: bool = True, short_ok: bool = False) -> ClassPlan | None:
        """A new class at ``inst`` holding ``members`` plus idle fillers, planned as normal.

        With ``fixed`` the class starts on ``start`` or not at all (None when the venue is full);
        ``withdraw`` lets trainees drop out as in normal classes (injected ones keep everyone);
        ``short_ok`` allows a class shorter than its level's minimum hours (a case of it).
        """
        rng = self.rng
        world = self.world
        if occ is None:
            occ = rng.choices(inst.licensed,
                              weights=[occupations.OCCUPATIONS[o].weight for o in inst.licensed])[0]
        lv, nd, hr, evening = training.class_shape(world, occ, level,
                                                   evening_ok=evening_ok and hours is None)
        forced_days, forced_hours = n_days, hours
        n_days = n_days or nd
        hours = hours or hr
        # a forced length must not breach the level's minimum by accident
        need = world.policy.min_hours(lv)
        if n_days * hours < need and not short_ok:
            if level is None:
                lv = 5
                need = world.policy.min_hours(lv)
            if n_days * hours < need and forced_hours is None:
                hours, evening = 8, False
            if n_days * hours < need and forced_days is None:
                n_days = -(-need // hours)
            if n_days * hours < need:
                return None
        members = list(members)
        if size is None:
            size = max(len(members), rng.randint(18, 32))
        days: list[int] = []
        for attempt in range(1 if fixed else 40):
            y = year if year is not None else rng.choice(timeline.YEARS)
            first = start if start is not None and attempt == 0 else training.random_start(
                rng, y, mode, n_days)
            days = timeline.session_days(first, n_days)
            if timeline.year_of(days[-1]) != timeline.year_of(days[0]):
                continue
            if not respect_capacity or inst.free_seats(days) >= size + SPARE_SEATS:
                break
        else:
            return None
        cls = outcomes.new_class(world, inst_no=inst.no, occ=occ, level=lv, mode=mode, days=days,
                                 hours=hours, capacity=size, employer=employer, evening=evening)
        for pno in members:
            outcomes.enrol(world, cls, pno)
        if fill and size > len(members):
            for pno in self.fillers(inst, size - len(members)):
                outcomes.enrol(world, cls, pno)
        training.register_class(world, cls)
        if plan:
            for k in range(cls.size):
                outcomes.plan_trainee(world, cls, k, withdraw=withdraw)
            outcomes.finish_class(world, cls, self.employers, spot=False)
        cls.tainted = True
        return cls

    def fresh(self, ok: Callable[[ClassPlan], bool] = lambda c: True, *, mode: str = "inclusive",
              **kw: object) -> ClassPlan | None:
        """A new class at a random normal institution for which ``ok`` holds (a few tries)."""
        rng = self.rng
        insts = [i for i in self.world.institutions if not i.dedicated]
        for _ in range(8):
            inst = rng.choice(insts)
            employer = self.employers.pick(rng, inst.county).no if mode == "order" else -1
            cls = self.build(inst, mode=mode, employer=employer, **kw)  # type: ignore[arg-type]
            if cls is not None and ok(cls):
                return cls
        return None

    def pick_or_fresh(self, ok: Callable[[ClassPlan], bool], *, mode: str = "inclusive",
                      **kw: object) -> ClassPlan | None:
        """An untouched normal class for which ``ok`` holds, else a new one built for the case."""
        return self.pick(ok) or self.fresh(ok, mode=mode, **kw)

    def fillers(self, inst: Institution, count: int) -> list[int]:
        """Idle residents from the counties the institution serves (not named in cases)."""
        world = self.world
        counties = inst.serves or [inst.county]
        taken: list[int] = []
        while len(taken) < count:
            county = self.rng.choice(counties)
            taken.extend(take_idle(world, county, min(count - len(taken), 8)))
        return taken

    def attach(self, cls: ClassPlan, pno: int, *, hire: bool = True) -> int:
        """Enrol one more person in an existing class, planned like its other trainees."""
        world = self.world
        k = outcomes.enrol(world, cls, pno)
        outcomes.plan_trainee(world, cls, k, withdraw=False)
        cls.inst.occupy(cls.days, 1)
        cls.capacity = max(cls.capacity, cls.size)
        person = world.persons[pno]
        if hire and cls.mode in ("order", "project"):
            emp = cls.employer if cls.mode == "order" else self.employers.pick(
                self.rng, person.county).no
            outcomes.hire(world, cls, k, emp, soon=True)
        elif hire and cls.mode == "inclusive" and self.rng.random() < cls.inst.emp_rate:
            outcomes.hire(world, cls, k, self.employers.pick(self.rng, person.county).no)
        self.truth_persons.add(pno)
        return k

    def can_join(self, person: Person, cls: ClassPlan, *, same_level_ok: bool = False,
                 cap: bool = True) -> bool:
        """Whether ``person`` fits ``cls`` without breaking a rule the case is not about."""
        if person.busy(cls.days[0], cls.days[-1]):
            return False
        if not same_level_ok and person.done and (cls.occ, cls.level) in person.done:
            return False
        if cap and person.year_count(cls.year) >= self.world.policy.max_trainings_per_year:
            return False
        age = timeline.age_on(person.birth, cls.open_day)
        if not policy.NORMAL_MIN_AGE <= age <= policy.NORMAL_MAX_AGE:
            return False
        return cls.inst.free_seats(cls.days) >= 1

    # -- money ---------------------------------------------------------------------------
    def pay_now(self, claim: Claim) -> list[str]:
        """Resolve a claim's default payment now (so a case can name it); returns payment ids."""
        resolve_claim_amounts(self.world, claim)
        if claim.payments is None:
            claim.payments = [default_payment(self.world, claim)]
        return [p.pay_id for p in claim.payments]


def class_ids(cls: ClassPlan, *, claim: bool = True) -> Ids:
    """Ids naming a class, its institution and (optionally) its training claim."""
    ids = Ids(class_ids=[cls.cid], institution_ids=[cls.inst.iid])
    if claim and cls.claim is not None:
        ids.claim_ids.append(cls.claim.claim_id)
    return ids


def enrol_event(cls: ClassPlan, k: int) -> str:
    """The event id of roster slot ``k``'s enrolment."""
    return f"rn-{cls.cid}-e{k:03d}"


def attendance_event(cls: ClassPlan, k: int, i: int, direction: str) -> str:
    """The event id of one check-in or check-out."""
    return f"rn-{cls.cid}-a{k:03d}{i:02d}{direction[0]}"


def pid_of(world: World, pno: int) -> str:
    """A resident's ID number."""
    return world.persons[pno].pid


def training_modes() -> tuple[str, ...]:
    """Modes whose trainees are not employees of the class's employer."""
    return ("inclusive", "order", "project", "entrepreneurship")
