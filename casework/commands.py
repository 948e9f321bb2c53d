"""The case steps as use-case functions: ``open_case(cmd, store, views)`` and friends.

Each function reads the case's derived state from ``views`` (which the caller
brings up to date, as ``services.workbench.Workbench.views`` does), refuses a step
out of order (``casework.workflow``) and appends one event validated like
any input. It reads nothing after writing: the new state is folded from the
steps it read plus the one it appended. The event id is the case id plus the
step's number, so two investigators racing to take the same step cannot both
succeed: the second append meets the first's id and is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import pandas as pd

from casework.errors import CaseError, StepRaced
from casework.status import case_events, case_id_for, fold, latest_facts, resolve_case_id
from casework.workflow import check_step, require_reason
from engine.events import EVENT_TYPES
from engine.events.casework import Attachment
from engine.money import to_fen, yuan_str
from engine.record import own_event
from engine.store.base import EventStore
from projections.views import Views


@dataclass(frozen=True)
class OpenCase:
    finding_id: str
    by: str
    reason: str | None = None
    role: str | None = None  # the actor's role, recorded with the step


@dataclass(frozen=True)
class AssignCase:
    case_id: str
    assignee: str
    by: str
    reason: str | None = None
    role: str | None = None  # the actor's role, recorded with the step


@dataclass(frozen=True)
class ConfirmCase:
    case_id: str
    by: str
    reason: str | None
    role: str | None = None  # the actor's role, recorded with the step


@dataclass(frozen=True)
class DismissCase:
    case_id: str
    by: str
    reason: str | None
    role: str | None = None  # the actor's role, recorded with the step


@dataclass(frozen=True)
class AddNote:
    case_id: str
    by: str
    text: str
    role: str | None = None  # the actor's role, recorded with the step
    attachments: tuple[dict[str, Any], ...] = ()  # {sha256, name, size, media_type}


@dataclass(frozen=True)
class LinkRecovery:
    case_id: str
    recovery_event_id: str | None
    by: str
    reason: str | None = None
    role: str | None = None  # the actor's role, recorded with the step


@dataclass(frozen=True)
class CloseCase:
    case_id: str
    by: str
    reason: str | None = None
    role: str | None = None  # the actor's role, recorded with the step


@dataclass(frozen=True)
class StepDone:
    """What a step appended: the event, and the case it moved."""

    case_id: str
    event_id: str
    type: str
    occurred_at: str
    state: str


# -- the steps ---------------------------------------------------------------------------------

def open_case(cmd: OpenCase, store: EventStore, views: Views,
              now: datetime | None = None) -> StepDone:
    """Open the finding's case, or re-open a dismissed one (then a reason is required)."""
    case = _load(views, case_id_for(cmd.finding_id.strip()), cmd.finding_id.strip())
    check_step("open", case.state, case.case_id)
    reason = _optional(cmd.reason)
    if case.state != "none":
        reason = require_reason(cmd.reason, "re-open")
    return _append(store, case, "CaseOpened", {
        "finding_id": case.finding_id, "by": _who(cmd.by), "reason": reason,
        "facts_digest": case.finding["facts_digest"]}, now, cmd.role)


def assign(cmd: AssignCase, store: EventStore, views: Views,
           now: datetime | None = None) -> StepDone:
    case = _load(views, resolve_case_id(cmd.case_id))
    check_step("assign", case.state, case.case_id)
    assignee = cmd.assignee.strip()
    if not assignee:
        raise CaseError("say whom to assign the case to 须指定承办人: --to NAME")
    return _append(store, case, "CaseAssigned", {
        "assignee": assignee, "by": _who(cmd.by), "reason": _optional(cmd.reason)}, now, cmd.role)


def confirm(cmd: ConfirmCase, store: EventStore, views: Views,
            now: datetime | None = None) -> StepDone:
    """The irregularity is real: recorded with the facts it was confirmed on."""
    reason = require_reason(cmd.reason, "confirm")
    case = _load(views, resolve_case_id(cmd.case_id))
    check_step("confirm", case.state, case.case_id)
    return _append(store, case, "CaseConfirmed", {
        "by": _who(cmd.by), "reason": reason, "facts_digest": case.finding["facts_digest"]},
        now, cmd.role)


