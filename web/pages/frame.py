"""Logging in and out from a page, and each account's language.

The login form carries a token that also sits in a cookie of its own (set when
the form is shown, SameSite=strict): a form on another site can send neither,
so no one can log a browser in under their own account (login CSRF). Logging
out and choosing the language are forms of a logged-in page, with its CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from services import accounts
from services.logins import LoginRefused, log_in, log_out
from web.auth import COOKIE, LoginDep
from web.pages.render import LANGUAGES, back_to, render, safe_next

router = APIRouter(include_in_schema=False)
PRELOGIN = "skillaudit_prelogin"
LANG_COOKIE = "skillaudit_lang"
Field = Annotated[str, Form(max_length=256)]
Next = Annotated[str, Form(max_length=2000)]


async def _form(request: Request, message: str | None = None, status: int = 200,
                name: str = "", target: str = "/") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = await render(request, "login.html", {"login_token": token, "message": message,
                                                "name": name, "next": safe_next(target)},
                        status=status)
    page.set_cookie(PRELOGIN, token, max_age=3600, httponly=True, samesite="strict",
                    secure=request.app.state.settings.secure_cookies, path="/login")
    return page


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The login form."""
    return await _form(request, target=next)


@router.post("/login", response_model=None)
async def login(request: Request, name: Field, password: Field, login_token: Field,
                next: Next = "/") -> Response:
    """Check the name and password; on success the browser goes where it was sent from."""
    expected = request.cookies.get(PRELOGIN, "")
    if not expected or not hmac.compare_digest(expected.encode(), login_token.encode()):
        return await _form(request, "The form has expired: log in again. 表单已过期, 请重新登录。",
                           403, name, next)
    app = request.app.state
    try:
        done = await run_in_threadpool(log_in, app.wb, name, password, app.settings.policy)
    except LoginRefused as exc:
        return await _form(request, str(exc), 429 if exc.locked_until_us else 401, name, next)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, done.token, max_age=app.settings.policy.login_minutes * 60,
                        httponly=True, samesite="strict", secure=app.settings.secure_cookies,
                        path="/")
    response.delete_cookie(PRELOGIN, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, login: LoginDep) -> RedirectResponse:
    await run_in_threadpool(log_out, request.app.state.wb, login)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
def language(request: Request, login: LoginDep,
             language: Annotated[str, Form(max_length=2)], next: Next = "/"
             ) -> RedirectResponse:
    """The account's pages speak ``language`` from now on (kept with the account)."""
    lang = language if language in LANGUAGES else "zh"
    accounts.set_language(request.app.state.wb, login.actor, lang)
    response = back_to(safe_next(next))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response
