"""Cases and every case step; steps are investigators' (``Permission.CASE_STEP``)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from services import attachments, cases
from web.access import SeenDep
from web.auth import CaseWorker, Reader
from web.json import FastRoute
from web.params import AsOfDep, Body, PageDep, Unmask

router = APIRouter(prefix="/api/cases", route_class=FastRoute, tags=["cases 案件"])

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


class AttachmentRef(Body):
    """A file uploaded with POST /api/cases/attachments, as that answered."""

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    size: Annotated[int, Field(ge=0)]
    media_type: Annotated[str, Field(max_length=200)] = "application/octet-stream"


class Note(Body):
    text: Why
    attachments: Annotated[list[AttachmentRef], Field(default_factory=list, max_length=20)]


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
    results = []
    for done in cases.assign_many(request.app.state.wb, actor, body.finding_ids,
                                  body.assignee, body.reason):
        if done.opened is not None:
            _done(seen, "open", done.opened)
        if done.assigned is not None:
            results.append({"finding_id": done.finding_id,
                            **_done(seen, "assign", done.assigned), "ok": True})
        else:
            results.append({"finding_id": done.finding_id, "ok": False, "error": done.error})
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


def _folder(request: Request) -> FilePath:
    return FilePath(request.app.state.settings.files_dir) / "attachments"


@router.post("/attachments", summary="upload a file to attach with a note 上传附件")
async def upload(request: Request, actor: CaseWorker, seen: SeenDep,
                 file: Annotated[UploadFile, File(description="the file 附件")]
                 ) -> dict[str, Any]:
    """Kept by its SHA-256; attach it with a note's ``attachments`` (its answer as is)."""
    data = await file.read(attachments.MAX_BYTES + 1)
    kept = await run_in_threadpool(attachments.keep_file, actor, _folder(request), data,
                                   file.filename or "attachment", file.content_type)
    seen.note("case.upload", "attachment", [kept["sha256"]], detail=kept["name"])
    return kept


@router.post("/{case_id}/notes", summary="add a note, with attachments 添加备注与附件")
def note(request: Request, case_id: CaseId, body: Note, actor: CaseWorker,
         seen: SeenDep) -> dict[str, Any]:
    files = [a.model_dump() for a in body.attachments]
    attachments.check_kept(_folder(request), files)
    return _done(seen, "note", cases.note(request.app.state.wb, actor, case_id, body.text,
                                          files))


@router.get("/{case_id}/attachments/{sha256}", summary="download an attachment 下载附件")
def attachment_file(request: Request, case_id: CaseId,
                    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], actor: Reader,
                    seen: SeenDep) -> Response:
    """Only a file a step of this case attached, checked against its hash; for roles that
    see personal data in full (a document cannot be masked)."""
    data, meta = attachments.read_attachment(request.app.state.wb, actor, _folder(request),
                                             case_id, sha256)
    seen.note("download.attachment", "case", [case_id], unmasked=True, detail=sha256)
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(meta['name'])}"})


@router.post("/{case_id}/recover", summary="link a recovery 关联追回")
def recover(request: Request, case_id: CaseId, body: Recover, actor: CaseWorker,
            seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "recover", cases.recover(request.app.state.wb, actor, case_id,
                                                body.recovery_event_id, body.reason))


@router.post("/{case_id}/close", summary="close 结案")
def close(request: Request, case_id: CaseId, body: MaybeReason, actor: CaseWorker,
          seen: SeenDep) -> dict[str, Any]:
    return _done(seen, "close", cases.close(request.app.state.wb, actor, case_id, body.reason))
