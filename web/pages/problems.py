"""What a page shows when something goes wrong: the login form for a visitor, else an
error page in the account's language with what to do (never a traceback)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from web.pages.render import render

TITLES = {400: ("请求有误", "Bad request"), 401: ("未登录", "Not logged in"),
          403: ("无权限", "Forbidden"), 404: ("未找到", "Not found"),
          405: ("不支持该方法", "Method not allowed"), 409: ("无法办理", "Not possible now"),
          413: ("内容过大", "Too large"), 422: ("请求参数无效", "Invalid request"),
          429: ("尝试过多", "Too many attempts"), 500: ("内部错误", "Internal error")}


def is_page(request: Request) -> bool:
    """A request for a page (not the API, not a static file)."""
    path = request.url.path
    return not (path.startswith("/api/") or path == "/api" or path.startswith("/static/"))


async def page_problem(request: Request, status: int, message: str) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    zh, en = TITLES.get(status, ("错误", "Error"))
    context = {"status": status, "title_zh": zh, "title_en": en, "message": message}
    if status == 403:  # a refusal says nothing of what was asked for: not even its address
        context["path"] = "/"
    return await render(request, "problem.html", context, status=status)
