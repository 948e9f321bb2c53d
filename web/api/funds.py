"""The fund ledger, plan completion with its ranking, the dispatch table, the fund report."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from engine.errors import NotFound
from engine.money import yuan_str
from projections.ledger import MONEY
from projections.plan import Targets, write_table
from services import reading, reports
from web.access import SeenDep
from web.auth import Reader
from web.downloads import attachment
from web.json import FastRoute
from web.params import AsOfDep, PageDep, Unmask

router = APIRouter(prefix="/api", route_class=FastRoute, tags=["funds 资金"])

County = Annotated[str | None, Query(max_length=80)]
Year = Annotated[int | None, Query(ge=1990, le=2100)]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON records, missing values as null."""
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


@router.get("/ledger", summary="fund ledger per county × programme × year 资金台账")
def ledger(request: Request, actor: Reader, as_of: AsOfDep, county: County = None,
           year: Year = None) -> dict[str, Any]:
    """Money as yuan strings with two places, exact."""
    frame = reading.ledger(request.app.state.wb, actor, county=county, year=year, as_of=as_of)
    rows = [{"county": r.county, "program": r.program, "year": int(r.year),
             **{m: yuan_str(int(getattr(r, f"{m}_fen"))) for m in MONEY},
             "late_payments": int(r.late_payments)} for r in frame.itertuples()]
    return {"as_of": as_of.label, "rows": rows}


Program = Annotated[str, Query(min_length=1, max_length=80)]
CellCounty = Annotated[str, Query(min_length=1, max_length=80)]
CellYear = Annotated[int, Query(ge=1990, le=2100)]


@router.get("/funds/claims", summary="the claims and payments of one ledger cell 申领与拨付明细")
def claims(request: Request, actor: Reader, seen: SeenDep, as_of: AsOfDep, page: PageDep,
           county: CellCounty, program: Program, year: CellYear,
           unmask: Unmask = False) -> dict[str, Any]:
    """Claims made in the county and programme in the year, with their reviews, payments
    and recoveries; a person who claims is masked unless shown in full (logged)."""
    got = reading.claims_of(request.app.state.wb, actor, county=county, program=program,
                            year=year, as_of=as_of, limit=page.limit, offset=page.offset,
                            unmask=unmask)
    seen.view("person", got.person_ids, unmasked=actor.unmasked(unmask))
    return {"as_of": as_of.label, "county": county, "program": program, "year": year,
            "total": got.total, "limit": page.limit, "offset": page.offset,
            "claims": got.claims}


def _targets(request: Request) -> Targets:
    path = request.app.state.settings.targets_path
    if not path:
        raise NotFound("no plan targets are set for this workbench 未配置年度计划目标: "
                       "start it with `skillaudit serve --targets FILE.toml`")
    return Targets.load(path)


@router.get("/plan", summary="plan completion and ranking per county 计划完成与排名")
def plan(request: Request, actor: Reader, as_of: AsOfDep) -> dict[str, Any]:
    targets = _targets(request)
    got = reading.plan(request.app.state.wb, actor, targets, as_of=as_of)
    return {"year": targets.year, "as_of": as_of.label,
            "warnings": [str(w) for w in got.warnings], "counties": records(got.frame)}


@router.get("/plan/dispatch", summary="the biweekly dispatch table 双周调度表")
def dispatch(request: Request, actor: Reader, seen: SeenDep, as_of: AsOfDep,
             on: Day = None, format: Literal["json", "csv", "xlsx"] = "json") -> Any:
    targets = _targets(request)
    got = reading.plan(request.app.state.wb, actor, targets, as_of=as_of, dispatch_on=on,
                       for_dispatch=True)
    if format == "json":
        return {"year": targets.year, "as_of": as_of.label, "rows": records(got.frame)}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(got.frame, FilePath(tmp) / f"dispatch.{format}")
        body = path.read_bytes()
    seen.note("download.dispatch", "plan", [str(targets.year)])
    return attachment(body, f"dispatch-{targets.year}.{format}")


@router.get("/reports/funds", summary="the fund-safety report 资金安全报告")
def fund_report(request: Request, actor: Reader, seen: SeenDep, as_of: AsOfDep,
                county: County = None, year: Year = None,
                format: Literal["xlsx", "html"] = "xlsx") -> Response:
    with tempfile.TemporaryDirectory() as tmp:
        out = FilePath(tmp) / f"funds.{format}"
        reports.fund_safety(request.app.state.wb, actor, out, county=county, year=year,
                            as_of=as_of)
        body = out.read_bytes()
    seen.note("download.fund_report", "report", [county or "all"])
    return attachment(body, f"fund-report.{format}")
