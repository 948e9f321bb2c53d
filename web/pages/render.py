"""Rendering a page: the template, the logged-in account, its language and its menu.

Every template gets ``me`` (who is logged in, the CSRF token for forms, what the
role may do), ``lang`` and ``tr(zh, en)``, which picks the text of the account's
language: the two wordings of a label sit side by side where it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from services import accounts
from services.actor import GRANTS, Permission, Role
from services.logins import Login

HERE = Path(__file__).resolve().parents[1]
templates = Jinja2Templates(directory=HERE / "templates")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class MenuItem:
    href: str
    zh: str
    en: str
    needs: Permission


MENU = (
    MenuItem("/queue", "问题线索", "Findings", Permission.READ),
    MenuItem("/cases", "案件", "Cases", Permission.READ),
    MenuItem("/funds", "资金", "Funds", Permission.READ),
    MenuItem("/plan", "计划完成", "Plan", Permission.READ),
    MenuItem("/credit", "信用评价", "Credit", Permission.READ),
    MenuItem("/chain", "日志链", "Chain", Permission.READ),
    MenuItem("/rules-lab", "规则实验室", "Rules lab", Permission.READ),
    MenuItem("/imports", "导入", "Imports", Permission.INGEST),
    MenuItem("/access", "访问日志", "Access log", Permission.READ_ACCESS_LOG),
    MenuItem("/users", "账号", "Accounts", Permission.MANAGE_USERS),
)


@dataclass(frozen=True)
class Me:
    """The logged-in account as a page sees it."""

    name: str
    role: str
    csrf: str
    lang: str
    permissions: frozenset[str]

    def may(self, permission: str) -> bool:
        return permission in self.permissions


def translator(lang: str) -> Any:
    def tr(zh: str, en: str) -> str:
        return en if lang == "en" else zh

    return tr


async def me_of(request: Request) -> Me | None:
    """The logged-in account of a page request, or None (the start and login pages)."""
    login: Login | None = getattr(request.state, "login", None)
    if login is None:
        return None
    account = await run_in_threadpool(accounts.find_account, request.app.state.wb,
                                      login.actor.name)
    lang = account.language if account and account.language in LANGUAGES else "zh"
    return Me(login.actor.name, login.actor.role.value, login.csrf, lang,
              frozenset(p.value for p in GRANTS[Role(login.actor.role)]))


def language_of(request: Request, me: Me | None) -> str:
    if me is not None:
        return me.lang
    wanted = request.cookies.get("skillaudit_lang") or ""
    if wanted in LANGUAGES:
        return wanted
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "zh"


async def render(request: Request, template: str, context: dict[str, Any] | None = None,
                 status: int = 200) -> HTMLResponse:
    """``template`` rendered for the request's account (or for a visitor)."""
    me = await me_of(request)
    lang = language_of(request, me)
    menu = [m for m in MENU if me is not None and me.may(m.needs.value)]
    tr = translator(lang)
    ctx = {"me": me, "lang": lang, "tr": tr, "menu": menu, "path": request.url.path,
           "when": lambda label: tr("现在", "now") if label == "now" else label,
           **(context or {})}
    return templates.TemplateResponse(request, template, ctx, status_code=status)


def back_to(path: str, **query: Any) -> RedirectResponse:
    """After a form: the browser goes (GET) to ``path``, with a note in its query."""
    shown = {k: v for k, v in query.items() if v is not None}
    target = path + ("?" + urlencode(shown) if shown else "")
    return RedirectResponse(target, status_code=303)


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target
