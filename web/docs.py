"""The API's description page (/api/docs): Swagger UI served from the package itself.

The workbench runs where no other site can be reached, so the viewer's script
and styles are vendored in ``web/static/vendor/swagger-ui`` (swagger-ui-dist,
Apache-2.0; its VERSION file says which) rather than fetched from a CDN.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

ASSETS = "/static/vendor/swagger-ui"
DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"


def install(app: FastAPI) -> None:
    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL, title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None})  # no badge fetched from elsewhere
