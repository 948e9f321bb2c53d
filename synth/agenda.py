"""The agenda: for each recording day, the emitters to run, built from the finished plan.

Only a day's events are ever in memory: the writer asks the agenda for day after
day, runs its tasks and sorts their lines by recording time. Tasks are added in
plan order, so the output is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synth import emit_money as em
from synth import emit_training as et
from synth.encoding import Ctx, Out
from synth.model import World
from synth.policy import PASS_MARK

Task = tuple[Callable[..., None], tuple[Any, ...]]


class Agenda:
    """Tasks by day."""

    def __init__(self) -> None:
        self.days: dict[int, list[Task]] = {}

    def add(self, day: int, fn: Callable[..., None], *args: Any) -> None:
        """Run ``fn(ctx, out, *args)`` on ``day``."""
        self.days.setdefault(day, []).append((fn, args))

    def run(self, ctx: Ctx, day: int) -> Out:
        """The lines of ``day`` in recording order (stable, so ties keep plan order)."""
        out: Out = []
        for fn, args in self.days.pop(day, ()):
            fn(ctx, out, *args)
        out.sort(key=_first)
        return out

    def span(self) -> tuple[int, int]:
        """First and last day with tasks."""
        return min(self.days), max(self.days)


def _first(pair: tuple[int, str]) -> int:
    return pair[0]


def _claim_tasks(agenda: Agenda, world: World) -> None:
    rng = world.rng
    for claim in world.claims:
        agenda.add(claim.day, em.claim_filed, claim, rng.randrange(9 * 3600, 16 * 3600))
        if claim.reviewed:
            agenda.add(claim.review_day, em.claim_reviewed, claim)
        for pay in claim.payments or ():
            agenda.add(pay.day, em.paid, claim, pay)


def build(world: World) -> Agenda:
    """Every task of the plan, master data excepted (the writer puts that first)."""
    agenda = Agenda()
    for cls in world.classes:
        by_day: dict[int, list[int]] = {}
        for k, day in enumerate(cls.vday):
            by_day.setdefault(day, []).append(k)
        for day, ks in by_day.items():
            agenda.add(day, et.vouchers_issued, cls, ks)
        agenda.add(cls.open_day, et.opened, cls)
        for i, day in enumerate(cls.days):
            agenda.add(day, et.session, cls, i)
        if cls.backfill is not None:
            agenda.add(cls.backfill[2], et.late_records, cls, cls.backfill[2])
        if cls.late_fix is not None:
            k, i, delay = cls.late_fix
            agenda.add(cls.days[i] + delay, et.late_records, cls, cls.days[i] + delay)
        agenda.add(cls.days[-1], et.completed, cls)
        agenda.add(cls.assess_day, et.assessments, cls)
        agenda.add(cls.cert_day, et.certificates, cls)
        jobs: dict[int, list[int]] = {}
        for k, job in enumerate(cls.emp):
            if job is not None:
                jobs.setdefault(job[4], []).append(k)
        for day, ks in jobs.items():
            agenda.add(day, et.employment, cls, ks, False)
        pre: dict[int, list[int]] = {}
        for k, day in cls.pre_emp:
            pre.setdefault(day, []).append(k)
        for day, ks in pre.items():
            agenda.add(day, et.employment, cls, ks, True)
        if cls.writeoff and cls.claim is not None and cls.claim.payments:
            agenda.add(cls.writeoff_day, em.written_off, cls)
    _claim_tasks(agenda, world)
    for su in world.upgrades:
        agenda.add(su.day, em.upgrade_paid, su)
    for v in world.vouchers:
        agenda.add(v.day, em.voucher_issued, v)
    for ev in world.evaluations:
        agenda.add(ev.day, em.evaluated, ev)
        if ev.score >= PASS_MARK:
            agenda.add(ev.cert_day, em.evaluation_certified, ev)
        if ev.voucher >= 0:
            agenda.add(ev.writeoff_day, em.evaluation_written_off, ev, ev.writeoff_day)
    for m in world.misc:
        agenda.add(m.rec_day, em.misc, m)
    return agenda