def dismiss(cmd: DismissCase, store: EventStore, views: Views,
            now: datetime | None = None) -> StepDone:
    """Dismiss for the finding's current facts: new facts on a rerun reopen the case."""
    reason = require_reason(cmd.reason, "dismiss")
    case = _load(views, resolve_case_id(cmd.case_id))
    check_step("dismiss", case.state, case.case_id)
    return _append(store, case, "CaseDismissed", {
        "by": _who(cmd.by), "reason": reason, "facts_digest": case.finding["facts_digest"]},
        now, cmd.role)


def note(cmd: AddNote, store: EventStore, views: Views,
         now: datetime | None = None) -> StepDone:
    text = cmd.text.strip()
    if not text:
        raise CaseError("a note needs some text 备注不能为空")
    case = _load(views, resolve_case_id(cmd.case_id))
    check_step("note", case.state, case.case_id)
    files = [Attachment(**a) for a in cmd.attachments] or None
    return _append(store, case, "CaseNoteAdded", {"by": _who(cmd.by), "text": text,
                                                  "attachments": files}, now, cmd.role)


def link_recovery(cmd: LinkRecovery, store: EventStore, views: Views,
                  now: datetime | None = None) -> StepDone:
    """Link a stored ``PaymentRecovered`` of one of the finding's payments to the case."""
    case = _load(views, resolve_case_id(cmd.case_id))
    check_step("recover", case.state, case.case_id)
    payments = _ids(case.finding["payment_ids"])
    linked = set(case_events(views)["recovery_event_id"].dropna())
    r = pick_recovery(recoveries_of(views, payments), linked, payments, cmd.recovery_event_id)
    return _append(store, case, "CaseRecoveryLinked", {
        "payment_id": r["payment_id"], "recovery_event_id": r["event_id"],
        "amount": yuan_str(int(r["amount_fen"])), "by": _who(cmd.by),
        "reason": _optional(cmd.reason)}, now, cmd.role)


def close(cmd: CloseCase, store: EventStore, views: Views,
          now: datetime | None = None) -> StepDone:
    """Close a recovered or dismissed case; a confirmed one without recovery must say why."""
    case = _load(views, resolve_case_id(cmd.case_id))
    check_step("close", case.state, case.case_id)
    reason = _optional(cmd.reason)
    if case.state == "confirmed" and reason is None:
        raise CaseError(f"case {case.case_id} is confirmed but no recovery is linked 尚未追回: "
                        "link one (`skillaudit case recover CASE --recovery EVENT_ID`) or "
                        "close it with --reason saying why nothing is recovered")
    return _append(store, case, "CaseClosed", {"by": _who(cmd.by), "reason": reason}, now, cmd.role)


# -- recoveries --------------------------------------------------------------------------------

def recoveries_of(views: Views, payment_ids: list[str]) -> pd.DataFrame:
    """Stored ``PaymentRecovered`` events of these payments, with their event ids."""
    from findings.detection import event_ids_at

    rec = views.rows("rm_recoveries", ["position", "payment_id", "amount_fen"])
    rec = rec[rec["payment_id"].isin(payment_ids)].sort_values("position")
    ids = event_ids_at(views.engine, rec["position"].astype(int).tolist())
    return rec.assign(event_id=[ids.get(int(p)) for p in rec["position"]])


def pick_recovery(candidates: pd.DataFrame, linked: set[str], payments: list[str],
                  event_id: str | None) -> pd.Series:
    """The recovery to link: one of ``candidates`` not linked yet, or an error naming them."""
    free = candidates[~candidates["event_id"].isin(linked)]
    listing = ", ".join(f"{r.event_id} ({r.payment_id}, {yuan_str(int(r.amount_fen))})"
                        for r in free.itertuples()) or "none 无"
    if not event_id:
        raise CaseError("name the PaymentRecovered event: --recovery EVENT_ID; unlinked "
                        f"recoveries of this finding's payments 可关联的追回事件: {listing}")
    match = candidates[candidates["event_id"] == event_id]
    if match.empty:
        raise CaseError(
            f"{event_id} is not a stored PaymentRecovered of this finding's payments "
            f"({', '.join(payments) or 'it has none'}) 不是本问题所涉付款的追回事件; ingest the "
            f"recovery first (`skillaudit ingest`), or link one of: {listing}")
    if event_id in linked:
        raise CaseError(f"recovery {event_id} is already linked to a case 该追回事件已关联; "
                        "it cannot count twice")
    return match.iloc[0]


