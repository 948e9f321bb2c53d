"""Institutions that stand out only statistically: joint outliers and Benford-breaking amounts.

Each function injects one case (a dedicated institution) and returns it.
"""

from __future__ import annotations

from engine.synth import institutions, occupations, policy, timeline
from engine.synth.irregularities.kit import Kit
from engine.synth.model import ClassPlan, Institution
from engine.synth.truth import Case, Ids


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
    """FRAUD_INSTITUTION_OUTLIER: every figure near the edge of normal, all at once."""
    rng = kit.rng
    inst, occs = _institution(kit, "private_school", 120)
    inst.quality = 66.5 - sum(occupations.OCCUPATIONS[o].ease for o in occs) / len(occs)
    inst.emp_rate = rng.uniform(0.25, 0.29)
    classes: list[ClassPlan] = []
    for n in range(rng.randint(4, 6)):
        cls = kit.build(inst, occ=occs[n % 2], level=5, mode="inclusive",
                        year=timeline.YEARS[n % 2], n_days=20, hours=8, size=rng.randint(46, 50))
        if cls is None:
            continue
        for k in range(cls.size):
            missing = rng.sample(range(20), rng.choice((2, 3)))
            cls.att[k] = ((1 << 20) - 1) & ~sum(1 << i for i in missing)
            cls.cdays[k] = 20 - len(missing)
            cls.fen[k] = policy.training_item_fen(cls.mode, cls.cdays[k])
        classes.append(cls)
    if len(classes) < 3:
        return None
    return Case("FRAUD_INSTITUTION_OUTLIER",
                f"{inst.name}: always-full 20-day classes, attendance just above 85 %, no "
                "withdrawals, pass and job rates at the low edge, maximum claims - each figure "
                "legal, together unlike any peer.",
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
            rule = policy.training_item_fen(cls.mode, cls.cdays[k])
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
