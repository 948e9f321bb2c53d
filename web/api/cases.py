"""Cases and every case step; steps are investigators' (``Permission.CASE_STEP``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from engine.errors import SkillauditError
from services import cases
from web.access import SeenDep
from web.auth import CaseWorker, Reader
from web.params import AsOfDep, Body, PageDep, Unmask

router = APIRouter(prefix="/api/cases", tags=["cases 案件"])

CaseId = Annotated[str, Path(min_length=1, max_length=220, description="case-… or a finding id")]
Why = Annotated[str, Field(min_length=1, max_length=4000)]
State = Literal["open", "assigned", "confirmed", "dismissed", "reopened", "recovered", "closed"]


class Open(Body):
    finding_id: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Why | None = None


class Assign(Body):
    assignee: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Why | None = None


class BulkAssign(Assign):
    finding_ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]],
                           Field(min_length=1, max_length=500)]


class Reason(Body):
    reason: Why


class MaybeReason(Body):
    reason: Why | None = None


class Note(Body):
    text: Why


class Recover(Body):
    recovery_event_id: Annotated[str | None, Field(max_length=200)] = None
    reason: Why | None = None


def _done(seen: Any, action: str, step: cases.StepDone) -> dict[str, Any]:
    seen.note(f"case.{action}", "case", [step.case_id])
    return {"case_id": step.case_id, "event_id": step.event_id, "type": step.type,
            "occurred_at": step.occurred_at, "state": step.state}


@router.get("", summary="cases 案件列表")
def list_cases(request: Request, actor: Reader, seen: SeenDep, page: PageDep,
               as_of: AsOfDep, state: Annotated[list[State] | None, Query()] = None,
               unmask: Unmask = False) -> dict[str, Any]:
    records = cases.list_cases(request.app.state.wb, actor, states=list(state or []) or None,
                               unmask=unmask, as_of=as_of)
    shown = records[page.offset:page.offset + page.limit]
    seen.view("case", [r["case_id"] for r in shown], unmasked=unmask)
    return {"total": len(records), "limit": page.limit, "offset": page.offset, "cases": shown}


@router.get("/{case_id}", summary="one case and its history 案件详情")
def one_case(request: Request, case_id: CaseId, actor: Reader, seen: SeenDep,
             as_of: AsOfDep, unmask: Unmask = False) -> dict[str, Any]:
    detail = cases.show_case(request.app.state.wb, actor, case_id, unmask=unmask, as_of=as_of)
    seen.view("case", [detail["case_id"]], unmasked=unmask)
    return detail


@router.post("", summary="open a case on a finding 立案")
def open_case(request: Request, body: Open, actor: CaseWorker, seen: SeenDep
              ) -> dict[str, Any]:
    return _done(seen, "open", cases.open_case(request.app.state.wb, actor, body.finding_id,
                                               body.reason))


@router.post("/assign", summary="open (where needed) and assign many findings' cases 批量分派")
def bulk_assign(request: Request, body: BulkAssign, actor: CaseWorker, seen: SeenDep
                ) -> dict[str, Any]:
    """Each finding's case is opened if it has none, then assigned; one result per finding
    (a step its case's state does not allow is reported, the others go on)."""
    wb = request.app.state.wb
    results = []
    for fid in dict.fromkeys(body.finding_ids):
        try:
            try:
                cases.show_case(wb, actor, fid)
            except SkillauditError:
                _done(seen, "open", cases.open_case(wb, actor, fid, body.reason))
            step = cases.assign(wb, actor, fid, body.assignee, body.reason)
            results.append({"finding_id": fid, **_done(seen, "assign", step), "ok": True})
        except SkillauditError as exc:
            results.append({"finding_id": fid, "ok": False, "error": str(exc)})
    return {"assigned": sum(r["ok"] for r in results), "results": results}


@router.post("/{case_id}/assign", summary="assign 分派")
def assign(request: Request, case_id: CaseId, body: Assign, actor: CaseWorker,
           seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "assign", cases.assign(request.app.state.wb, actor, case_id,
                                              body.assignee, body.reason))


@router.post("/{case_id}/confirm", summary="confirm 确认违规")
def confirm(request: Request, case_id: CaseId, body: Reason, actor: CaseWorker,
            seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "confirm", cases.confirm(request.app.state.wb, actor, case_id,
                                                body.reason))


@router.post("/{case_id}/dismiss", summary="dismiss 排除")
def dismiss(request: Request, case_id: CaseId, body: Reason, actor: CaseWorker,
            seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "dismiss", cases.dismiss(request.app.state.wb, actor, case_id,
                                                body.reason))


@router.post("/{case_id}/notes", summary="add a note 添加备注")
def note(request: Request, case_id: CaseId, body: Note, actor: CaseWorker,
         seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "note", cases.note(request.app.state.wb, actor, case_id, body.text))


@router.post("/{case_id}/recover", summary="link a recovery 关联追回")
def recover(request: Request, case_id: CaseId, body: Recover, actor: CaseWorker,
            seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "recover", cases.recover(request.app.state.wb, actor, case_id,
                                                body.recovery_event_id, body.reason))


@router.post("/{case_id}/close", summary="close 结案")
def close(request: Request, case_id: CaseId, body: MaybeReason, actor: CaseWorker,
          seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "close", cases.close(request.app.state.wb, actor, case_id, body.reason))
