"""The finance officer's pages: the fund dashboard by county, programme and year, and the
drill-down from one cell of it to its claims, reviews, payments and recoveries."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from engine.money import yuan_str
from projections.ledger import MONEY
from services import reading
from services.workbench import AsOf, as_of
from web.access import SeenDep
from web.auth import Reader
from web.pages.charts import bar_chart
from web.pages.refs import person_href
from web.pages.render import language_of, me_of, render, translator
from web.params import PageDep, Unmask

router = APIRouter(include_in_schema=False)

# a filter form sends its empty fields too ("all years", no day): empty means not given
County = Annotated[str | None, Query(max_length=80)]
Year = Annotated[str | None, Query(max_length=4, pattern=r"^((19|20|21)\d\d)?$")]
Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]


def form_as_of(as_of_day: Day = None) -> AsOf:
    """The as-of point of a page's filter form: the end of a day, or now when left empty."""
    return as_of(day=as_of_day or None)


FormAsOf = Annotated[AsOf, Depends(form_as_of)]
SHOWN = ("allocated", "claimed", "paid")  # the chart's bars, in this order
COLUMNS = {"allocated": ("下达", "Allocated"), "claimed": ("申领", "Claimed"),
           "approved": ("核定", "Approved"), "paid": ("拨付", "Paid"),
           "recovered": ("追回", "Recovered"), "remaining": ("结余", "Remaining"),
           "paid_late": ("逾期拨付", "Paid late")}


async def tr_of(request: Request) -> Any:
    """The ``tr`` of the request's account, for words a page's code puts in a chart."""
    return translator(language_of(request, await me_of(request)))


def _fen(frame: Any, column: str) -> int:
    return int(frame[f"{column}_fen"].sum())


@router.get("/funds", response_class=HTMLResponse)
async def funds_page(request: Request, actor: Reader, at: FormAsOf,
                     county: County = None, year_text: Annotated[Year, Query(alias="year")] = None,
                     as_of_day: Day = None) -> HTMLResponse:
    year = int(year_text) if year_text else None
    everything = await run_in_threadpool(reading.ledger, request.app.state.wb, actor, as_of=at)
    frame = everything
    if county:
        frame = frame[frame["county"] == county]
    if year is not None:
        frame = frame[frame["year"] == year]
    tr = await tr_of(request)
    counties = sorted({str(c) for c in everything["county"]})
    years = sorted({int(y) for y in everything["year"]}, reverse=True)
    per = frame.groupby("county", sort=True)[[f"{m}_fen" for m in SHOWN]].sum()
    series = [tr(*COLUMNS[m]) for m in SHOWN]
    chart = bar_chart([(str(c), [int(r[f"{m}_fen"]) for m in SHOWN]) for c, r in per.iterrows()],
                      series, tr("各区县资金:下达、申领、拨付(元)",
                                 "Funds per county: allocated, claimed, paid (yuan)"),
                      labels=[[yuan_str(int(r[f"{m}_fen"])) for m in SHOWN]
                              for _, r in per.iterrows()],
                      empty=tr("没有资金记录", "No money recorded"))
    keep = {"as_of_day": as_of_day} if as_of_day else {}
    rows = [{"county": r.county, "program": r.program, "year": int(r.year),
             "money": {m: yuan_str(int(getattr(r, f"{m}_fen"))) for m in MONEY},
             "late_payments": int(r.late_payments),
             "href": "/funds/claims?" + urlencode({"county": r.county, "program": r.program,
                                                   "year": int(r.year), **keep})}
            for r in frame.itertuples()]
    per_county = [{"county": c, **{m: yuan_str(int(r[f"{m}_fen"])) for m in SHOWN}}
                  for c, r in per.iterrows()]
    totals = {m: yuan_str(_fen(frame, m)) for m in MONEY}
    report = "/api/reports/funds?" + urlencode({k: v for k, v in (
        ("format", "xlsx"), ("county", county), ("year", year), ("as_of_day", as_of_day)) if v})
    return await render(request, "money/funds.html", {
        "rows": rows, "totals": totals, "chart": chart, "per_county": per_county,
        "counties": counties, "years": years, "county": county or "", "year": year,
        "as_of_day": as_of_day or "", "as_of": at.label, "columns": COLUMNS,
        "shown": SHOWN, "report": report})


@router.get("/funds/claims", response_class=HTMLResponse)
async def claims_page(request: Request, actor: Reader, seen: SeenDep, at: FormAsOf,
                      page: PageDep, county: Annotated[str, Query(min_length=1, max_length=80)],
                      program: Annotated[str, Query(min_length=1, max_length=80)],
                      year: Annotated[int, Query(ge=1990, le=2100)],
                      as_of_day: Day = None, unmask: Unmask = False) -> HTMLResponse:
    got = await run_in_threadpool(
        reading.claims_of, request.app.state.wb, actor, county=county, program=program,
        year=year, as_of=at, limit=page.limit, offset=page.offset, unmask=unmask,
        person_ref=lambda pid: person_href(request, pid))
    shown = actor.unmasked(unmask)
    seen.view("person", got.person_ids, unmasked=shown)
    base = {"county": county, "program": program, "year": year,
            **({"as_of_day": as_of_day} if as_of_day else {}),
            **({"unmask": "true"} if shown else {}), "limit": page.limit}
    pager = {"first": page.offset + 1 if got.total else 0,
             "last": min(page.offset + page.limit, got.total), "total": got.total,
             "prev": "?" + urlencode({**base, "offset": max(page.offset - page.limit, 0)})
             if page.offset > 0 else None,
             "next": "?" + urlencode({**base, "offset": page.offset + page.limit})
             if page.offset + page.limit < got.total else None}
    unmask_href = "?" + urlencode({**base, "unmask": "true", "offset": page.offset})
    return await render(request, "money/claims.html", {
        "claims": got.claims, "county": county, "program": program, "year": year,
        "as_of": at.label, "as_of_day": as_of_day or "", "pager": pager, "unmask": shown,
        "unmask_href": unmask_href,
        "back": "/funds?" + urlencode({"county": county, "year": year,
                                       **({"as_of_day": as_of_day} if as_of_day else {})})})
