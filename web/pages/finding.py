"""One finding: its explanation, the events it rests on, the findings linked to it by the
same persons or institution, its case (or the form to open one) and its evidence pack.

Masked unless a role that may asks (``unmask=true``, logged). Persons are linked by
``person_href``: the page's links hold no ID number even when its text shows one.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from engine.errors import SkillauditError
from engine.privacy import mask_person_id
from evidence.summary import fields_line
from services import cases
from services.actor import Actor, Permission
from services.finding_queue import (
    FindingQuery,
    finding_evidence,
    finding_persons,
    query_findings,
    show_finding,
)
from web.access import SeenDep
from web.api.evidence import Build, build_kept, pack_meta
from web.auth import CaseWorker, EvidenceMaker, Reader
from web.pages.queue import CATEGORIES, SEVERITY_WORDS, STATE_WORDS
from web.pages.refs import person_href
from web.pages.render import back_to, render
from web.params import AsOfDep, Unmask

router = APIRouter(include_in_schema=False)
FindingId = Annotated[str, Path(min_length=1, max_length=200)]
Why = Annotated[str, Form(max_length=4000)]
LINKED = 20  # findings listed per person or institution


def _linked(wb: Any, actor: Actor, rec: dict[str, Any], persons: list[str], as_of: Any,
            unmask: bool) -> list[dict[str, Any]]:
    """Other current findings naming one of the same persons or institutions."""
    found: dict[str, dict[str, Any]] = {}
    asks = [FindingQuery(person=p) for p in persons[:LINKED]]
    asks += [FindingQuery(institution=i) for i in rec["institution_ids"][:LINKED]]
    for q in asks:
        got = query_findings(wb, actor, q, as_of=as_of, limit=LINKED, unmask=unmask)
        for r in got.records:
            if r["finding_id"] != rec["finding_id"]:
                r["by"] = "person" if q.person else "institution"
                found.setdefault(r["finding_id"], r)
    return list(found.values())


def _pack(request: Request, actor: Actor, finding_id: str, pack: str | None
          ) -> dict[str, Any] | None:
    """A pack of this finding built here, named by the page's address, if this role may
    download it."""
    if not pack or not re.fullmatch(r"[0-9a-f]{32}", pack) or not actor.may(Permission.EVIDENCE):
        return None
    try:
        meta = pack_meta(request, pack, actor)
    except SkillauditError:
        return None
    return meta if meta["finding_id"] == finding_id else None


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
async def finding_page(request: Request, finding_id: FindingId, actor: Reader, seen: SeenDep,
                       as_of: AsOfDep, unmask: Unmask = False,
                       pack: Annotated[str | None, Query(max_length=40)] = None
                       ) -> HTMLResponse:
    wb = request.app.state.wb
    rec = await run_in_threadpool(show_finding, wb, actor, finding_id, as_of=as_of,
                                  unmask=unmask)
    shown = actor.unmasked(unmask)
    persons = await run_in_threadpool(finding_persons, wb, actor, finding_id, as_of=as_of)
    events = await run_in_threadpool(finding_evidence, wb, actor, finding_id, as_of=as_of,
                                     unmask=unmask)
    linked = await run_in_threadpool(_linked, wb, actor, rec, persons, as_of, unmask)
    seen.view("finding", [finding_id], unmasked=shown)
    # each person as this page shows them, and the link that holds no ID number
    people = [{"shown": p if shown else mask_person_id(p), "href": person_href(request, p)}
              for p in persons]
    by_shown = {p["shown"]: p["href"] for p in people}
    timeline = [{"type": e.type, "at": e.occurred_at, "event_id": e.event_id,
                 "summary": fields_line(e.data),
                 "person": by_shown.get(str(e.data.get("person_id", "")))} for e in events]
    return await render(request, "casework/finding.html", {
        "f": rec, "people": people, "timeline": timeline, "linked": linked,
        "unmask": shown, "pack": _pack(request, actor, finding_id, pack),
        "categories": CATEGORIES, "severities": SEVERITY_WORDS, "states": STATE_WORDS})


@router.post("/findings/{finding_id}/case")
async def open_case(request: Request, finding_id: FindingId, actor: CaseWorker,
                    seen: SeenDep, reason: Why = "") -> RedirectResponse:
    """Open the finding's case (or re-open a dismissed one, with a reason): to the case."""
    try:
        step = await run_in_threadpool(cases.open_case, request.app.state.wb, actor,
                                       finding_id, reason.strip() or None)
    except SkillauditError as exc:
        return back_to(f"/findings/{finding_id}", failed=str(exc))
    seen.note("case.open", "case", [step.case_id])
    return back_to(f"/cases/{step.case_id}", done="已立案 / Case opened")


@router.post("/findings/{finding_id}/evidence")
async def build_pack(request: Request, finding_id: FindingId, actor: EvidenceMaker,
                     seen: SeenDep, unmask: Annotated[bool, Form()] = False
                     ) -> RedirectResponse:
    """Build the finding's evidence pack; back to the finding with its download link."""
    actor.unmasked(unmask)
    try:
        meta = await run_in_threadpool(build_kept, request, actor,
                                       Build(finding_id=finding_id, unmask=unmask))
    except SkillauditError as exc:
        return back_to(f"/findings/{finding_id}", failed=str(exc))
    seen.note("evidence.build", "finding", [meta["finding_id"]], unmasked=unmask,
              detail=f"pack {meta['pack_id']}")
    return back_to(f"/findings/{finding_id}", pack=meta["pack_id"],
                   done=f"证据包已生成({meta['events']} 个事件) / Evidence pack built "
                        f"({meta['events']} events)")
