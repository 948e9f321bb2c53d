"""The inspector's pages: the credit list of institutions and agencies, and an institution's
page (profile, credit score history as a chart with its grade bands, classes, findings,
money received per year) with credit repair for inspectors."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from credit.params import GRADE_EN, GRADE_ZH, GRADES
from engine.errors import SkillauditError
from services import credit, reading
from services.finding_queue import FindingQuery, query_findings
from web.access import SeenDep
from web.auth import CreditRepairer, Reader
from web.pages.charts import bar_chart, step_chart
from web.pages.funds import tr_of
from web.pages.queue import SEVERITY_WORDS
from web.pages.render import back_to, render
from web.params import AsOfDep

router = APIRouter(include_in_schema=False)
Grade = Literal["A", "B", "C", "D"]
Id = Annotated[str, Path(min_length=1, max_length=200)]
GRADE_WORDS = {g: (GRADE_ZH[g], GRADE_EN[g]) for g in GRADES}
GRADE_BADGE = {"A": "low", "B": "medium", "C": "high", "D": "critical"}


@router.get("/credit", response_class=HTMLResponse)
async def credit_page(request: Request, actor: Reader, as_of: AsOfDep,
                      grade: Grade | None = None) -> HTMLResponse:
    got = await run_in_threadpool(credit.ratings, request.app.state.wb, actor, as_of=as_of)
    counts = {g: sum(1 for r in got.ratings if r.grade == g) for g in GRADES}
    shown = [got.record_of(r) for r in sorted(got.ratings, key=lambda r: (r.score, r.subject_id))
             if grade is None or r.grade == grade]
    return await render(request, "money/credit.html", {
        "ratings": shown, "grade": grade, "grades": GRADES, "counts": counts,
        "words": GRADE_WORDS, "badges": GRADE_BADGE, "as_of": as_of.label,
        "position": got.position, "rules_version": got.params.version})


def _bands(params: Any) -> list[tuple[int, int, str]]:
    """Each grade's range of the score, A at the top (``start`` is the highest score)."""
    out, high = [], params.start
    for g in GRADES[:-1]:
        out.append((params.bands[g], high, g))
        high = params.bands[g]
    out.append((0, high, GRADES[-1]))
    return out


def _profile(wb: Any, actor: Any, institution_id: str, as_of: Any) -> dict[str, Any]:
    """Everything the institution page shows, read in one go (in the thread pool)."""
    report = reading.institution(wb, actor, institution_id, as_of=as_of)
    got = credit.ratings(wb, actor, as_of=as_of)
    try:
        rating = credit.show(wb, actor, institution_id, subject_type="institution", as_of=as_of)
    except SkillauditError:
        rating = None  # not registered (yet) as of this point: nothing rated
    history = credit.credit_history(wb, actor, institution_id)
    findings = query_findings(wb, actor, FindingQuery(institution=institution_id),
                              as_of=as_of, limit=100)
    money = reading.money_received(wb, actor, institution_id, as_of=as_of)
    profile = report["institution"]
    occupations = profile.get("licensed_occupations")
    if isinstance(occupations, str):  # the read model keeps the list as JSON text
        try:
            profile["licensed_occupations"] = json.loads(occupations)
        except ValueError:
            profile["licensed_occupations"] = [occupations]
    return {"report": report, "params": got.params, "rating": rating, "history": history,
            "findings": findings, "money": money}


@router.get("/institutions/{institution_id}", response_class=HTMLResponse)
async def institution_page(request: Request, institution_id: Id, actor: Reader,
                           as_of: AsOfDep) -> HTMLResponse:
    got = await run_in_threadpool(_profile, request.app.state.wb, actor, institution_id, as_of)
    tr = await tr_of(request)
    rated = [h for h in got["history"] if h["event"] == "CreditRated"]
    chart = step_chart([(h["at"], h["score"]) for h in rated],
                       tr("信用分变化(背景为等级区间)",
                          "Credit score over time (grade bands behind)"),
                       top=got["params"].start, bands=_bands(got["params"]),
                       labels=[f"{h['score']} ({h['grade']})" for h in rated],
                       empty=tr("尚无信用评价记录", "No credit rating recorded yet"))
    money = got["money"]
    money_chart = bar_chart([(str(m["year"]), [m["received_fen"]]) for m in money],
                            [tr("实得资金(元)", "Received (yuan)")],
                            tr("各年度实得资金", "Money received per year"),
                            labels=[[m["received"]] for m in money],
                            empty=tr("没有拨付记录", "No payment recorded"))
    return await render(request, "money/institution.html", {
        **got, "institution_id": institution_id, "profile": got["report"]["institution"],
        "chart": chart, "money_chart": money_chart, "bands": _bands(got["params"]),
        "words": GRADE_WORDS, "badges": GRADE_BADGE, "as_of": as_of.label,
        "severities": SEVERITY_WORDS})


@router.post("/institutions/{institution_id}/repair")
async def repair_posted(request: Request, institution_id: Id, actor: CreditRepairer,
                        seen: SeenDep, note: Annotated[str, Form(min_length=1, max_length=4000)]
                        ) -> RedirectResponse:
    """Credit repair (信用修复) from the institution page's form; inspectors only."""
    here = f"/institutions/{institution_id}"
    tr = await tr_of(request)
    if not note.strip():
        return back_to(here, failed=tr("请填写整改说明。", "Write the remediation note."))
    try:
        data, rating = await run_in_threadpool(
            credit.repair_credit, request.app.state.wb, actor, institution_id, note=note,
            subject_type="institution")
    except SkillauditError as exc:
        return back_to(here, failed=str(exc))
    seen.note("credit.repair", rating["subject_type"], [institution_id])
    return back_to(here, done=tr(f"已修复信用:{data['from_grade']} → {rating['grade']}",
                                 f"Credit repaired: {data['from_grade']} → {rating['grade']}"))
