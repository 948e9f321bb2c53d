"""Cases: the list by state, one case with its history, notes and attachments, and each
step's form (investigators only; a step its state does not allow comes back as a note).

A note's file is kept by its SHA-256 in the files folder (``services.attachments``)
and named in the note's event; it is downloaded through the API, by a role that
sees personal data in full.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from casework.workflow import ALLOWED
from engine.errors import SkillauditError
from services import attachments, cases
from web.access import Seen, SeenDep
from web.auth import CaseWorker, Reader
from web.pages.queue import SEVERITY_WORDS, STATE_WORDS
from web.pages.render import back_to, render
from web.params import AsOfDep, PageDep, Unmask

router = APIRouter(include_in_schema=False)
CaseId = Annotated[str, Path(min_length=1, max_length=220)]
Why = Annotated[str, Form(max_length=4000)]
STEP_WORDS = {"CaseOpened": ("立案", "Opened"), "CaseAssigned": ("分派", "Assigned"),
              "CaseConfirmed": ("认定违规", "Confirmed"), "CaseDismissed": ("排除", "Dismissed"),
              "CaseNoteAdded": ("备注", "Note"), "CaseRecoveryLinked": ("关联追回", "Recovery"),
              "CaseClosed": ("结案", "Closed"), "CaseReopened": ("事实变化", "Reopened")}
ROLE_WORDS = {"investigator": ("调查员", "investigator"), "finance": ("财务", "finance"),
              "inspector": ("督查员", "inspector"), "admin": ("管理员", "admin")}
DONE = {"assign": "已分派 / Assigned", "confirm": "已认定违规 / Confirmed",
        "dismiss": "已排除 / Dismissed", "note": "已添加备注 / Note added",
        "recover": "已关联追回 / Recovery linked", "close": "已结案 / Closed"}


@router.get("/cases", response_class=HTMLResponse)
async def cases_page(request: Request, actor: Reader, as_of: AsOfDep, page: PageDep,
                     state: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    states = [state] if state in STATE_WORDS and state != "none" else None
    records = await run_in_threadpool(cases.list_cases, request.app.state.wb, actor,
                                      states=states, as_of=as_of)
    shown = records[page.offset:page.offset + page.limit]
    base = f"/cases?state={states[0]}&" if states else "/cases?"
    return await render(request, "casework/cases.html", {
        "cases": shown, "total": len(records), "offset": page.offset, "state": state,
        "previous": f"{base}offset={max(0, page.offset - page.limit)}" if page.offset else None,
        "next": f"{base}offset={page.offset + page.limit}"
        if page.offset + page.limit < len(records) else None,
        "states": {k: v for k, v in STATE_WORDS.items() if k != "none"},
        "severities": SEVERITY_WORDS})


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: CaseId, actor: Reader, seen: SeenDep,
                    as_of: AsOfDep, unmask: Unmask = False) -> HTMLResponse:
    detail = await run_in_threadpool(cases.show_case, request.app.state.wb, actor, case_id,
                                     unmask=unmask, as_of=as_of)
    seen.view("case", [detail["case_id"]], unmasked=actor.unmasked(unmask))
    notes = [s for s in detail["history"] if s["type"] == "CaseNoteAdded"]
    return await render(request, "casework/case.html", {
        "c": detail, "notes": notes, "unmask": unmask,
        "allowed": {step for step, states in ALLOWED.items() if detail["state"] in states},
        "states": STATE_WORDS, "severities": SEVERITY_WORDS, "steps": STEP_WORDS,
        "roles": ROLE_WORDS})


async def _step(request: Request, seen: Seen, case_id: str, action: str,
                take: Callable[..., cases.StepDone], *args: Any) -> RedirectResponse:
    """Take one step; back to the case with what was done, or why it was refused."""
    try:
        step = await run_in_threadpool(take, request.app.state.wb, *args)
    except SkillauditError as exc:
        return back_to(f"/cases/{case_id}", failed=str(exc))
    seen.note(f"case.{action}", "case", [step.case_id])
    return back_to(f"/cases/{step.case_id}", done=DONE[action])


@router.post("/cases/{case_id}/assign")
async def assign(request: Request, case_id: CaseId, actor: CaseWorker, seen: SeenDep,
                 assignee: Annotated[str, Form(min_length=1, max_length=200)],
                 reason: Why = "") -> RedirectResponse:
    return await _step(request, seen, case_id, "assign", cases.assign, actor, case_id,
                       assignee.strip(), reason.strip() or None)


@router.post("/cases/{case_id}/confirm")
async def confirm(request: Request, case_id: CaseId, actor: CaseWorker, seen: SeenDep,
                  reason: Why = "") -> RedirectResponse:
    return await _step(request, seen, case_id, "confirm", cases.confirm, actor, case_id,
                       reason)


@router.post("/cases/{case_id}/dismiss")
async def dismiss(request: Request, case_id: CaseId, actor: CaseWorker, seen: SeenDep,
                  reason: Why = "") -> RedirectResponse:
    return await _step(request, seen, case_id, "dismiss", cases.dismiss, actor, case_id,
                       reason)


@router.post("/cases/{case_id}/notes")
async def note(request: Request, case_id: CaseId, actor: CaseWorker, seen: SeenDep,
               text: Annotated[str, Form(min_length=1, max_length=4000)],
               file: Annotated[UploadFile | None, File()] = None) -> RedirectResponse:
    """A note, with the file chosen (if any) kept by its hash and named in the note."""
    files = []
    if file is not None and file.filename:
        data = await file.read(attachments.MAX_BYTES + 1)
        folder = FilePath(request.app.state.settings.files_dir) / "attachments"
        try:
            kept = await run_in_threadpool(attachments.keep_file, actor, folder, data,
                                           file.filename, file.content_type)
        except SkillauditError as exc:
            return back_to(f"/cases/{case_id}", failed=str(exc))
        seen.note("case.upload", "attachment", [kept["sha256"]], detail=kept["name"])
        files.append(kept)
    return await _step(request, seen, case_id, "note", cases.note, actor, case_id, text,
                       files)


@router.post("/cases/{case_id}/recover")
async def recover(request: Request, case_id: CaseId, actor: CaseWorker, seen: SeenDep,
                  recovery_event_id: Annotated[str, Form(max_length=200)] = "",
                  reason: Why = "") -> RedirectResponse:
    return await _step(request, seen, case_id, "recover", cases.recover, actor, case_id,
                       recovery_event_id.strip() or None, reason.strip() or None)


@router.post("/cases/{case_id}/close")
async def close(request: Request, case_id: CaseId, actor: CaseWorker, seen: SeenDep,
                reason: Why = "") -> RedirectResponse:
    return await _step(request, seen, case_id, "close", cases.close, actor, case_id,
                       reason.strip() or None)
