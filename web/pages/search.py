"""The search box's page: persons, classes, institutions, claims and findings by id or name."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from engine.privacy import mask_person_id
from services.actor import Actor
from services.search import search
from web.access import SeenDep
from web.auth import Reader
from web.pages.refs import person_href
from web.pages.render import render
from web.params import Unmask

router = APIRouter(include_in_schema=False)
KINDS = {"person": ("人员", "Person"), "class": ("班级", "Class"),
         "institution": ("机构", "Institution"), "claim": ("申领", "Claim"),
         "finding": ("问题线索", "Finding"), "agency": ("经办机构", "Agency"),
         "employer": ("用人单位", "Employer"), "payment": ("拨付", "Payment"),
         "voucher": ("培训券", "Voucher")}


def href_of(request: Request, kind: str, found_id: str, typed: str, unmasked: bool
            ) -> str | None:
    """Where a hit leads; a masked person only by the id typed in full (the page's link
    then holds no ID number either)."""
    if kind == "person":
        if unmasked:
            return person_href(request, found_id)
        return person_href(request, typed) if typed and found_id != typed else None
    if kind == "finding":
        return f"/findings/{found_id}"
    if kind == "institution":
        return f"/institutions/{found_id}"
    return f"/timelines/{kind}/{found_id}"


ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, actor: Reader, seen: SeenDep,
                      q: Annotated[str, Query(max_length=100)] = "", unmask: Unmask = False
                      ) -> HTMLResponse:
    return await _answer(request, actor, seen, q, unmask)


@router.post("/search", response_class=HTMLResponse)
async def search_posted(request: Request, actor: Reader, seen: SeenDep,
                        q: Annotated[str, Form(max_length=100)] = "",
                        unmask: Annotated[bool, Form()] = False) -> HTMLResponse:
    """The header's box posts its words: an ID number typed there stays out of the
    address bar and the browser's history."""
    return await _answer(request, actor, seen, q, unmask)


async def _answer(request: Request, actor: Actor, seen: Any, q: str, unmask: bool
                  ) -> HTMLResponse:
    term = q.strip()
    hits: list[dict[str, Any]] = []
    if term:
        hits = await run_in_threadpool(search, request.app.state.wb, actor, term, limit=50,
                                       unmask=unmask)
        shown = actor.unmasked(unmask)
        seen.view("person", [h["id"] for h in hits if h["kind"] == "person"], unmasked=shown)
        exact_person = len([h for h in hits if h["kind"] == "person"]) == 1
        for h in hits:
            h["href"] = href_of(request, h["kind"], h["id"], term if exact_person else "",
                                shown)
    shown_q = term if actor.unmasked(unmask) or not ID_NUMBER.match(term) else \
        mask_person_id(term)
    return await render(request, "search.html", {"q": shown_q, "hits": hits, "kinds": KINDS,
                                                 "unmask": unmask})
