"""The findings queue: filters, sort, pages, counts, bulk assignment and the export link.

The filters are the API's (``/api/findings``), by the same names, so the export
link carries them as they are. A form sends every field, blank ones too: a blank
field means "any", and a value outside a field's choices is refused.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool

from engine.errors import UsageError
from services import cases
from services.finding_queue import SEVERITIES, SORTS, FindingQuery, query_findings
from services.workbench import as_of
from web.access import SeenDep
from web.auth import CaseWorker, Reader
from web.pages.render import render

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
CATEGORIES = {"duplicate_training": ("重复培训", "Duplicate training"),
              "ineffective_training": ("无效培训", "Ineffective training"),
              "subsidy_fraud": ("骗取补贴", "Subsidy fraud"),
              "compliance": ("合规", "Compliance")}
SEVERITY_WORDS = {"critical": ("严重", "Critical"), "high": ("高", "High"),
                  "medium": ("中", "Medium"), "low": ("低", "Low")}
STATE_WORDS = {"none": ("未立案", "No case"), "open": ("已立案", "Open"),
               "assigned": ("已分派", "Assigned"), "confirmed": ("已认定", "Confirmed"),
               "dismissed": ("已排除", "Dismissed"), "reopened": ("事实变化待复核", "Reopened"),
               "recovered": ("已追回", "Recovered"), "closed": ("已结案", "Closed")}
SORT_WORDS = {"severity": ("严重程度", "Severity"), "amount": ("金额", "Amount"),
              "detected": ("检出时间", "Detected"),
              "first_detected": ("首次检出", "First detected"),
              "code": ("规则", "Rule")}
LISTS = {"category": CATEGORIES, "severity": SEVERITY_WORDS, "state": STATE_WORDS}
TEXTS = ("code", "county", "institution")
DAYS = ("detected_from", "detected_to", "as_of_day")
FLAGS = ("new", "include_dismissed")
KEPT = (*LISTS, *TEXTS, *DAYS, *FLAGS, "sort", "order")  # what the queue's address carries
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Ids = Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None,
                Form(max_length=500)]


def kept_params(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The queue's own parameters of a query, blank ones left out."""
    return [(k, v.strip()) for k, v in pairs if k in KEPT and v.strip()][:100]


def query_of(pairs: list[tuple[str, str]]) -> tuple[FindingQuery, str | None]:
    """The filters and the as-of day a queue address asks for (refused when malformed)."""
    got: dict[str, list[str]] = {}
    for k, v in kept_params(pairs):
        if len(v) > 80:
            raise UsageError(f"{k} is at most 80 characters 过长")
        got.setdefault(k, []).append(v)
    for name, choices in LISTS.items():
        for v in got.get(name, []):
            if v not in choices:
                raise UsageError(f"{name} {v!r} is not one of {', '.join(choices)} 取值无效")
    for name in DAYS:
        for v in got.get(name, []):
            if not DAY.match(v):
                raise UsageError(f"{name} {v!r} is not a date YYYY-MM-DD 日期格式应为年-月-日")
    sort = (got.get("sort") or ["severity"])[0]
    if sort not in SORTS:
        raise UsageError(f"sort {sort!r} is not one of {', '.join(SORTS)} 排序字段无效")
    order = (got.get("order") or [""])[0]
    one = {k: (got.get(k) or [None])[0] for k in (*TEXTS, *DAYS)}
    q = FindingQuery(tuple(got.get("category", [])), tuple(got.get("code", [])),
                     tuple(got.get("severity", [])), tuple(got.get("county", [])),
                     one["institution"], None, tuple(got.get("state", [])),
                     one["detected_from"], one["detected_to"],
                     "new" in got, "include_dismissed" in got, sort,
                     None if order not in ("asc", "desc") else order == "desc")
    return q, one["as_of_day"]


@router.get("/queue", response_class=HTMLResponse)
async def queue_page(request: Request, actor: Reader, seen: SeenDep) -> HTMLResponse:
    pairs = list(request.query_params.multi_items())
    q, day = query_of(pairs)
    try:
        offset = max(0, min(int(request.query_params.get("offset") or 0), 10**9))
    except ValueError:
        raise UsageError("offset must be a whole number 页码无效") from None
    got = await run_in_threadpool(query_findings, request.app.state.wb, actor, q,
                                  as_of=as_of(day=day), limit=PER_PAGE, offset=offset)
    seen.view("finding", [r["finding_id"] for r in got.records], unmasked=False)
    params = kept_params(pairs)
    chosen: dict[str, list[str]] = {}
    for k, v in params:
        chosen.setdefault(k, []).append(v)

    def page_at(at: int) -> str:
        return "/queue?" + urlencode([*params, ("offset", str(at))])

    return await render(request, "casework/queue.html", {
        "got": got, "offset": offset, "per_page": PER_PAGE, "chosen": chosen,
        "here": urlencode([*params, ("offset", str(offset))]),
        "previous": page_at(max(0, offset - PER_PAGE)) if offset > 0 else None,
        "next": page_at(offset + PER_PAGE) if offset + PER_PAGE < got.total else None,
        "export": "/api/findings/export?" + urlencode(params),
        "categories": CATEGORIES, "severities": {s: SEVERITY_WORDS[s] for s in SEVERITIES},
        "states": STATE_WORDS, "sorts": SORT_WORDS})


@router.post("/queue/assign")
async def queue_assign(request: Request, actor: CaseWorker, seen: SeenDep,
                       assignee: Annotated[str, Form(min_length=1, max_length=200)],
                       finding_id: Ids = None,
                       back: Annotated[str, Form(max_length=4000)] = "",
                       ) -> RedirectResponse:
    """Open (where none) and assign the case of every finding ticked; back to the queue
    with how many were assigned and which failed."""
    params = [(k, v) for k, v in kept_params(parse_qsl(back)) if k != "done"]
    offset = dict(parse_qsl(back)).get("offset", "")
    if offset.isdigit():
        params.append(("offset", offset))
    notes = [("failed", "没有勾选问题线索 / No finding was ticked")]
    if finding_id:
        done = await run_in_threadpool(cases.assign_many, request.app.state.wb, actor,
                                       finding_id, assignee.strip())
        for d in done:
            if d.opened is not None:
                seen.note("case.open", "case", [d.opened.case_id])
            if d.assigned is not None:
                seen.note("case.assign", "case", [d.assigned.case_id])
        ok = sum(d.ok for d in done)
        failed = [d for d in done if not d.ok]
        notes = [("done", f"已分派 {ok} 条 / {ok} assigned")]
        if failed:
            why = "; ".join(f"{d.finding_id}: {d.error}" for d in failed[:5])
            notes.append(("failed", f"{len(failed)} 条失败 / {len(failed)} failed: {why}"[:1500]))
    return RedirectResponse("/queue?" + urlencode([*params, *notes]), status_code=303)
