"""The JSON API, one router per area; each route calls one ``services`` use case.

The rules lab (``web/api/rules.py``, on ``services.rules_lab``): the rules in
force, what-if runs (any reader; nothing recorded) and adopting rules
(``Permission.ADOPT_RULES``).
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
    rules,
    search,
    timelines,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router, findings.router, cases.router, timelines.router, funds.router,
    credit.router, evidence.router, chain.router, imports.router, search.router,
    access.router, users.router, rules.router,
)
