"""The rules lab's page: the rules in force, a candidate edited or uploaded, a what-if run
as of a day (nothing recorded) with its difference, and adopting it (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from services import rules_lab
from services.workbench import NOW, as_of
from web.access import SeenDep
from web.api.rules import (
    Adopter,
    RulesText,
    RulesUpload,
    candidate_of,
    in_force_json,
    note_what_if,
)
from web.auth import Reader
from web.pages.refs import person_href
from web.pages.render import back_to, me_of, render, translator
from web.pages.search import ID_NUMBER

router = APIRouter(include_in_schema=False)
Day = Annotated[str, Form(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
KINDS = {"new": ("新增", "New"), "gone": ("消失", "Gone"), "changed": ("变化", "Changed")}


def subject_href(request: Request, subject_type: str, subject_id: str) -> str | None:
    """A difference's subject as a link (a person only when its ID number is shown in full)."""
    if subject_type == "person":
        return person_href(request, subject_id) if ID_NUMBER.match(subject_id) else None
    if subject_type == "institution":
        return f"/institutions/{subject_id}"
    if subject_type in ("class", "claim", "payment", "voucher", "agency", "employer"):
        return f"/timelines/{subject_type}/{subject_id}"
    return None


@router.get("/rules-lab", response_class=HTMLResponse)
async def lab_page(request: Request, actor: Reader) -> HTMLResponse:
    shown = await run_in_threadpool(in_force_json, request, actor, NOW)
    return await render(request, "rules_lab.html", {"shown": shown, "candidate": shown["text"],
                                                    "day": "", "result": None})


@router.post("/rules-lab/what-if", response_class=HTMLResponse)
async def lab_what_if(request: Request, actor: Reader, seen: SeenDep,
                      file: RulesUpload = None, text: RulesText = None, as_of_day: Day = ""
                      ) -> HTMLResponse:
    """The difference on the page (a POST: the candidate is too long for an address)."""
    candidate, name = await candidate_of(file, text)
    point = as_of(day=as_of_day or None)
    result = await run_in_threadpool(rules_lab.what_if, request.app.state.wb, actor,
                                     candidate, as_of=point, name=name)
    note_what_if(seen, result)
    shown = await run_in_threadpool(in_force_json, request, actor, NOW)
    lists: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        rows = []
        for d in result.of_kind(kind):
            f = d["after"] or d["before"]
            rows.append({**d, "finding": f,
                         "finding_href": None if d["before"] is None else
                         f"/findings/{d['before']['finding_id']}",
                         "subject_href": subject_href(request, d["subject_type"],
                                                      d["subject_id"])})
        lists[kind] = rows
    by_rule = {code: n for code, n in result.by_rule.items()
               if n["new"] or n["gone"] or n["changed"] or code in result.guards}
    return await render(request, "rules_lab.html", {
        "shown": shown, "candidate": candidate, "day": as_of_day, "result": result,
        "lists": lists, "kinds": KINDS, "by_rule": by_rule, "name": name})


@router.post("/rules-lab/adopt")
async def lab_adopt(request: Request, actor: Adopter, seen: SeenDep,
                    text: RulesText = None) -> RedirectResponse:
    candidate, _ = await candidate_of(None, text)
    done = await run_in_threadpool(rules_lab.adopt, request.app.state.wb, actor, candidate)
    me = await me_of(request)
    tr = translator(me.lang if me else "zh")
    if not done.stored:
        return back_to("/rules-lab", done=tr(
            f"这些规则已在施行(摘要 {done.rules.digest}),未作变更。",
            f"These rules are in force already (digest {done.rules.digest}): nothing changed."))
    seen.note("adopt_rules", "rules", [done.rules.digest])
    return back_to("/rules-lab", done=tr(
        f"已启用规则 {done.rules.version},摘要 {done.rules.digest}(事件 {done.event_id})。",
        f"Rules {done.rules.version} adopted, digest {done.rules.digest} "
        f"(event {done.event_id})."))
