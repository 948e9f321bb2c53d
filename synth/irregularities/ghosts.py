"""骗取补贴 through the attendance record: ghosts, proxy check-ins, spot-check gaps, 补录.

Each function injects one case and returns it (None when the city offers no room).
"""

from __future__ import annotations

import math
from datetime import date

from synth import timeline
from synth.irregularities.kit import Kit, attendance_event, class_ids, pid_of
from synth.model import ClassPlan, Proxy
from synth.population import new_person
from synth.truth import Case


def _open_class(kit: Kit, seats: int, after: int = 0) -> ClassPlan | None:
    """A normal class with ``seats`` free seats that starts after day ``after``."""
    return kit.pick_or_fresh(lambda c: c.mode in ("inclusive", "entrepreneurship")
                             and c.inst.free_seats(c.days) >= seats and c.days[0] > after
                             and len(c.claimed()) >= 15, year=2024 if after else None)


def invalid_id(kit: Kit) -> Case | None:
    """FRAUD_GHOST_INVALID_ID: made-up ID numbers (wrong check character or impossible date)."""
    world, rng = kit.world, kit.rng
    cls = _open_class(kit, 4)
    if cls is None:
        return None
    code = world.counties[cls.inst.county].code
    pids = []
    for _ in range(rng.randint(2, 4)):
        gender = rng.choice("MF")
        year = rng.randint(1972, 1998)
        if rng.random() < 0.6:
            birth = rng.randint(date(year, 1, 1).toordinal(), date(year, 12, 28).toordinal())
            pid = world.ids.bad_check(code, birth, gender)
        else:
            pid = world.ids.bad_date(code, year, gender)
            month = min(12, int(pid[10:12]))
            birth = date(year, month, 28).toordinal()
        person = new_person(world, cls.inst.county, birth=birth, gender=gender, pid=pid,
                            category=rng.choice(("rural_transfer", "unemployed")))
        person.idle = False
        kit.attach(cls, person.no)
        pids.append(pid)
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = pids
    return Case("FRAUD_GHOST_INVALID_ID",
                f"{len(pids)} trainees of {cls.cid} have ID numbers that fail the GB 11643 "
                "check (check character or birth date); they were claimed and paid.", ids)


def deceased(kit: Kit) -> Case | None:
    """FRAUD_GHOST_DECEASED: people dead months before the class, 'attending' by card."""
    world, rng = kit.world, kit.rng
    died = timeline.work_day_on_or_after(rng.randint(date(2023, 1, 10).toordinal(),
                                                     date(2023, 9, 30).toordinal()))
    cls = _open_class(kit, 3, after=died + 45)
    if cls is None:
        return None
    people = kit.idle(cls.inst.county, rng.randint(1, 3))
    cls.methods = cls.methods or {}
    ids = class_ids(cls)
    for pno in people:
        person = world.persons[pno]
        person.died = died
        event = world.add_misc(died + rng.randint(3, 20), rng.randrange(9 * 3600, 17 * 3600),
                               "PersonDeceased", "civil_affairs",
                               {"person_id": person.pid, "date_of_death": timeline.iso(died)},
                               f"md-P{person.no + 1:07d}-d")
        k = kit.attach(cls, pno, hire=False)
        cls.methods[k] = "card"
        cls.score[k] = -1
        cls.cert[k] = 0
        ids.person_ids.append(person.pid)
        ids.event_ids.append(event.event_id)
    kit.taint(cls)
    return Case("FRAUD_GHOST_DECEASED",
                f"{len(people)} trainees of {cls.cid} died on {timeline.iso(died)}, before the "
                "class; card check-ins and a claim were recorded for them.", ids)


def no_checkin(kit: Kit) -> Case | None:
    """FRAUD_GHOST_NO_CHECKIN: enrolled and claimed for every day, never checked in."""
    world, rng = kit.world, kit.rng
    cls = _open_class(kit, 5)
    if cls is None:
        return None
    people = kit.idle(cls.inst.county, rng.randint(2, 5))
    n_days = len(cls.days)
    for pno in people:
        k = kit.attach(cls, pno, hire=False)
        cls.att[k] = 0
        cls.cdays[k] = n_days
        cls.fen[k] = world.policy.training_item_fen(cls.mode, n_days)
        cls.score[k] = -1
        cls.cert[k] = 0
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = [pid_of(world, p) for p in people]
    return Case("FRAUD_GHOST_NO_CHECKIN",
                f"{len(people)} trainees of {cls.cid} never checked in, yet were claimed for all "
                f"{n_days} days.", ids, also=["INEFF_LOW_ATTENDANCE"])