# -- what every step reads first ---------------------------------------------------------------

@dataclass
class _Case:
    case_id: str
    finding_id: str
    state: str
    events: pd.DataFrame  # this case's steps, in log order
    finding: pd.Series  # the finding's latest facts (current_findings row)
    facts: dict[str, str]  # every finding's latest facts digest


def _load(views: Views, case_id: str, finding_id: str | None = None) -> _Case:
    from findings.listing import current_findings

    findings = current_findings(views)
    facts = latest_facts(findings)
    events = case_events(views, case_id)
    folded = fold(events, facts)
    state = str(folded.loc[case_id, "state"]) if case_id in folded.index else "none"
    if finding_id is None:
        if state == "none":
            check_step("note", state, case_id)  # raises: no such case, open it first
        finding_id = str(folded.loc[case_id, "finding_id"])
    if finding_id not in findings.index:
        raise CaseError(f"no finding {finding_id} 问题不存在: list them with "
                        "`skillaudit findings --json` (run `skillaudit detect` first)")
    return _Case(case_id, finding_id, state, events, findings.loc[finding_id], facts)


def _ids(value: Any) -> list[str]:
    return json.loads(value) if isinstance(value, str) else []


def _who(by: str) -> str:
    who = (by or "").strip()
    if not who:
        raise CaseError("say who takes the step 须注明操作人: --by NAME")
    return who


def _optional(reason: str | None) -> str | None:
    return reason.strip() if reason and reason.strip() else None


def _append(store: EventStore, case: _Case, type_: str, data: dict[str, Any],
            now: datetime | None, role: str | None = None) -> StepDone:
    """Append one step; its id (case id + step number) makes a racing duplicate fail."""
    when = now if now is not None and now.tzinfo is not None else (
        now or datetime.now()).astimezone()  # naive means local: give it the local offset
    step_no = len(case.events) + 1
    event_id = f"{case.case_id}-{step_no:03d}"
    fields = {"case_id": case.case_id, "role": role,
              **{k: v for k, v in data.items() if v is not None}}
    if "amount" in fields:
        fields["amount"] = msgspec.Raw(msgspec.json.encode(fields["amount"]))
    event = own_event(EVENT_TYPES[type_](**fields), event_id=event_id, occurred_at=when,
                      source="casework", line_no=step_no)
    result = store.append([event], quarantine_conflicts=False)
    if result.conflicts:
        raise StepRaced(f"case {case.case_id} changed while this step was prepared (step "
                        f"{step_no} was recorded by someone else) 案件已被他人更新: look at "
                        f"`skillaudit case show {case.case_id}` and retry")
    occurred_at = when.replace(microsecond=0).isoformat()
    return StepDone(case.case_id, event_id, type_, occurred_at,
                    _state_after(case, type_, occurred_at, fields))


def _state_after(case: _Case, type_: str, occurred_at: str, d: dict[str, Any]) -> str:
    """The case's state with the new step folded in (no read after the write)."""
    amount = d.get("amount")
    amount = amount and msgspec.json.decode(amount)
    row = {"position": (case.events["position"].max() if len(case.events) else 0) + 1,
           "occurred_at": occurred_at, "event_type": type_,
           "case_id": case.case_id, "finding_id": d.get("finding_id"), "actor": d["by"],
           "reason": d.get("reason"), "assignee": d.get("assignee"), "text": d.get("text"),
           "facts_digest": d.get("facts_digest"), "amount_fen": to_fen(amount) if amount else 0}
    events = pd.concat([case.events, pd.DataFrame([row])], ignore_index=True)
    return str(fold(events, case.facts).loc[case.case_id, "state"])
