"""The money pages' routes in one router: the fund dashboard and its drill-down, plan
completion, the credit list and the institution page."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import credit, funds, plan

router = APIRouter(include_in_schema=False)
for part in (funds, plan, credit):
    router.include_router(part.router)
