"""Use cases that read: read models brought up to date, timelines, profiles, ledger, plan.

Each reads as of a point (``projections.asof.AsOf``: a recording time, a log
position, or now) and masks personal data unless the actor may see it and
asked to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.errors import NotFound
from engine.privacy import mask_person_id
from projections.asof import NOW, AsOf
from projections.ledger import ledger as ledger_frame
from projections.plan import Targets, TargetWarning, check_targets, completion, dispatch
from projections.projector import Projector, ProjectSummary
from projections.queries import institution_report, person_report
from projections.timeline import TimelineEntry
from projections.timeline import timeline as timeline_entries
from services.actor import Actor, Permission
from services.workbench import Workbench


def project(wb: Workbench, actor: Actor, *, rebuild: bool = False, jobs: int | None = None,
            progress: Callable[[int, int, int], None] | None = None) -> ProjectSummary:
    """Apply new events to the read models (or rebuild them from position 0)."""
    actor.require(Permission.PROJECT if rebuild else Permission.READ)
    return Projector(wb.engine).run(rebuild=rebuild, jobs=jobs, progress=progress)


@dataclass(frozen=True)
class Timeline:
    kind: str
    shown_id: str  # the subject's id as this actor may see it
    as_of: AsOf
    entries: list[TimelineEntry]


def timeline(wb: Workbench, actor: Actor, kind: str, subject_id: str, *, as_of: AsOf = NOW,
             unmask: bool = False) -> Timeline:
    """Every event about a subject visible as of a point, in log order."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    views = wb.views(as_of)
    entries = timeline_entries(views.engine, kind, subject_id, as_of=as_of, unmask=unmask)
    shown = subject_id if unmask or kind != "person" else mask_person_id(subject_id)
    if not entries:
        raise NotFound(f"no such {kind} {shown}: no event names it as of {as_of.label} "
                       "查无此对象")
    return Timeline(kind, shown, as_of, entries)


def person(wb: Workbench, actor: Actor, person_id: str, *, as_of: AsOf = NOW,
           unmask: bool = False) -> dict[str, Any]:
    """A person's registration, trainings, outcomes and subsidies."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    report = person_report(wb.views(as_of), person_id, unmask=unmask)
    if _unknown(report, "person"):
        shown = person_id if unmask else mask_person_id(person_id)
        raise NotFound(f"no such person {shown}: no event names them 查无此人")
    return report


def institution(wb: Workbench, actor: Actor, institution_id: str, *,
                as_of: AsOf = NOW) -> dict[str, Any]:
    """An institution's profile, classes, pass and employment rates and money received."""
    actor.require(Permission.READ)
    report = institution_report(wb.views(as_of), institution_id)
    if _unknown(report, "institution"):
        raise NotFound(f"no such institution {institution_id}: no event names it 查无此机构")
    return report


def _unknown(report: dict[str, Any], kind: str) -> bool:
    """No registration and nothing else about the subject: an id the store does not know."""
    return not report[kind].get("known") and not any(
        v for v in report.values() if isinstance(v, list))


def ledger(wb: Workbench, actor: Actor, *, county: str | None = None, year: int | None = None,
           as_of: AsOf = NOW) -> pd.DataFrame:
    """The fund ledger per county × programme × year, money in fen."""
    actor.require(Permission.READ)
    return ledger_frame(wb.views(as_of), county, year)


@dataclass(frozen=True)
class PlanResult:
    frame: pd.DataFrame
    warnings: list[TargetWarning]
    as_of: AsOf


def plan(wb: Workbench, actor: Actor, targets: Targets, *, as_of: AsOf = NOW,
         dispatch_on: str | None = None, for_dispatch: bool = False) -> PlanResult:
    """Plan completion ranked per county, or the biweekly dispatch table."""
    actor.require(Permission.READ)
    views = wb.views(as_of)
    warnings = check_targets(views, targets)
    frame = dispatch(views, targets, dispatch_on) if for_dispatch else completion(views, targets)
    return PlanResult(frame, warnings, as_of)
