"""The accounts page, for admins: every account, add one, disable, enable, a new password.

A generated password is shown once, on the page that answers the form (never in
an address, never stored in the clear); each change is noted in the access log
by the use case (``services.accounts``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from services import accounts
from web.auth import UserManager
from web.pages.render import back_to, me_of, render, translator

router = APIRouter(include_in_schema=False)
Name = Annotated[str, Path(min_length=1, max_length=40)]
ROLES = {"investigator": ("调查员", "Investigator"), "finance": ("财务", "Finance officer"),
         "inspector": ("督查员", "Inspector"), "admin": ("管理员", "Admin")}


async def _page(request: Request, actor: Any, shown: dict[str, str] | None = None
                ) -> HTMLResponse:
    found = await run_in_threadpool(accounts.list_accounts, request.app.state.wb, actor)
    return await render(request, "accounts.html", {
        "accounts": [a.as_json() for a in found], "roles": ROLES, "shown": shown})


@router.get("/users", response_class=HTMLResponse)
async def users_page(request: Request, actor: UserManager) -> HTMLResponse:
    return await _page(request, actor)


@router.post("/users", response_class=HTMLResponse)
async def add_user(request: Request, actor: UserManager,
                   name: Annotated[str, Form(min_length=1, max_length=40)],
                   role: Annotated[Literal["investigator", "finance", "inspector", "admin"],
                                   Form()]) -> HTMLResponse:
    account, password = await run_in_threadpool(accounts.add_account, request.app.state.wb,
                                                actor, name, role)
    return await _page(request, actor, {"name": account.name, "password": password,
                                        "added": "yes"})


@router.post("/users/{name}/reset", response_class=HTMLResponse)
async def reset_user(request: Request, name: Name, actor: UserManager) -> HTMLResponse:
    account, password = await run_in_threadpool(accounts.reset_password,
                                                request.app.state.wb, actor, name)
    return await _page(request, actor, {"name": account.name, "password": password})


@router.post("/users/{name}/disable")
async def disable_user(request: Request, name: Name, actor: UserManager) -> RedirectResponse:
    return await _switch(request, actor, name, accounts.disable_account,
                         "已停用账号", "Account disabled")


@router.post("/users/{name}/enable")
async def enable_user(request: Request, name: Name, actor: UserManager) -> RedirectResponse:
    return await _switch(request, actor, name, accounts.enable_account,
                         "已启用账号", "Account enabled")


async def _switch(request: Request, actor: Any, name: str, change: Any, zh: str, en: str
                  ) -> RedirectResponse:
    account = await run_in_threadpool(change, request.app.state.wb, actor, name)
    me = await me_of(request)
    tr = translator(me.lang if me else "zh")
    return back_to("/users", done=f"{tr(zh, en)}: {account.name}")
