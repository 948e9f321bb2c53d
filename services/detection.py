"""Use cases of detection: run the detectors and record findings; list what was found."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from casework.status import with_case_state
from detectors.base import CATEGORIES
from detectors.registry import registry
from findings.changes import changes_after
from findings.changes import latest_change_position as latest_change_position_of
from findings.detection import RunReport, run_detection
from findings.listing import as_records, current_findings
from findings.runs import RunNotes, run_notes
from projections.asof import NOW, AsOf
from projections.cache import RowCache
from projections.horizon import Horizon
from projections.views import Views
from services.actor import Actor, Permission
from services.workbench import Workbench

__all__ = ["CATEGORIES", "Detected", "FindingList", "detect", "detect_cycle", "finding_changes",
           "latest_change_position", "list_findings"]


@dataclass
class Detected:
    """A run's report, and the findings it holds current, as records for this actor."""

    report: RunReport
    records: list[dict[str, Any]]


def detect(wb: Workbench, actor: Actor, *, categories: Iterable[str] | None = None,
           unmask: bool = False,
           progress: Callable[[str, int, int], None] | None = None) -> Detected:
    """Project, run every detector under the workbench's rules, record what is new."""
    actor.require(Permission.DETECT)
    unmask = actor.unmasked(unmask)
    rules = wb.rules
    with wb.store() as store:
        report = run_detection(store, wb.engine, rules, categories=categories,
                               progress=progress, actor=actor.stamp)
    frame = current_findings(Views(wb.engine))
    frame = frame[frame.index.isin(report.finding_ids)]
    return Detected(report, as_records(frame, unmask=unmask))


def detect_cycle(wb: Workbench, actor: Actor, *, codes: Iterable[str] | None = None,
                 cache: RowCache | None = None, workers: int = 1,
                 weights: dict[str, float] | None = None,
                 horizon: Horizon | None = None) -> RunReport:
    """One cycle behind a stream: the rules asked for, over what every partition has
    passed; a run record only when something was raised or withdrawn."""
    actor.require(Permission.DETECT)
    with wb.store() as store:
        return run_detection(store, wb.engine, wb.rules, codes=codes, record_unchanged=False,
                             cache=cache, workers=workers, weights=weights, horizon=horizon,
                             actor=actor.stamp)


def finding_changes(wb: Workbench, actor: Actor, after: int
                    ) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, finding id, change) for each finding raised, changed or withdrawn after
    a log position, masked (changes leave the system as alerts)."""
    actor.require(Permission.READ)
    return changes_after(wb.views(), after)


def latest_change_position(wb: Workbench, actor: Actor) -> int:
    """The position of the last finding raised or withdrawn (0: none yet)."""
    actor.require(Permission.READ)
    return latest_change_position_of(wb.views())


@dataclass
class FindingList:
    records: list[dict[str, Any]]
    notes: RunNotes = field(default_factory=RunNotes)
    as_of: AsOf = NOW


def list_findings(wb: Workbench, actor: Actor, *, as_of: AsOf = NOW,
                  categories: Iterable[str] | None = None, only_new: bool = False,
                  include_dismissed: bool = False, unmask: bool = False) -> FindingList:
    """Current findings with their case state, worst first, and the notes of their rules."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    views = wb.views(as_of)
    frame = with_case_state(current_findings(views), views, include_dismissed=include_dismissed)
    categories = list(categories or [])
    if only_new:
        frame = frame[frame["new"]]
    if categories:
        frame = frame[frame["category"].isin(categories)]
    notes = run_notes(views)
    if categories:  # the notes of the rules listed
        listed = {c for c, m in registry().items() if m.CATEGORY in categories}
        notes = RunNotes({c: g for c, g in notes.guards.items() if c in listed},
                         {c: n for c, n in notes.not_checked.items() if c in listed})
    return FindingList(as_records(frame, unmask=unmask), notes, as_of)
