"""The JSON API, one router per area; each route calls one ``services`` use case.

The rules lab (``services.rules_lab``: what-if runs and adopting rules) gets
its router here beside the others, ``web/api/rules.py``, needing
``Permission.ADOPT_RULES`` to adopt.
"""

from __future__ import annotations

from fastapi import APIRouter

from web.api import (
    access,
    auth,
    cases,
    chain,
    credit,
    evidence,
    findings,
    funds,
    imports,
    search,
    timelines,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router, findings.router, cases.router, timelines.router, funds.router,
    credit.router, evidence.router, chain.router, imports.router, search.router,
    access.router, users.router,
)
