"""Collusion in evaluation: pass rates near 100 %, certificates out of order, bursts.

Each function injects one case and returns it (None when the city offers no room).
"""

from __future__ import annotations

from datetime import date

from synth import institutions, occupations, outcomes, timeline
from synth.irregularities.kit import Kit, class_ids, pid_of
from synth.model import ClassPlan, Evaluation
from synth.policy import PASS_MARK
from synth.population import county_cum
from synth.truth import Case, Ids


def pass_rate_anomaly(kit: Kit) -> Case | None:
    """FRAUD_PASS_RATE_ANOMALY: an agency passes all of an institution, scores bunched at 60."""
    world, rng = kit.world, kit.rng
    first = kit.pick_or_fresh(lambda c: not c.inst.dedicated
                              and sum(1 for s in c.score if s >= 0) >= 12,
                              size=rng.randint(20, 28))
    if first is None:
        return None
    inst, occ = first.inst, first.occ
    chosen: list[ClassPlan] = [first]

    def assessed() -> int:
        return sum(1 for c in chosen for s in c.score if s >= 0)

    # One occupation, and enough assessments (40+) for the pass rate to mean something.
    for _ in range(6):
        if assessed() >= 40:
            break
        other = kit.pick(lambda c, i=inst: c.inst is i and c.occ == occ and c not in chosen
                         and sum(1 for s in c.score if s >= 0) >= 10, tries=100)
        other = other or kit.build(inst, occ=occ, size=rng.randint(20, 28))
        if other is not None:
            chosen.append(other)
    if assessed() < 30:
        return None
    agency = institutions.new_agency(world, inst.county, [occ])
    ids = Ids(agency_ids=[agency.aid], institution_ids=[inst.iid])
    for cls in chosen:
        cls.agency = agency.no
        for k, s in enumerate(cls.score):
            if s >= 0:
                cls.score[k] = rng.randint(60, 68)
                cls.cert[k] = 1
        ids.class_ids.append(cls.cid)
    kit.taint(*chosen)
    return Case("FRAUD_PASS_RATE_ANOMALY",
                f"{agency.aid} passed all {assessed()} trainees of {inst.iid} it assessed in "
                f"{occupations.OCCUPATIONS[occ].name} ({len(chosen)} classes), every score "
                "between 60 and 68.", ids)


def cert_timing(kit: Kit) -> Case | None:
    """FRAUD_CERT_TIMING: certificates dated before the class ended, or with no assessment."""
    world, rng = kit.world, kit.rng
    if rng.random() < 0.5:
        cls = kit.pick_or_fresh(lambda c: len(c.days) >= 8 and sum(c.cert) >= 5
                                and any(timeline.is_work_day(d) for d in c.days[-5:-2]),
                                n_days=rng.randint(8, 12))
        if cls is None:
            return None
        assess = next(d for d in cls.days[-5:-2] if timeline.is_work_day(d))
        cls.assess_day = assess
        cls.cert_day = timeline.work_day_on_or_after(assess + 1)
        if cls.cert_day >= cls.days[-1]:
            cls.cert_day = assess
        holders = [k for k in range(cls.size) if cls.cert[k]]
        how = (f"issued on {timeline.iso(cls.cert_day)}, before the class ended on "
               f"{timeline.iso(cls.days[-1])}")
    else:
        cls = kit.pick_or_fresh(lambda c: sum(c.cert) >= 8)
        if cls is None:
            return None
        certified = [k for k in range(cls.size) if cls.cert[k]]
        holders = sorted(rng.sample(certified, max(3, int(len(certified) * rng.uniform(0.3, 0.6)))))
        cls.no_assess = holders
        how = "issued without any assessment"
    kit.taint(cls)
    ids = class_ids(cls, claim=False)
    ids.agency_ids = [world.agencies[cls.agency].aid]
    ids.person_ids = [pid_of(world, cls.persons[k]) for k in holders]
    ids.certificate_ids = [outcomes.cert_id(cls, k) for k in holders]
    return Case("FRAUD_CERT_TIMING", f"{len(holders)} certificates of {cls.cid} were {how}.", ids)


def cert_burst(kit: Kit) -> Case | None:
    """FRAUD_CERT_BURST: a newly filed agency issues hundreds of certificates within weeks."""
    world, rng = kit.world, kit.rng
    filed = timeline.work_day_on_or_after(rng.randint(date(2023, 4, 1).toordinal(),
                                                      date(2024, 6, 30).toordinal()))
    occs = sorted(rng.sample(list(occupations.POPULAR), 3))
    agency = institutions.new_agency(world, 0, occs, filed_day=filed)
    total = max(140, min(2600, round(world.size * 0.015)))
    batches = max(8, min(25, total // 20))
    window = [d for d in range(filed + 3, filed + 61) if timeline.is_work_day(d)]
    days = sorted(rng.sample(window, min(batches, len(window))))
    ids = Ids(agency_ids=[agency.aid], event_ids=[f"md-{agency.aid}"])
    cum = county_cum(world)
    for n in range(total):
        county = rng.choices(range(len(cum)), cum_weights=cum)[0]
        pno = kit.idle(county, 1)[0]
        day = days[n % len(days)]
        ev = Evaluation(len(world.evaluations) + 1, pno, agency.no, rng.choice(occs),
                        5 if rng.random() < 0.8 else 4, day, rng.randrange(9 * 3600, 16 * 3600),
                        outcomes.score(rng, 72.0), day)
        world.evaluations.append(ev)
        if ev.score >= PASS_MARK:
            ids.certificate_ids.append(ev.cert_id)
    return Case("FRAUD_CERT_BURST",
                f"{agency.aid}, filed on {timeline.iso(filed)}, issued "
                f"{len(ids.certificate_ids)} certificates in {len(days)} batches within 60 days.",
                ids)
