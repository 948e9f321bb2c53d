"""Timelines of persons, classes, institutions and claims, and the two profiles."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request

from services import reading
from web.access import SeenDep
from web.auth import Reader
from web.json import FastRoute
from web.params import AsOfDep, Unmask

router = APIRouter(prefix="/api", route_class=FastRoute, tags=["timelines 时间线"])

Kind = Literal["person", "class", "institution", "claim", "agency", "employer", "payment",
               "voucher"]
Id = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/timelines/{kind}/{subject_id}", summary="every event about a subject 时间线")
def timeline(request: Request, kind: Kind, subject_id: Id, actor: Reader, seen: SeenDep,
             as_of: AsOfDep, unmask: Unmask = False) -> dict[str, Any]:
    t = reading.timeline(request.app.state.wb, actor, kind, subject_id, as_of=as_of,
                         unmask=unmask)
    seen.view(kind, [subject_id], unmasked=unmask)
    return {"kind": t.kind, "subject_id": t.shown_id, "as_of": t.as_of.label,
            "events": [e.as_json() for e in t.entries]}


@router.get("/persons/{person_id}", summary="a person's trainings and subsidies 人员")
def person(request: Request, person_id: Id, actor: Reader, seen: SeenDep, as_of: AsOfDep,
           unmask: Unmask = False) -> dict[str, Any]:
    report = reading.person(request.app.state.wb, actor, person_id, as_of=as_of,
                            unmask=unmask)
    seen.view("person", [person_id], unmasked=unmask)
    return report


@router.get("/institutions/{institution_id}", summary="an institution's profile 机构")
def institution(request: Request, institution_id: Id, actor: Reader, as_of: AsOfDep
                ) -> dict[str, Any]:
    return reading.institution(request.app.state.wb, actor, institution_id, as_of=as_of)
