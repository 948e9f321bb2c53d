"""The start page: the login link for a visitor, each role's pages for an account."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from services.logins import logged_in
from web.auth import COOKIE
from web.pages.render import render

router = APIRouter(include_in_schema=False)


async def optional_login(request: Request) -> None:
    """Note the login on the request when the cookie holds a valid one (no refusal)."""
    token = request.cookies.get(COOKIE, "")
    login = await run_in_threadpool(logged_in, request.app.state.wb, token) if token else None
    if login is not None:
        request.state.login, request.state.actor = login, login.actor


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """What this workbench is, and the pages the account's role may open."""
    await optional_login(request)
    return await render(request, "home.html")
