"""The access log's page, for admins: filters (account, subject, action, outcome, days),
newest first, a page at a time, and the export of what the filters select."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from services.access import access_log
from services.workbench import as_of
from web.api.access import Text, since_of
from web.auth import AccessReader
from web.pages.render import render
from web.params import PageDep

router = APIRouter(include_in_schema=False)
Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]


@router.get("/access", response_class=HTMLResponse)
async def access_page(request: Request, actor: AccessReader, page: PageDep,
                      by: Text = None, subject_id: Text = None, action: Text = None,
                      outcome: Literal["ok", "refused", "failed", ""] = "",
                      since_day: Day = None, as_of_day: Day = None
                      ) -> HTMLResponse:
    wanted = {"by": by or None, "subject_id": subject_id or None, "action": action or None,
              "outcome": outcome or None, "since_day": since_day or None,
              "as_of_day": as_of_day or None}
    wb = request.app.state.wb

    def read() -> tuple[int, list[dict]]:
        request.app.state.access.flush()  # what was just noted is in the log before it is read
        return access_log(wb, actor, by=wanted["by"], subject_id=wanted["subject_id"],
                          action=wanted["action"], outcome=wanted["outcome"],
                          as_of=as_of(day=wanted["as_of_day"]),
                          since=since_of(wanted["since_day"]), limit=page.limit,
                          offset=page.offset)

    total, rows = await run_in_threadpool(read)
    chosen = {k: v for k, v in wanted.items() if v}

    def at(offset: int) -> str:
        return "/access?" + urlencode({**chosen, "limit": page.limit, "offset": offset})

    return await render(request, "access.html", {
        "rows": rows, "total": total, "wanted": wanted, "page": page,
        "previous": at(max(0, page.offset - page.limit)) if page.offset > 0 else None,
        "next": at(page.offset + page.limit) if page.offset + page.limit < total else None,
        "export": "/api/access/export?" + urlencode(chosen),
        "export_jsonl": "/api/access/export?" + urlencode({**chosen, "format": "jsonl"})})
