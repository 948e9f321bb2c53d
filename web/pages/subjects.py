"""A person's page (profile, trainings, subsidies, timeline) and the timelines of the others.

A person is reached by a ``p~`` link (``refs.person_href``): an ID number typed in
the address is sent on to its link, so the number leaves the address bar. The
page is masked unless the role may see personal data and asks (noted in the
access log, as the API notes it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from engine.errors import NotFound
from services import reading
from services.workbench import AsOf
from web.access import SeenDep
from web.auth import Reader
from web.pages.events import shown
from web.pages.funds import form_as_of
from web.pages.refs import PREFIX, person_href, person_id_of
from web.pages.render import render
from web.params import Unmask

router = APIRouter(include_in_schema=False)

Kind = Literal["person", "class", "institution", "claim", "agency", "employer", "payment",
               "voucher"]
Id = Annotated[str, Path(min_length=1, max_length=200)]
KINDS = {"person": ("人员", "Person"), "class": ("班级", "Class"),
         "institution": ("机构", "Institution"), "claim": ("申领", "Claim"),
         "agency": ("经办机构", "Agency"), "employer": ("用人单位", "Employer"),
         "payment": ("拨付", "Payment"), "voucher": ("培训券", "Voucher")}


FormAsOf = Annotated[AsOf, Depends(form_as_of)]  # the page's day field; empty means now


def _day(request: Request) -> str:
    """The day the page reads as of, as the form sent it (checked by ``form_as_of``)."""
    return request.query_params.get("as_of_day", "")


def _again(href: str, request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(href + (f"?{query}" if query else ""), status_code=303)


@router.get("/persons/{ref}", response_class=HTMLResponse)
async def person_page(request: Request, ref: Id, actor: Reader, seen: SeenDep,
                      as_of: FormAsOf, unmask: Unmask = False) -> Response:
    if not ref.startswith(PREFIX):
        return _again(person_href(request, ref), request)
    person_id = person_id_of(request, ref)
    wb = request.app.state.wb
    report = await run_in_threadpool(reading.person, wb, actor, person_id, as_of=as_of,
                                     unmask=unmask)
    try:
        t = await run_in_threadpool(reading.timeline, wb, actor, "person", person_id,
                                    as_of=as_of, unmask=unmask)
        events = [shown(request, e) for e in t.entries]
    except NotFound:
        events = []
    full = actor.unmasked(unmask)
    seen.view("person", [person_id], unmasked=full)
    return await render(request, "person.html", {
        "report": report, "events": events, "unmask": full, "ref": ref,
        "as_of": as_of.label, "as_of_day": _day(request), "kinds": KINDS})


@router.get("/timelines/{kind}/{subject_id}", response_class=HTMLResponse)
async def timeline_page(request: Request, kind: Kind, subject_id: Id, actor: Reader,
                        seen: SeenDep, as_of: FormAsOf, unmask: Unmask = False) -> Response:
    if kind == "person":
        return _again(person_href(request, person_id_of(request, subject_id)), request)
    t = await run_in_threadpool(reading.timeline, request.app.state.wb, actor, kind,
                                subject_id, as_of=as_of, unmask=unmask)
    full = actor.unmasked(unmask)
    seen.view(kind, [subject_id], unmasked=full)
    events: list[Any] = [shown(request, e) for e in t.entries]
    return await render(request, "timeline.html", {
        "kind": kind, "subject_id": t.shown_id, "events": events, "unmask": full,
        "as_of": t.as_of.label, "as_of_day": _day(request), "kinds": KINDS})
