"""Institutions that stand out only statistically: joint outliers and Benford-breaking amounts.

Each function injects one case (a dedicated institution) and returns it.
"""

from __future__ import annotations

from synth import institutions, occupations, policy, timeline
from synth.irregularities.kit import Kit
from synth.model import ClassPlan, Institution
from synth.truth import Case, Ids


def _institution(kit: Kit, kind: str, venue_cap: int) -> tuple[Institution, list[int]]:
    """A dedicated institution in a county that has peers, licensed for two popular occupations."""
    rng = kit.rng
    world = kit.world
    county = rng.choice([i.county for i in world.institutions if not i.dedicated])
    occs = rng.sample(list(occupations.POPULAR), 2)
    licensed = sorted({*occs, *rng.sample(range(len(occupations.OCCUPATIONS)), 2)})
    inst = institutions.new_institution(world, county, kind, venue_cap=venue_cap,
                                        licensed=licensed, dedicated=True)
    inst.serves = [county]
    return inst, occs


def institution_outlier(kit: Kit) -> Case | None:
    """FRAUD_INSTITUTION_OUTLIER: too perfect to be true - everyone there, passing, employed.

    Full classes, every trainee at every session, (nearly) all pass with high scores and
    (nearly) all find a job: each figure legal, together unlike any real institution.
    How perfect is the city's own (``Tricks.perfect_pass``, ``perfect_employment``).
    """
    world, rng = kit.world, kit.rng
    tricks = world.policy.tricks
    inst, occs = _institution(kit, "private_school", 120)
    inst.emp_rate = tricks.perfect_employment
    inst.quality = 90.0 - sum(occupations.OCCUPATIONS[o].ease for o in occs) / len(occs)
    classes: list[ClassPlan] = []
    for n in range(rng.randint(4, 6)):
        n_days = rng.randint(10, 20)
        cls = kit.build(inst, occ=occs[n % 2], level=5, mode="inclusive",
                        year=timeline.YEARS[n % 2], n_days=n_days, hours=8,
                        size=rng.randint(46, 50))
        if cls is None:
            continue
        for k in range(cls.size):
            cls.att[k] = (1 << n_days) - 1
            cls.cdays[k] = n_days
            cls.fen[k] = world.policy.training_item_fen(cls.mode, n_days)
            # only ever raised: certification claims were planned for those already passing
            if 0 <= cls.score[k] < 82 and rng.random() < tricks.perfect_pass:
                cls.score[k] = rng.randint(82, 99)
                cls.cert[k] = 1
        classes.append(cls)
    if len(classes) < 3:
        return None
    return Case("FRAUD_INSTITUTION_OUTLIER",
                f"{inst.name}: always-full classes, every trainee at every session, "
                f"{tricks.perfect_pass:.0%} passing with high scores, about "
                f"{tricks.perfect_employment:.0%} employed - each figure legal, together too "
                "perfect to be true.",
                Ids(institution_ids=[inst.iid], class_ids=[c.cid for c in classes]))


def benford(kit: Kit) -> Case | None:
    """FRAUD_BENFORD: 110+ claim items with invented, non-round amounts just under the rule."""
    rng = kit.rng
    inst, occs = _institution(kit, "training_center", 150)
    classes: list[ClassPlan] = []
    items = 0
    tries = 0
    while items < policy.BENFORD_MIN_ITEMS + 10 and tries < 12:
        tries += 1
        cls = kit.build(inst, occ=rng.choice(occs), level=5, mode="inclusive",
                        n_days=rng.randint(10, 15), size=rng.randint(26, 34), withdraw=True)
        if cls is None:
            continue
        for k in cls.claimed():
            rule = kit.world.policy.training_item_fen(cls.mode, cls.cdays[k])
            fen = int(rule * rng.uniform(0.72, 0.995))
            if fen % 100 == 0:
                fen += rng.randint(1, 99)
            cls.fen[k] = min(fen, rule - 1)
        items += len(cls.claimed())
        classes.append(cls)
    if items < policy.BENFORD_MIN_ITEMS:
        return None
    ids = Ids(institution_ids=[inst.iid], class_ids=[c.cid for c in classes],
              claim_ids=[c.claim.claim_id for c in classes if c.claim is not None])
    return Case("FRAUD_BENFORD",
                f"{inst.name} claimed {items} items with invented amounts (fen present, first "
                "digits 7-9 almost only), unlike the rule-shaped amounts of its peers.", ids)
