"""The access log, for admins: a page of it, or all of it as CSV or JSON Lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from engine.errors import UsageError
from services.access import COLUMNS, access_log, iter_access_log
from services.workbench import AsOf, as_of
from web.access import SeenDep
from web.auth import AccessReader
from web.downloads import MEDIA, disposition
from web.json import FastRoute
from web.params import AsOfDep, PageDep

router = APIRouter(prefix="/api/access", route_class=FastRoute, tags=["access log 访问日志"])

Text = Annotated[str | None, Query(max_length=200)]
SinceDay = Annotated[str | None, Query(
    max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$",
    description="only what was recorded from this day on, Beijing time (YYYY-MM-DD) 起始日期")]


def since_of(day: str | None) -> AsOf | None:
    """What was recorded before ``day`` (Beijing time) ends at the end of the day before."""
    if day is None:
        return None
    try:
        before = date.fromisoformat(day) - timedelta(days=1)
    except ValueError:
        raise UsageError(f"day {day!r} is not a date YYYY-MM-DD 日期格式应为年-月-日") from None
    return as_of(day=before.isoformat())
Outcome = Literal["ok", "refused", "failed"]


@router.get("", summary="the access log, newest first 访问日志")
def page(request: Request, actor: AccessReader, as_of: AsOfDep, page: PageDep,
         by: Text = None, subject_id: Text = None, action: Text = None,
         outcome: Outcome | None = None, since_day: SinceDay = None) -> dict[str, Any]:
    request.app.state.access.flush()  # what was just noted is in the log before it is read
    total, rows = access_log(request.app.state.wb, actor, by=by, subject_id=subject_id,
                             action=action, outcome=outcome, as_of=as_of,
                             since=since_of(since_day), limit=page.limit, offset=page.offset)
    return {"total": total, "limit": page.limit, "offset": page.offset, "accesses": rows}


@router.get("/export", summary="the whole access log as a file 导出访问日志")
def export(request: Request, actor: AccessReader, seen: SeenDep, as_of: AsOfDep,
           format: Literal["csv", "jsonl"] = "csv", by: Text = None, subject_id: Text = None,
           action: Text = None, outcome: Outcome | None = None, since_day: SinceDay = None
           ) -> StreamingResponse:
    request.app.state.access.flush()
    rows = iter_access_log(request.app.state.wb, actor, by=by, subject_id=subject_id,
                           action=action, outcome=outcome, as_of=as_of,
                           since=since_of(since_day))
    seen.note("download.access_log", "access_log", [None], unmasked=True, detail=format)
    body = _csv(rows) if format == "csv" else (
        json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return StreamingResponse(body, media_type=MEDIA[format],
                             headers=disposition(f"access-log.{format}"))


def _csv(rows: Any) -> Iterator[str]:
    buf = io.StringIO()
    out = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    buf.write("\ufeff")  # opens in Excel as UTF-8
    out.writeheader()
    for n, r in enumerate(rows, 1):
        out.writerow(r)
        if n % 1000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
