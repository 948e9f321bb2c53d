"""The app factory: ``create_app(url)`` is the whole workbench on one store.

One ``Workbench`` (the store held open, its read models, the rules) serves
every request; each route passes the logged-in ``Actor`` to a use case of
``services``. Access events are gathered and stored in batches
(``web.access``); errors leave as JSON (``web.errors``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from tempfile import mkdtemp

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services import finding_queue
from services.workbench import Workbench
from web import docs, errors, pages
from web.access import AccessRecorder, refused
from web.api import ROUTERS
from web.settings import Settings

log = logging.getLogger("skillaudit.web")
TITLE = "skillaudit workbench 职业技能培训补贴审计工作台"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # answers hold personal data: no cache keeps them
}
# pages load only what the workbench serves, and run no inline script: text from the
# events that slipped into a page unescaped still could not run
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
# the API description page starts its (vendored) viewer with one inline script
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def _warm(wb: Workbench) -> None:
    """The findings queue built while the first logins happen; a failure here is only
    logged: the first request builds it again and answers for itself."""
    try:
        finding_queue.warm(wb)
    except Exception:
        log.exception("the findings queue could not be prepared at start")


class _Headers:
    """The security headers on every answer, and a NUL in the path or query refused first
    (PostgreSQL refuses NUL in text: say so before anything reads it). Plain ASGI: it
    only adds headers to the answer's start, so a request costs no extra task."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        csp = DOCS_CSP if path == docs.DOCS_URL else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers.setdefault(k, v)
                headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            refused = errors.error(400, "bad_request",
                                   "a NUL character is not allowed 不允许空字符")
            await refused(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def create_app(workbench_url: str, rules_path: str | None = None, *,
               settings: Settings | None = None) -> FastAPI:
    """The workbench's app on the store at ``workbench_url`` (rules: the defaults unless a
    file is named)."""
    settings = settings or Settings(url=workbench_url, rules_path=rules_path)
    if settings.files_dir is None:
        settings = replace(settings, files_dir=Path(mkdtemp(prefix="skillaudit-web-")))
    assert settings.files_dir is not None
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    wb = Workbench.held_open(settings.url, settings.rules_path)
    wb.accounts  # noqa: B018 (the accounts' tables exist before the first login)
    recorder = AccessRecorder(wb, settings.access_flush_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=_warm, args=(wb,), name="warm-queue", daemon=True).start()
        try:
            yield
        finally:
            recorder.stop()
            wb.close(release=True)

    app = FastAPI(title=TITLE, version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=docs.OPENAPI_URL, swagger_ui_oauth2_redirect_url=None,
                  description="Findings, cases, timelines, funds, credit, evidence and the "
                              "access log, as the logged-in account's role allows. "
                              "查阅与办理权限取决于账号角色。")
    app.state.wb, app.state.settings, app.state.access = wb, settings, recorder
    app.state.on_refusal = refused
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    pages.install(app)
    docs.install(app)

    app.add_middleware(_Headers)
    return app
