"""Every error as JSON with a message in Chinese and English; never a traceback.

A refusal is 403, an unknown id 404, a wrong argument 400 or 422, a step that
the case's state does not allow 409; anything else is a defect, answered 500
with a message only (the traceback goes to the server's log). Every other failure
the user can act on (a case step out of order, a pack refused) is 409.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from engine.errors import Forbidden, NotFound, SkillauditError, UsageError
from services.logins import LoginRefused
from web.pages.problems import is_page, page_problem

log = logging.getLogger("skillaudit.web")

STATUS: tuple[tuple[type[SkillauditError], int, str], ...] = (
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (UsageError, 400, "bad_request"),
    (SkillauditError, 409, "conflict"),
)
HTTP_WORDS = {400: "bad request 请求有误", 401: "not logged in 未登录",
              403: "forbidden 无权限", 404: "not found 未找到",
              405: "method not allowed 不支持该方法", 413: "too large 内容过大",
              415: "unsupported media type 内容类型不支持", 429: "too many attempts 尝试过多"}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
          **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}},
                        status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """JSON answers for the API; a page's request gets its error as a page
    (``web.pages.problems``), or the login form when it has no login."""

    @app.exception_handler(SkillauditError)
    async def _ours(request: Request, exc: SkillauditError) -> Response:
        status, code = 409, "conflict"
        if isinstance(exc, LoginRefused):
            status, code = (429, "locked") if exc.locked_until_us else (401, "login_refused")
        else:
            status, code = next((s, c) for kind, s, c in STATUS if isinstance(exc, kind))
            if status == 403:
                refused = getattr(request.app.state, "on_refusal", None)
                if refused is not None:
                    refused(request, str(exc))
        if is_page(request):
            return await page_problem(request, status, str(exc))
        return error(status, code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())),
                     "problem": e.get("msg", "")} for e in exc.errors()]
        message = ("the request's parameters are not valid 请求参数无效: "
                   + "; ".join(f"{p['where']}: {p['problem']}" for p in problems))
        if is_page(request):
            return await page_problem(request, 422, message)
        return error(422, "invalid", message, problems=problems)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        words = HTTP_WORDS.get(exc.status_code, "error 错误")
        message = detail if detail and detail != _default_phrase(exc.status_code) else words
        if is_page(request):
            return await page_problem(request, exc.status_code, message)
        return JSONResponse({"error": {"code": _code(exc.status_code), "message": message}},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _defect(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        message = ("internal error 内部错误: nothing half-done is kept; "
                   "please report the time of this request 请报告本次请求的时间")
        if is_page(request):
            return await page_problem(request, 500, message)
        return error(500, "internal", message)


def _default_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _code(status: int) -> str:
    return {401: "unauthenticated", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 429: "locked"}.get(status, f"http_{status}")
