"""The pages: HTML rendered from ``web/templates`` with what ``web/static`` holds.

Everything a page needs (scripts, styles, the chart library) is served from
``web/static``, never from another site. Pages call the same JSON API as any
client, with the login cookie and the CSRF token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        """The start page: where the workbench's pages and its API are."""
        return templates.TemplateResponse(request, "home.html", {})
