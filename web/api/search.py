"""The search box: ids and names, as the role may see them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.search import search
from web.access import SeenDep
from web.auth import Reader
from web.json import FastRoute
from web.params import Unmask

router = APIRouter(prefix="/api/search", route_class=FastRoute, tags=["search 搜索"])


@router.get("", summary="find persons, classes, institutions, claims, findings 搜索")
def find(request: Request, actor: Reader, seen: SeenDep,
         q: Annotated[str, Query(min_length=1, max_length=100, description="an id or a name")],
         limit: Annotated[int, Query(ge=1, le=100)] = 20, unmask: Unmask = False
         ) -> dict[str, Any]:
    hits = search(request.app.state.wb, actor, q, limit=limit, unmask=unmask)
    seen.view("person", [h["id"] for h in hits if h["kind"] == "person"], unmasked=unmask)
    return {"q": q, "results": hits}
