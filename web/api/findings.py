"""The findings queue and one finding: filters, sort, pages, as of a point."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from findings.listing import write_findings
from services.finding_queue import FindingQuery, query_findings, show_finding
from web.access import SeenDep
from web.auth import Reader
from web.downloads import attachment
from web.json import FastRoute
from web.params import AsOfDep, PageDep, Unmask

router = APIRouter(prefix="/api/findings", route_class=FastRoute, tags=["findings 问题线索"])

Category = Literal["duplicate_training", "ineffective_training", "subsidy_fraud", "compliance"]
Severity = Literal["critical", "high", "medium", "low"]
State = Literal["none", "open", "assigned", "confirmed", "dismissed", "reopened", "recovered",
                "closed"]
SortName = Literal["severity", "amount", "detected", "first_detected", "code"]
Id = Annotated[str, Path(min_length=1, max_length=200)]
Text = Annotated[str | None, Query(max_length=200)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$",
                                  description="YYYY-MM-DD")]


async def query(
    category: Annotated[list[Category] | None, Query()] = None,
    code: Annotated[list[Annotated[str, Query(max_length=80)]] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    county: Annotated[list[Annotated[str, Query(max_length=80)]] | None, Query()] = None,
    institution: Text = None,
    person: Text = None,
    state: Annotated[list[State] | None, Query(description="case state 案件状态")] = None,
    detected_from: Day = None,
    detected_to: Day = None,
    new: bool = False,
    include_dismissed: bool = False,
    sort: SortName = "severity",
    order: Annotated[Literal["asc", "desc"] | None, Query()] = None,
) -> FindingQuery:
    """The queue's filters (each list: any of its values) and order."""
    return FindingQuery(tuple(category or ()), tuple(code or ()), tuple(severity or ()),
                        tuple(county or ()), institution, person, tuple(state or ()),
                        detected_from, detected_to, new, include_dismissed, sort,
                        None if order is None else order == "desc")


QueryDep = Annotated[FindingQuery, Depends(query)]


@router.get("", summary="the findings queue 问题线索列表")
def list_findings(request: Request, actor: Reader, seen: SeenDep, as_of: AsOfDep,
                  page: PageDep, q: QueryDep, unmask: Unmask = False) -> dict[str, Any]:
    """Current findings matching every filter given, one page of them."""
    got = query_findings(request.app.state.wb, actor, q, as_of=as_of, limit=page.limit,
                         offset=page.offset, unmask=unmask)
    seen.view("finding", [r["finding_id"] for r in got.records], unmasked=unmask)
    return {"total": got.total, "limit": page.limit, "offset": page.offset,
            "as_of_position": got.as_of_position, "counts": got.counts,
            "findings": got.records}


@router.get("/export", summary="every matching finding as a file 导出问题线索")
def export(request: Request, actor: Reader, seen: SeenDep, as_of: AsOfDep, q: QueryDep,
           format: Literal["csv", "jsonl", "xlsx"] = "csv", unmask: Unmask = False
           ) -> Response:
    """The findings format, field for field; masked unless a role that may asks."""
    got = query_findings(request.app.state.wb, actor, q, as_of=as_of, limit=10**9,
                         unmask=unmask)
    with tempfile.TemporaryDirectory() as tmp:
        out = FilePath(tmp) / f"findings.{format}"
        write_findings(got.records, format, out)
        body = out.read_bytes()
    seen.note("download.findings", "finding", [None], unmasked=unmask,
              detail=f"{format}: {got.total} findings")
    return attachment(body, f"findings.{format}")


@router.get("/{finding_id}", summary="one finding 问题线索详情")
def one_finding(request: Request, finding_id: Id, actor: Reader,
                seen: SeenDep, as_of: AsOfDep, unmask: Unmask = False) -> dict[str, Any]:
    rec = show_finding(request.app.state.wb, actor, finding_id, as_of=as_of, unmask=unmask)
    seen.view("finding", [finding_id], unmasked=unmask)
    return rec
