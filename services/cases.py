"""Use cases of the investigators' casework: list and show cases, and take each step.

Only a role that may take case steps takes them; the step records the actor's
name and role. Reading cases is open to every role, masked unless the actor
may see personal data and asked to.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from casework import commands as steps
from casework.errors import StepRaced
from casework.listing import case_detail, case_records
from casework.status import resolve_case_id
from engine.errors import NotFound, SkillauditError
from projections.asof import NOW, AsOf
from services.actor import Actor, Permission
from services.workbench import Workbench

StepDone = steps.StepDone
NOTE_TRIES = 10


def list_cases(wb: Workbench, actor: Actor, *, states: list[str] | None = None,
               unmask: bool = False, as_of: AsOf = NOW) -> list[dict[str, Any]]:
    actor.require(Permission.READ)
    return case_records(wb.views(as_of), states=states, unmask=actor.unmasked(unmask))


def show_case(wb: Workbench, actor: Actor, case: str, *, unmask: bool = False,
              as_of: AsOf = NOW) -> dict[str, Any]:
    """One case (by its id or its finding's) with its history: who, when, why."""
    actor.require(Permission.READ)
    case_id = resolve_case_id(case)
    detail = case_detail(wb.views(as_of), case_id, unmask=actor.unmasked(unmask))
    if detail is None:
        raise NotFound(f"no case {case_id} 案件不存在; see `skillaudit case list`")
    return detail


def _take(wb: Workbench, actor: Actor, step: Any, run: Any) -> StepDone:
    actor.require(Permission.CASE_STEP)
    with wb.store() as store:
        return run(step, store, wb.views())


def open_case(wb: Workbench, actor: Actor, finding_id: str, reason: str | None = None
              ) -> StepDone:
    """Open the finding's case, or re-open a dismissed one (then a reason is required)."""
    return _take(wb, actor, steps.OpenCase(finding_id, actor.name, reason, actor.role.value),
                 steps.open_case)


def assign(wb: Workbench, actor: Actor, case_id: str, assignee: str,
           reason: str | None = None) -> StepDone:
    return _take(wb, actor, steps.AssignCase(case_id, assignee, actor.name, reason,
                                             actor.role.value), steps.assign)


def confirm(wb: Workbench, actor: Actor, case_id: str, reason: str | None) -> StepDone:
    return _take(wb, actor, steps.ConfirmCase(case_id, actor.name, reason, actor.role.value),
                 steps.confirm)


def dismiss(wb: Workbench, actor: Actor, case_id: str, reason: str | None) -> StepDone:
    return _take(wb, actor, steps.DismissCase(case_id, actor.name, reason, actor.role.value),
                 steps.dismiss)


def note(wb: Workbench, actor: Actor, case_id: str, text: str,
         attachments: Sequence[dict[str, Any]] = ()) -> StepDone:
    """Add a note (with the files it attaches: ``services.attachments``); one racing
    another step is simply added after it (a note decides nothing, so it need not be
    reviewed against what was recorded meanwhile)."""
    step = steps.AddNote(case_id, actor.name, text, actor.role.value, tuple(attachments))
    for attempt in range(NOTE_TRIES):
        try:
            return _take(wb, actor, step, steps.note)
        except StepRaced:
            if attempt == NOTE_TRIES - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05 * (attempt + 1)))
    raise AssertionError("unreachable")


def recover(wb: Workbench, actor: Actor, case_id: str, recovery_event_id: str | None,
            reason: str | None = None) -> StepDone:
    return _take(wb, actor, steps.LinkRecovery(case_id, recovery_event_id, actor.name, reason,
                                               actor.role.value), steps.link_recovery)


def close(wb: Workbench, actor: Actor, case_id: str, reason: str | None = None) -> StepDone:
    return _take(wb, actor, steps.CloseCase(case_id, actor.name, reason, actor.role.value),
                 steps.close)


@dataclass(frozen=True)
class Assigned:
    """What assigning one finding's case did: the steps taken, or why it failed."""

    finding_id: str
    opened: StepDone | None = None  # its case was opened first (it had none)
    assigned: StepDone | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def assign_many(wb: Workbench, actor: Actor, finding_ids: Iterable[str], assignee: str,
                reason: str | None = None) -> list[Assigned]:
    """Assign each finding's case to ``assignee``, opening it first where it has none.

    One result per finding (duplicates once): a step its case's state does not allow
    is reported and the others go on.
    """
    actor.require(Permission.CASE_STEP)
    results = []
    for fid in dict.fromkeys(finding_ids):
        opened = None
        try:
            try:
                show_case(wb, actor, fid)
            except SkillauditError:
                opened = open_case(wb, actor, fid, reason)
            results.append(Assigned(fid, opened, assign(wb, actor, fid, assignee, reason)))
        except SkillauditError as exc:
            results.append(Assigned(fid, opened, error=str(exc)))
    return results