def proxy_checkin(kit: Kit) -> Case | None:
    """FRAUD_PROXY_CHECKIN: one phone checks a dozen or more trainees in, seconds apart."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: c.method == "face" and len(c.claimed()) >= 22
                            and len(c.days) >= 5, size=rng.randint(26, 34))
    if cls is None:
        return None
    tricks = world.policy.tricks
    claimed = cls.claimed()
    members = sorted(rng.sample(claimed, max(10, int(len(claimed)
                                                    * rng.uniform(*tricks.proxy_members)))))
    n_days = len(cls.days)
    days = sorted(rng.sample(range(n_days), max(3, math.ceil(n_days
                                                             * rng.uniform(*tricks.proxy_days)))))
    inst = cls.inst
    cls.proxy = Proxy(members, days, f"MB{rng.randrange(10**9, 10**10)}",
                      round(inst.lat + rng.uniform(-0.0008, 0.0008), 6),
                      round(inst.lon + rng.uniform(-0.0008, 0.0008), 6),
                      tricks.proxy_gap_s, tricks.proxy_face)
    for k in members:
        for i in days:
            cls.att[k] |= 1 << i
    cls.spot = []  # no inspector happened by: the case shows only the proxy signs
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = [pid_of(world, cls.persons[k]) for k in members]
    ids.event_ids = [attendance_event(cls, members[0], days[0], "in")]
    return Case("FRAUD_PROXY_CHECKIN",
                f"On {len(days)} days of {cls.cid}, {len(members)} trainees were checked in from "
                f"one phone ({cls.proxy.device}) at one spot, {tricks.proxy_gap_s[0]}-"
                f"{tricks.proxy_gap_s[1]} s apart, face scores {tricks.proxy_face[0]:.2f}-"
                f"{tricks.proxy_face[1]:.2f}.",
                ids)


def spot_check_gap(kit: Kit) -> Case | None:
    """FRAUD_SPOT_CHECK_GAP: inspectors counted a fraction of the people checked in."""
    rng = kit.rng
    low, high = kit.world.policy.tricks.spot_ratio
    cls = kit.pick_or_fresh(lambda c: len(c.claimed()) >= 25, size=rng.randint(28, 36))
    if cls is None:
        return None
    cls.spot = []
    ids = class_ids(cls)
    for i in sorted(rng.sample(range(len(cls.days)), min(len(cls.days), rng.randint(1, 2)))):
        present = sum(1 for m in cls.att if m >> i & 1)
        counted = max(1, round(present * rng.uniform(low, high)))
        cls.spot.append((i, -counted))
        ids.event_ids.append(f"sv-{cls.cid}-{i:02d}")
    kit.taint(cls)
    return Case("FRAUD_SPOT_CHECK_GAP",
                f"Inspectors counted {low:.0%}-{high:.0%} of the trainees checked in to {cls.cid}.",
                ids)


def backfilled(kit: Kit) -> Case | None:
    """FRAUD_BACKFILLED_ATTENDANCE: missing check-ins typed in weeks later, after the claim."""
    world, rng = kit.world, kit.rng
    cls = kit.pick_or_fresh(lambda c: len(c.days) >= 6 and len(c.claimed()) >= 15
                            and c.mode in ("inclusive", "entrepreneurship"),
                            n_days=rng.randint(6, 12))
    if cls is None or cls.claim is None:
        return None
    claimed = cls.claimed()
    members = sorted(rng.sample(claimed, max(6, int(len(claimed) * rng.uniform(0.4, 0.7)))))
    n_days = len(cls.days)
    days = sorted(rng.sample(range(n_days), max(3, int(n_days * rng.uniform(0.4, 0.7)))))
    for k in members:
        for i in days:
            cls.att[k] |= 1 << i
    record_day = timeline.work_day_on_or_after(
        cls.claim.day + rng.randint(*world.policy.tricks.backfill_lag))
    cls.backfill = (members, days, record_day)
    kit.taint(cls)
    ids = class_ids(cls)
    ids.person_ids = [pid_of(world, cls.persons[k]) for k in members]
    ids.event_ids = [attendance_event(cls, members[0], days[0], "in"),
                     attendance_event(cls, members[-1], days[-1], "out")]
    return Case("FRAUD_BACKFILLED_ATTENDANCE",
                f"{len(members) * len(days) * 2} check-ins of {cls.cid} were entered by hand on "
                f"{timeline.iso(record_day)}, weeks after the sessions and after the claim.", ids)
