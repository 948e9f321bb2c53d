"""Who is asking: the login cookie, the CSRF token, and the role a route needs.

Every route of the API but logging in takes ``need(Permission.X)``: no valid
login is 401, a role without the permission 403 (recorded as a refused
access). A request that changes anything (any method but GET, HEAD and
OPTIONS) must also carry the login's CSRF token, in the ``X-CSRF-Token``
header or, from a form, the ``csrf_token`` field; the cookie alone is never
enough, so another site cannot act in a logged-in browser's name.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from services.actor import Actor, Permission
from services.logins import Login, cached_login, logged_in

COOKIE = "skillaudit_login"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

NOT_LOGGED_IN = ("not logged in, or the login has expired 未登录或登录已过期: "
                 "log in with POST /api/auth/login")
BAD_CSRF = ("the CSRF token is missing or wrong 缺少或错误的CSRF令牌: send the login's "
            f"token in the {CSRF_HEADER} header or the {CSRF_FIELD} form field")


async def login_of(request: Request) -> Login:
    """The request's open login session, its CSRF token checked when it changes anything."""
    token = request.cookies.get(COOKIE, "")
    wb = request.app.state.wb
    login = (cached_login(wb, token) or await run_in_threadpool(logged_in, wb, token)
             ) if token else None
    if login is None:
        raise HTTPException(401, NOT_LOGGED_IN)
    request.state.actor = login.actor
    request.state.login = login
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, login.csrf):
        request.app.state.on_refusal(request, "CSRF token missing or wrong")
        raise HTTPException(403, BAD_CSRF)
    return login


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORMS):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


def need(permission: Permission) -> Callable[..., Awaitable[Actor]]:
    """A dependency: the logged-in actor, refused unless its role grants ``permission``."""

    async def actor(login: Annotated[Login, Depends(login_of)]) -> Actor:
        login.actor.require(permission)
        return login.actor

    actor.__name__ = f"need_{permission.value}"
    return actor


def actor_of(request: Request) -> Actor:
    """The actor a ``need`` dependency already let through."""
    return request.state.actor


P = Permission
Reader = Annotated[Actor, Depends(need(P.READ))]
CaseWorker = Annotated[Actor, Depends(need(P.CASE_STEP))]
EvidenceMaker = Annotated[Actor, Depends(need(P.EVIDENCE))]
CreditRepairer = Annotated[Actor, Depends(need(P.CREDIT_REPAIR))]
Ingester = Annotated[Actor, Depends(need(P.INGEST))]
UserManager = Annotated[Actor, Depends(need(P.MANAGE_USERS))]
AccessReader = Annotated[Actor, Depends(need(P.READ_ACCESS_LOG))]
LoginDep = Annotated[Login, Depends(login_of)]
