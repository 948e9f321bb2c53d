"""Credit ratings as of a point, one subject's rating and history, and credit repair."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import Field

from services import credit
from web.access import SeenDep
from web.auth import CreditRepairer, Reader
from web.json import FastRoute
from web.params import AsOfDep, Body, PageDep

router = APIRouter(prefix="/api/credit", route_class=FastRoute, tags=["credit 信用"])

SubjectType = Literal["institution", "agency"]
Id = Annotated[str, Path(min_length=1, max_length=200)]


class Repair(Body):
    note: Annotated[str, Field(min_length=1, max_length=4000)]
    subject_type: SubjectType | None = None


@router.get("", summary="every subject's credit rating 信用评价列表")
def ratings(request: Request, actor: Reader, as_of: AsOfDep, page: PageDep,
            subject_type: SubjectType | None = None,
            grade: Literal["A", "B", "C", "D"] | None = None) -> dict[str, Any]:
    got = credit.ratings(request.app.state.wb, actor, as_of=as_of)
    shown = [got.record_of(r) for r in got.ratings
             if (subject_type is None or r.subject_type == subject_type)
             and (grade is None or r.grade == grade)]
    return {"as_of_position": got.position, "rules_version": got.params.version,
            "total": len(shown), "limit": page.limit, "offset": page.offset,
            "ratings": shown[page.offset:page.offset + page.limit]}


@router.get("/{subject_id}", summary="one rating and the facts that moved it 信用详情")
def one(request: Request, subject_id: Id, actor: Reader, as_of: AsOfDep,
        subject_type: SubjectType | None = None) -> dict[str, Any]:
    return credit.show(request.app.state.wb, actor, subject_id, subject_type=subject_type,
                       as_of=as_of)


@router.get("/{subject_id}/history", summary="every rating and repair 信用历史")
def history(request: Request, subject_id: Id, actor: Reader) -> dict[str, Any]:
    return {"subject_id": subject_id,
            "history": credit.credit_history(request.app.state.wb, actor, subject_id)}


@router.post("/{subject_id}/repair", summary="credit repair 信用修复 (inspectors)")
def repair(request: Request, subject_id: Id, body: Repair, actor: CreditRepairer,
           seen: SeenDep) -> dict[str, Any]:
    data, rating = credit.repair_credit(request.app.state.wb, actor, subject_id,
                                        note=body.note, subject_type=body.subject_type)
    seen.note("credit.repair", rating["subject_type"], [subject_id])
    return {"repair": data, "rating": rating}
