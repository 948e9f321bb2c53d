"""Logging in and out: the login cookie and the CSRF token the pages send back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from services import accounts
from services.accounts import MAX_PASSWORD, MIN_PASSWORD
from services.actor import GRANTS, Role
from services.logins import Login, change_password, log_in, log_out
from web.auth import COOKIE, CSRF_HEADER, LoginDep
from web.params import Body

# logging in sets cookies on the injected response: FastAPI's own encoding keeps them
router = APIRouter(prefix="/api/auth", tags=["login 登录"])


class Language(Body):
    language: Literal["zh", "en"]


class NewPassword(Body):
    current: Annotated[str, Field(min_length=1, max_length=256)]
    new: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]


class Credentials(Body):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


def _me(login: Login, language: str = "zh") -> dict[str, Any]:
    return {"name": login.actor.name, "role": login.actor.role.value, "language": language,
            "permissions": sorted(p.value for p in GRANTS[Role(login.actor.role)]),
            "csrf_token": login.csrf, "csrf_header": CSRF_HEADER,
            "expires_at": datetime.fromtimestamp(login.expires_us / 1e6, UTC)
            .isoformat(timespec="seconds")}


@router.post("/login", summary="log in 登录", responses={
    401: {"description": "wrong name or password"}, 429: {"description": "account locked"}})
async def login(request: Request, response: Response, body: Credentials) -> dict[str, Any]:
    """Open a login session: sets the login cookie and returns the CSRF token.

    JSON only: a form on another site cannot send it, so logging a browser in
    under someone else's account is not possible (login CSRF)."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HTTPException(415, "send the name and password as JSON 请以JSON提交")
    app = request.app.state
    done = await run_in_threadpool(log_in, app.wb, body.name, body.password,
                                   app.settings.policy)
    response.set_cookie(COOKIE, done.token, max_age=app.settings.policy.login_minutes * 60,
                        httponly=True, samesite="strict", secure=app.settings.secure_cookies,
                        path="/")
    return _me(done, _language(request, done))


def _language(request: Request, login: Login) -> str:
    account = accounts.find_account(request.app.state.wb, login.actor.name)
    return account.language if account else "zh"


@router.post("/logout", summary="log out 退出")
async def logout(request: Request, response: Response, login: LoginDep) -> dict[str, Any]:
    await run_in_threadpool(log_out, request.app.state.wb, login)
    response.delete_cookie(COOKIE, path="/")
    return {"logged_out": True}


@router.get("/me", summary="who is logged in 当前账号")
def me(request: Request, login: LoginDep) -> dict[str, Any]:
    return _me(login, _language(request, login))


@router.post("/language", summary="the language of my pages 界面语言")
def language(request: Request, body: Language, login: LoginDep) -> dict[str, Any]:
    account = accounts.set_language(request.app.state.wb, login.actor, body.language)
    return _me(login, account.language)


@router.post("/password", summary="change my password 修改密码")
def password(request: Request, body: NewPassword, login: LoginDep) -> dict[str, Any]:
    """The account's other logins end; this one goes on. A wrong current password
    counts towards the lockout."""
    app = request.app.state
    change_password(app.wb, login, body.current, body.new, app.settings.policy)
    return {"changed": True}
