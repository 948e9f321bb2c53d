"""The normal city's flows outside classes: graduates' evaluations, unused vouchers, complaints.

Graduates may take one free evaluation a year with an evaluation voucher (redeemed
against the assessment, written off afterwards); some people are issued a voucher
they never use, which simply expires; residents complain now and then.
"""

from __future__ import annotations

from datetime import date

from synth import occupations, timeline
from synth.model import Evaluation, Person, Voucher, World
from synth.outcomes import score

_GRADUATE_OCCS = ("4-01-02-02", "4-10-01-03", "4-10-01-02", "4-04-05-03", "4-14-02-02",
                  "4-03-02-07", "4-10-03-01", "4-03-02-04")
_COMPLAINTS = (
    "培训老师经常迟到，课程时间缩水。", "报名时承诺推荐就业，结业后无人联系。",
    "教室太小，学员坐不下。", "培训内容与报名工种不符。", "收取了额外的资料费。",
    "考试安排通知太晚。", "补贴到账时间太长。",
)


def plan_graduate_evaluations(world: World) -> None:
    """About a third of never-trained graduates take one evaluation, in 2023 or 2024."""
    rng = world.rng
    occs = [occupations.INDEX[c] for c in _GRADUATE_OCCS]
    for county, pool in enumerate(world.idle):
        keep: list[int] = []
        for pno in pool:
            person = world.persons[pno]
            if person.category != "graduate" or rng.random() >= 0.35:
                keep.append(pno)
                continue
            person.idle = False
            year = rng.choice(timeline.YEARS)
            occ = rng.choice(occs)
            level = 5 if rng.random() < 0.8 else 4
            issued = timeline.work_day_on_or_after(rng.randint(
                date(year, 3, 1).toordinal(), date(year, 10, 31).toordinal()))
            day = timeline.work_day_on_or_after(issued + rng.randint(10, 40))
            options = [a for a in world.agencies if not a.dedicated and a.filed
                       and occ in a.occs and a.filed_day < day and a.first_use <= day]
            agency = rng.choices(options, weights=[a.weight for a in options])[0]
            voucher = Voucher(world.voucher_no(), pno, "evaluation", occ, issued)
            world.vouchers.append(voucher)
            ev = Evaluation(len(world.evaluations) + 1, pno, agency.no, occ, level, day,
                            rng.randrange(9 * 3600, 15 * 3600), score(rng, 73.0),
                            timeline.work_day_on_or_after(day + rng.randint(3, 15)),
                            voucher=voucher.no)
            ev.writeoff_day = timeline.work_day_on_or_after(day + rng.randint(10, 30))
            world.evaluations.append(ev)
        world.idle[county] = keep


def plan_unused_vouchers(world: World) -> None:
    """Vouchers issued to about 3 % of people and never used (they expire, no finding)."""
    rng = world.rng
    first = date(2023, 3, 1).toordinal()
    last = date(2024, 10, 31).toordinal()
    for person in world.persons:
        if person.category == "employee" or rng.random() >= 0.03:
            continue
        occ = rng.choices(range(len(occupations.OCCUPATIONS)), weights=occupations.WEIGHTS)[0]
        day = timeline.work_day_on_or_after(rng.randint(first, last))
        world.vouchers.append(Voucher(world.voucher_no(), person.no, "training", occ, day))


def plan_complaints(world: World) -> None:
    """A few complaints against institutions, about one per 2,000 residents."""
    rng = world.rng
    normal = [i for i in world.institutions if not i.dedicated]
    for n in range(max(3, world.size // 2000)):
        inst = rng.choice(normal)
        day = timeline.work_day_on_or_after(rng.randint(timeline.FIRST_DAY + 40,
                                                        timeline.LAST_DAY - 20))
        cid = f"TS{n + 1:06d}"
        world.add_misc(day, rng.randrange(9 * 3600, 17 * 3600), "ComplaintReceived",
                       "supervision", {"complaint_id": cid, "subject_type": "institution",
                                       "subject_id": inst.iid, "text": rng.choice(_COMPLAINTS)},
                       f"sv-{cid}")


def plan_bank_switches(world: World) -> None:
    """Some people and institutions change bank account between a claim and its payment.

    The change is recorded before office hours, so a payment the same day already goes to
    the new account, which is still their own: a look-alike of payment to a wrong account.
    """
    rng = world.rng
    switched: list[tuple[int, int]] = []
    wanted = max(2, min(10, world.size // 5000))
    for claim in world.claims:
        if len(switched) >= wanted:
            break
        if claim.claimant_type != "person" or claim.pay_day - claim.day < 10:
            continue
        person = claim.payee
        if not isinstance(person, Person) or person.bank_changes:
            continue
        gap = claim.pay_day - claim.day
        day = timeline.work_day_on_or_after(claim.day + rng.randint(1, gap - 5))
        new = world.contacts.personal_account()
        person.bank_changes = [(day, new)]
        world.add_misc(day, rng.randrange(8 * 3600, 9 * 3600), "PersonUpdated", "realname",
                       {"person_id": person.pid, "bank_account": new},
                       f"md-P{person.no + 1:07d}-u1")
        switched.append((person.no, claim.no))
    world.marks["bank_switch_person"] = switched
    insts = [i for i in world.institutions if i.classes]
    chosen = rng.sample(insts, min(len(insts), 2))
    for inst in chosen:
        day = timeline.work_day_on_or_after(rng.randint(date(2023, 6, 1).toordinal(),
                                                        date(2024, 6, 30).toordinal()))
        new = world.contacts.corporate_account()
        inst.bank_changes.append((day, new))
        world.add_misc(day, rng.randrange(8 * 3600, 9 * 3600), "InstitutionUpdated", "registry",
                       {"institution_id": inst.iid, "bank_account": new}, f"md-{inst.iid}-u1")
    world.marks["bank_switch_institution"] = [i.no for i in chosen]
