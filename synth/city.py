"""Orchestration: plan the city, bend it with injected cases and look-alikes, write it out.

The city's local policy and layout are drawn from the seed first (``policy.draw_policy``).
The order matters and is fixed: the normal population and its classes first, then
the look-alikes (which reserve the classes and people they name), then the injected
irregularities (each from its own function, each returning its truth case), then
money is resolved and budgets allocated, and only then are events written, day by
day. Everything draws from RNGs seeded by ``seed``. Beside the events go the truth
file and the rules file a user would write from the city's published policy.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from synth import agenda, emit_master, institutions, lookalikes, money, sideflows
from synth import truth as truthfile
from synth.encoding import Ctx
from synth.ids import Contacts, PersonIds
from synth.irregularities import inject_all, inject_budgets
from synth.model import World
from synth.policy import draw_policy
from synth.population import make_population
from synth.training import plan_normal_training
from synth.writer import write_events


@dataclass(frozen=True)
class GenerateSummary:
    """What ``generate`` wrote."""

    events: int
    persons: int
    by_type: dict[str, int]
    injected: int
    lookalikes: int
    out: Path
    truth: Path
    rules: Path
    seconds: float
    classes: int
    institutions: int


def default_truth_path(out: Path) -> Path:
    """``city.jsonl`` -> ``city.truth.json`` (also for ``city.jsonl.gz``)."""
    name = out.name
    if name.endswith(".gz"):
        name = name[:-3]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return out.with_name(stem + ".truth.json")


def default_rules_path(out: Path) -> Path:
    """``city.jsonl`` -> ``city.rules.toml`` (also for ``city.jsonl.gz``)."""
    truth = default_truth_path(out)
    return truth.with_name(truth.name.removesuffix(".truth.json") + ".rules.toml")


def plan(persons: int, seed: int) -> tuple[World, list[truthfile.Case], list[truthfile.Lookalike]]:
    """The whole plan of a city: normal life, injected cases and look-alikes, money resolved."""
    local = draw_policy(seed)
    world = World(seed=seed, size=persons, rng=random.Random(seed),
                  contacts=Contacts(random.Random(f"contacts-{seed}"), local.area_code,
                                    local.bank_prefix),
                  ids=PersonIds(random.Random(f"ids-{seed}")), policy=local)
    make_population(world, persons)
    # every county holds an institution, so distant venues exist in any layout
    institutions.make_institutions(world, max(institutions.institution_count(persons),
                                              len(local.counties)))
    institutions.make_agencies(world)
    institutions.make_employers(world, persons)
    plan_normal_training(world)
    sideflows.plan_graduate_evaluations(world)
    sideflows.plan_unused_vouchers(world)
    sideflows.plan_complaints(world)
    sideflows.plan_bank_switches(world)
    looks = lookalikes.make_all(world)
    cases = inject_all(world)
    money.resolve_all(world)
    money.allocate_budgets(world)
    cases += inject_budgets(world)
    looks += lookalikes.near_budget(world, {c for case in cases for c in case.ids.counties})
    emit_master.plan_late_agencies(world)
    emit_master.plan_later_budgets(world)
    truthfile.number(cases, looks)
    return world, cases, looks


def generate(persons: int, seed: int, out: str | Path, truth: str | Path | None = None,
             progress: Callable[[int, int], None] | None = None,
             rules: str | Path | None = None) -> GenerateSummary:
    """Write a synthetic city of ``persons`` residents as JSON Lines, its truth and rules files.

    Same ``(persons, seed)``, same bytes. ``truth`` defaults to ``out`` with its suffix
    replaced by ``.truth.json``, ``rules`` to ``.rules.toml`` (only what the city publishes);
    ``progress(done, total)`` counts residents' share of days.
    """
    started = time.perf_counter()
    out = Path(out)
    truth_file = Path(truth) if truth is not None else default_truth_path(out)
    rules_file = Path(rules) if rules is not None else default_rules_path(out)
    world, cases, looks = plan(persons, seed)
    ctx = Ctx(world, seed)
    events = write_events(ctx, agenda.build(world), out, progress, persons)
    truthfile.write(truth_file, seed=seed, persons=persons, events=events, cases=cases, looks=looks,
                    policy=world.policy.summary())
    rules_file.write_text(world.policy.rules_toml(), encoding="utf-8")
    return GenerateSummary(
        events=events,
        persons=len(world.persons),
        by_type=dict(sorted(ctx.counts.items())),
        injected=len(cases),
        lookalikes=len(looks),
        out=out,
        truth=truth_file,
        rules=rules_file,
        seconds=round(time.perf_counter() - started, 3),
        classes=len(world.classes),
        institutions=len(world.institutions),
    )
