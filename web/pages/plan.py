"""Plan completion per county with its ranking, as of any day, and the dispatch table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from projections.plan import RANKED, Targets
from services import reading
from web.auth import Reader
from web.pages.charts import bar_chart
from web.pages.funds import Day, FormAsOf, tr_of
from web.pages.render import render

router = APIRouter(include_in_schema=False)
WORDS = {"trainees": ("培训", "Trained"), "certificates": ("取证", "Certified"),
         "high_skill": ("高技能人才", "High-skill"),
         "enterprise_trainees": ("企业职工培训", "Enterprise staff trained"),
         "overall": ("综合", "Overall")}
SHOWN = (*RANKED, "overall")  # the chart's bars, in this order
MEASURES = ("trainees", "enterprise_trainees", "certificates", "high_skill")


def percent(rate: Any) -> Decimal | None:
    """A rate (0.2345) as a percentage with two places (23.45), exact from its text."""
    if rate is None or pd.isna(rate):
        return None
    return (Decimal(str(rate)) * 100).quantize(Decimal("0.01"))


@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, actor: Reader, at: FormAsOf, as_of_day: Day = None
                    ) -> HTMLResponse:
    path = request.app.state.settings.targets_path
    if not path:
        return await render(request, "money/plan.html", {"targets": None})
    targets = await run_in_threadpool(Targets.load, path)
    got = await run_in_threadpool(reading.plan, request.app.state.wb, actor, targets,
                                  as_of=at)
    tr = await tr_of(request)
    rows = []
    for r in got.frame.to_dict(orient="records"):
        rates = {m: percent(r.get(f"{m}_rate")) for m in (*MEASURES, "overall")}
        rows.append({**r, "rates": rates})
    chart = bar_chart([(str(r["county"]), [r["rates"][m] or 0 for m in SHOWN]) for r in rows],
                      [tr(*WORDS[m]) for m in SHOWN],
                      tr("各区县计划完成率(%)", "Plan completion per county (%)"), top=100,
                      labels=[[f"{r['rates'][m]}%" if r["rates"][m] is not None else "—"
                               for m in SHOWN] for r in rows],
                      empty=tr("没有区县目标", "No county targets"))
    keep = {"as_of_day": as_of_day} if as_of_day else {}
    return await render(request, "money/plan.html", {
        "targets": targets, "rows": rows, "chart": chart, "warnings": got.warnings,
        "as_of": at.label, "as_of_day": as_of_day or "", "words": WORDS,
        "measures": MEASURES,
        "dispatch": "/api/plan/dispatch?" + urlencode({"format": "xlsx", **keep})})
